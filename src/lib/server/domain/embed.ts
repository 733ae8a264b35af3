import { messageRef } from "../../shared/i18n.ts";
import { isoInstant } from "../../shared/format.ts";
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

/** The CSP frame-ancestors value: "*" for anyone, else Invito itself and the listed sites. */
export function frameAncestors(origins: readonly string[] | undefined): string {
  const list = origins ?? [ANY_ORIGIN];
  if (list.includes(ANY_ORIGIN)) return "*";
  // Invito itself may always frame it: the Embed page's live preview.
  return ["'self'", ...list].join(" ");
}

/**
 * Where the widget posts its events to the embedding page (docs/decisions/046-embed-events.md):
 * each `target` is a postMessage targetOrigin, so the browser itself drops a message whose
 * parent is not that exact site. A list of sites gets them (and Invito's own origin, for the
 * Embed page's preview); "*" in the list — or no list — means any site may frame the widget, so
 * the events go to "*" and never carry the guest's personal data, whatever the host chose.
 */
export type ParentEventPolicy = {
  targets: string[];
  /** The guest's name and email may ride on `invito:booked`. */
  personal: boolean;
  /** After a booking with a thank-you page, the embedding page (not the frame) goes there. */
  navigateParent: boolean;
};

export function parentEventPolicy(
  origins: readonly string[] | undefined,
  selfOrigin: string,
  settings: { shareGuestData?: boolean; navigateParent?: boolean },
): ParentEventPolicy {
  const list = origins ?? [ANY_ORIGIN];
  const navigateParent = settings.navigateParent === true;
  if (list.includes(ANY_ORIGIN)) return { targets: [ANY_ORIGIN], personal: false, navigateParent };
  const targets = [selfOrigin, ...list.filter((o) => o !== selfOrigin)];
  return { targets, personal: settings.shareGuestData === true, navigateParent };
}

/** A thank-you page address as the host typed it: checked, or why not (a message reference). */
export type ThankYouUrlResult = { ok: true; url: string | null } | { ok: false; error: string };

/**
 * Guests are sent to a thank-you page only over https, or to one of the host's own sites over
 * http (Invito's own address, or a site on their embed list — a local test site, say). Nothing
 * else: no `javascript:`, no credentials in the address, no fragment games.
 */
export function parseThankYouUrl(
  text: string,
  own: { selfOrigin: string; origins: readonly string[] | undefined },
): ThankYouUrlResult {
  const item = text.trim();
  if (!item) return { ok: true, url: null };
  if (item.length > 1000) return { ok: false, error: messageRef("embed.redirect_long") };
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    return { ok: false, error: messageRef("embed.redirect_invalid") };
  }
  if (url.username || url.password) {
    return { ok: false, error: messageRef("embed.redirect_invalid") };
  }
  const ownSite = url.origin === own.selfOrigin || (own.origins ?? []).includes(url.origin);
  if (url.protocol === "https:" || (url.protocol === "http:" && ownSite)) {
    return { ok: true, url: url.href };
  }
  return { ok: false, error: messageRef("embed.redirect_https") };
}

/** What a thank-you address may be told about the booking (no personal data: URLs end up in logs). */
export type BookedFacts = {
  bookingId: string;
  eventType: string;
  startMs: number;
  endMs: number;
  status: string;
};

/** The booking parameters appended to a thank-you address (documented in /docs/embed). */
export const REDIRECT_PARAMS = [
  "invito_booking_id",
  "invito_event_type",
  "invito_start",
  "invito_end",
  "invito_status",
] as const;

/**
 * Where a booking just made sends the guest: the event type's thank-you page (with the booking's
 * parameters when the host asked for them), or null for our own result page.
 */
export function thankYouOf(
  et: { slug: string; thankYouUrl?: string | null; thankYouParams?: boolean | null } | null,
  b: { id: string; startMs: number; endMs: number; status: string },
): string | null {
  if (!et?.thankYouUrl) return null;
  return thankYouLocation(
    et.thankYouUrl,
    et.thankYouParams
      ? {
        bookingId: b.id,
        eventType: et.slug,
        startMs: b.startMs,
        endMs: b.endMs,
        status: b.status,
      }
      : null,
  );
}

export function thankYouLocation(url: string, facts: BookedFacts | null): string {
  const u = new URL(url);
  if (facts) {
    u.searchParams.set("invito_booking_id", facts.bookingId);
    u.searchParams.set("invito_event_type", facts.eventType);
    u.searchParams.set(
      "invito_start",
      isoInstant(facts.startMs),
    );
    u.searchParams.set(
      "invito_end",
      isoInstant(facts.endMs),
    );
    u.searchParams.set("invito_status", facts.status.toLowerCase());
  }
  return u.href;
}
