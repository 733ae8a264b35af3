/**
 * Embedding: who may frame a host's widget, and the host's own setting for it.
 */
import type { App } from "../app.ts";
import { messageRef } from "../../shared/i18n.ts";
import type { BookingRecord, UserRecord } from "../domain/model/records.ts";
import { getUserByUsernameCached, updateUser } from "../store/users.ts";
import {
  frameAncestors,
  type ParentEventPolicy,
  parentEventPolicy,
  parseOriginList,
  parseThankYouUrl,
  thankYouOf,
} from "../domain/embed.ts";
import { getEventType, updateEventType } from "../store/event-types.ts";
import { findEventType } from "./event-types.ts";
import type { BookingPageSettings } from "../../shared/booking-page-settings-form.ts";
import type { UserId } from "../store/keys.ts";
import { bookingForToken } from "./booking-links.ts";
import { getUser } from "../store/users.ts";
import { getTeamBySlugCached } from "../store/teams.ts";
import { isoInstant } from "../../shared/format.ts";

/**
 * frame-ancestors for a widget page, from the route SvelteKit resolved and its decoded params
 * (`/widget/%61lice/x` is alice's widget and gets alice's list). Anything that does not lead to a
 * known host — an unknown name, an invalid token, a widget path no route matched — gets the
 * strictest policy, 'none': a frame elsewhere then shows the browser's refusal, never our page.
 */
export async function frameAncestorsForWidget(
  app: App,
  routeId: string | null,
  params: Partial<Record<string, string>>,
): Promise<string> {
  const owner = await widgetOwner(app, routeId, params);
  if (owner.kind === "none") return "'none'";
  return owner.kind === "team" ? "*" : frameAncestors(owner.host.embedOrigins);
}

/**
 * Where a widget page posts its events (docs/decisions/046-embed-events.md), from the same owner
 * the frame-ancestors header follows: a host's list and settings; a team's widget (framed
 * anywhere) posts to "*" without personal data; an unknown owner posts nowhere.
 */
export async function parentEventsForWidget(
  app: App,
  routeId: string | null,
  params: Partial<Record<string, string>>,
): Promise<ParentEventPolicy> {
  const owner = await widgetOwner(app, routeId, params);
  const self = app.config.baseUrl.origin;
  if (owner.kind === "none") return { targets: [], personal: false, navigateParent: false };
  if (owner.kind === "team") return parentEventPolicy(undefined, self, {});
  return parentEventPolicy(owner.host.embedOrigins, self, {
    shareGuestData: owner.host.embedShareGuestData,
    navigateParent: owner.host.embedNavigateParent,
  });
}

type WidgetOwner = { kind: "none" } | { kind: "team" } | { kind: "host"; host: UserRecord };

async function widgetOwner(
  app: App,
  routeId: string | null,
  params: Partial<Record<string, string>>,
): Promise<WidgetOwner> {
  const none = { kind: "none" } as const;
  const team = { kind: "team" } as const;
  let host: UserRecord | null = null;
  // A team's widget may be framed anywhere, like a host's without a list (teams have no list
  // of their own yet); an unknown team gets 'none' like an unknown host.
  if (routeId?.startsWith("/widget/team/[team]") && params.team) {
    return (await getTeamBySlugCached(app.kv, params.team)) ? team : none;
  }
  if (routeId?.startsWith("/widget/forms/[owner]") && params.owner) {
    // A routing form: its host's list, or anywhere for a team's (as a team's widget).
    const owner = params.owner.toLowerCase();
    host = await getUserByUsernameCached(app.kv, owner);
    if (!host) return (await getTeamBySlugCached(app.kv, owner)) ? team : none;
  } else if (routeId?.startsWith("/widget/booking/[token]") && params.token) {
    const b = await bookingForToken(app, params.token, "guest");
    if (b?.teamId) return team;
    host = b ? await getUser(app.kv, b.hostId) : null;
  } else if (routeId?.startsWith("/widget/[username]") && params.username) {
    host = await getUserByUsernameCached(app.kv, params.username.toLowerCase());
  }
  return host ? { kind: "host", host } : none;
}

/** The host's choices for what the widget tells the embedding page and whether it may leave. */
export async function saveEmbedEventSettings(
  app: App,
  user: UserRecord,
  settings: { shareGuestData: boolean; navigateParent: boolean },
) {
  const res = await updateUser(app.kv, user.id, {
    embedShareGuestData: settings.shareGuestData,
    embedNavigateParent: settings.navigateParent,
  });
  return res.ok ? { ok: true as const } : { ok: false as const, reason: res.reason };
}

export async function saveEmbedOrigins(app: App, user: UserRecord, text: string) {
  const parsed = parseOriginList(text);
  if (!parsed.ok) return parsed;
  const res = await updateUser(app.kv, user.id, { embedOrigins: parsed.origins });
  return res.ok
    ? { ok: true as const, origins: parsed.origins }
    : { ok: false as const, errors: [messageRef("profile.account_missing")] };
}

/**
 * What the widget's result page tells the embedding page about a booking just made (the
 * `invito:booked` message, without `type`/`v`), and where its thank-you page is, if the event
 * type has one. The guest's data is included here; `postToParent` drops it unless the host's
 * policy allows it.
 */
export async function bookedForWidget(app: App, token: string) {
  const b = await bookingForToken(app, token, "guest");
  if (!b || (b.status !== "PENDING" && b.status !== "CONFIRMED")) return null;
  const { eventType, thankYou } = await thankYouFor(app, b);
  return {
    event: {
      bookingId: b.id,
      eventType,
      start: isoInstant(b.startMs),
      end: isoInstant(b.endMs),
      status: b.status === "PENDING" ? "pending" as const : "confirmed" as const,
      guest: { name: b.guestName, email: b.guestEmail },
    },
    thankYou,
  };
}

async function thankYouFor(app: App, b: BookingRecord) {
  const et = await getEventType(app.kv, (b.teamId ?? b.hostId) as UserId, b.eventTypeId);
  return { eventType: et?.slug ?? "", thankYou: thankYouOf(et, b) };
}

/**
 * An event type's booking page settings (issue 29): layout, locked prefill, thank-you page.
 * The thank-you address must be https, or http on the host's own sites (ADR 046).
 */
export async function saveBookingPageSettings(
  app: App,
  user: UserRecord,
  id: string,
  input: BookingPageSettings,
): Promise<
  | { ok: true }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "invalid"; errors: Record<string, string> }
> {
  const et = await findEventType(app, user, id);
  if (!et) return { ok: false, reason: "not_found" };
  const url = parseThankYouUrl(input.thankYouUrl, {
    selfOrigin: app.config.baseUrl.origin,
    origins: user.embedOrigins,
  });
  if (!url.ok) return { ok: false, reason: "invalid", errors: { thankYouUrl: url.error } };
  const res = await updateEventType(app.kv, user.id, et.id, (cur) => ({
    ...cur,
    layout: input.layout,
    lockPrefill: input.lockPrefill,
    thankYouUrl: url.url,
    thankYouParams: input.thankYouParams,
    updatedAtMs: app.now(),
  }));
  return res.ok ? { ok: true } : { ok: false, reason: "not_found" };
}
