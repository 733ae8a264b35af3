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
      errors.push(`"${item.slice(0, 80)}" is not a web address like https://example.com`);
      continue;
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
      errors.push(`"${item.slice(0, 80)}" must start with https:// or http://`);
      continue;
    }
    if (url.pathname !== "/" || url.search || url.hash) {
      errors.push(`"${item.slice(0, 80)}" must be an origin only, without a path (${url.origin})`);
      continue;
    }
    // Only characters a CSP source expression can carry safely.
    if (!/^https?:\/\/(\[[0-9a-f:]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(url.origin)) {
      errors.push(`"${item.slice(0, 80)}" is not a valid site address`);
      continue;
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  if (items.length > 50) errors.push("List at most 50 sites");
  return errors.length ? { ok: false, errors } : { ok: true, origins };
}

/** The CSP frame-ancestors value: "*" for anyone, the list, or 'none' for an empty list. */
export function frameAncestors(origins: readonly string[] | undefined): string {
  const list = origins ?? [ANY_ORIGIN];
  if (list.includes(ANY_ORIGIN)) return "*";
  return list.length ? list.join(" ") : "'none'";
}
