import { messageRef } from "../../shared/i18n.ts";
/**
 * Which sites may frame a host's widget. Hosts list origins; "*" (the default, as Invito does)
 * allows any site. Everything here is validated so a CSP header can never be injected.
 */
export const ANY_ORIGIN = "*";

export type OriginListResult = { ok: true; origins: string[] } | { ok: false; errors: string[] };

/** One origin per line or comma: "https://example.com", "http://localhost:3000", or "*". */
export function parseOriginList(text: string): OriginListResult {
  const items = text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) return { ok: true, origins: [] };
  const errors: string[] = [];
  const origins: string[] = [];
  for (const item of items.slice(0, 50)) {
    if (item === ANY_ORIGIN) {
      origins.push(ANY_ORIGIN);
      continue;
    }
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      errors.push(messageRef("embed.not_address", { item: item.slice(0, 80) }));
      continue;
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
      errors.push(messageRef("embed.scheme", { item: item.slice(0, 80) }));
      continue;
    }
    if (url.pathname !== "/" || url.search || url.hash) {
      errors.push(messageRef("embed.origin_only", { item: item.slice(0, 80), origin: url.origin }));
      continue;
    }
    // Only characters a CSP source expression can carry safely.
    if (!/^https?:\/\/(\[[0-9a-f:]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(url.origin)) {
      errors.push(messageRef("embed.invalid", { item: item.slice(0, 80) }));
      continue;
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  if (items.length > 50) errors.push(messageRef("embed.max", { max: 50 }));
  return errors.length ? { ok: false, errors } : { ok: true, origins };
}

/** The CSP frame-ancestors value: "*" for anyone, the list, or 'none' for an empty list. */
export function frameAncestors(origins: readonly string[] | undefined): string {
  const list = origins ?? [ANY_ORIGIN];
  if (list.includes(ANY_ORIGIN)) return "*";
  return list.length ? list.join(" ") : "'none'";
}
