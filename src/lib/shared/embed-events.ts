/**
 * The messages the widget posts to the page that embeds it (docs/decisions/046-embed-events.md,
 * documented for site owners at /docs/embed). Every message is `{ type: "invito:…", v: 1, … }`;
 * a new field may be added within a version, a changed meaning gets a new `v`.
 *
 * Who receives them is decided on the server (domain/embed.ts `parentEventPolicy`): each target
 * is an exact targetOrigin, or "*" — and then no message carries the guest's personal data. That
 * rule is applied here, in the one function every message goes through.
 */
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

/** Posts to every allowed target; outside a frame, or without a policy, nothing happens. */
export function postToParent(policy: ParentEvents | undefined | null, event: EmbedEvent) {
  if (typeof document === "undefined" || !policy) return;
  const parent = globalThis.parent;
  if (!parent || parent === globalThis.self) return;
  const msg = parentMessage(event, policy.personal && !policy.targets.includes("*"));
  for (const target of policy.targets) parent.postMessage(msg, target);
}

/** The end of a time that starts at `start` (an ISO instant) and lasts `durationMin`. */
export function endOf(start: string, durationMin: number): string {
  return new Date(Date.parse(start) + durationMin * 60_000).toISOString().replace(".000Z", "Z");
}
