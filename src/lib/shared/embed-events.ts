/**
 * The messages the widget posts to the page that embeds it (docs/decisions/046-embed-events.md,
 * documented for site owners at /docs/embed). Every message is `{ type: "invito:…", v: 1, … }`;
 * a new field may be added within a version, a changed meaning gets a new `v`.
 *
 * Who receives them is decided on the server (domain/embed.ts `parentEventPolicy`): each target
 * is an exact targetOrigin, or "*" — and then no message carries the guest's personal data. That
 * rule is applied here, in the one function every message goes through.
 */
import { isoInstant } from "./format.ts";

export const EMBED_EVENTS_VERSION = 1;

/** Where the widget may post, as the server decided it for the widget's host. */
export type ParentEvents = { targets: string[]; personal: boolean; navigateParent: boolean };

export type EmbedEvent =
  | { type: "invito:page_height"; height: number }
  | { type: "invito:event_type_viewed"; host: string; eventType: string }
  | { type: "invito:date_selected"; eventType: string; date: string }
  | { type: "invito:time_selected"; eventType: string; start: string; end: string }
  | {
    type: "invito:booked";
    bookingId: string;
    eventType: string;
    start: string;
    end: string;
    status: "pending" | "confirmed";
    /** Only with the host's consent and a list of sites (never with "*"). */
    guest?: { name: string; email: string };
  }
  /** The host lets a thank-you page replace the embedding page (embed.js follows it). */
  | { type: "invito:redirect"; url: string }
  /** The height under its first name (before version 1), for pages that listen for it. */
  | { type: "invito:resize"; height: number }
  /** Escape inside a popup (embed.js closes it). */
  | { type: "invito:close" };

/** The message as posted: versioned, and without the guest's data unless `personal`. */
export function parentMessage(event: EmbedEvent, personal: boolean): Record<string, unknown> {
  const msg: Record<string, unknown> = { ...event, v: EMBED_EVENTS_VERSION };
  if (!personal) delete msg.guest;
  return msg;
}

/**
 * Where a message goes, given the embedding page's origin as the browser tells it (null: it does
 * not). With "*": there. With a list of sites: only the parent's own origin, if listed — a message
 * posted to the other listed sites (and Invito's own, for the Embed page's preview) would be
 * dropped by the browser anyway, and Chrome says so on the site's console for every one. Parent
 * unknown: every listed target (the browser still delivers only the matching one).
 */
export function targetsFor(targets: readonly string[], parentOrigin: string | null): string[] {
  if (targets.includes("*")) return ["*"];
  if (!parentOrigin) return [...targets];
  return targets.includes(parentOrigin) ? [parentOrigin] : [];
}

/**
 * The embedding page's origin: `location.ancestorOrigins` (Chromium, Safari), else the referrer's
 * origin when it is another site's — the frame's first page was asked for by the embedding page;
 * after a full load inside the frame the referrer is Invito itself, which says nothing.
 */
function parentOrigin(): string | null {
  const ancestors = globalThis.location?.ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0];
  try {
    const origin = document.referrer ? new URL(document.referrer).origin : null;
    return origin && origin !== globalThis.location.origin ? origin : null;
  } catch {
    return null;
  }
}

/** Posts to the allowed targets; outside a frame, or without a policy, nothing happens. */
export function postToParent(policy: ParentEvents | undefined | null, event: EmbedEvent) {
  if (typeof document === "undefined" || !policy) return;
  const parent = globalThis.parent;
  if (!parent || parent === globalThis.self) return;
  const msg = parentMessage(event, policy.personal && !policy.targets.includes("*"));
  for (const target of targetsFor(policy.targets, parentOrigin())) {
    parent.postMessage(msg, target);
  }
}

/** The end of a time that starts at `start` (an ISO instant) and lasts `durationMin`. */
export function endOf(start: string, durationMin: number): string {
  return isoInstant(Date.parse(start) + durationMin * 60_000);
}
