/**
 * What every calendar provider (CalDAV, Google Calendar, Microsoft Graph) offers Invito, so the
 * sync service, the busy cache, the writeback outbox and the dashboard see no difference: list
 * calendars, read busy time for a window (in full, or only what changed since a cursor), and
 * create/update/delete the event of one meeting. Nothing here throws on a remote failure: every
 * call returns `{ ok: true, … } | { ok: false, error }` with a detail a host can read.
 */
import type { Interval } from "../domain/interval.ts";
import { UNREACHABLE } from "./safe-fetch.ts";
import type { CalendarErrorKind, CalendarProviderKind } from "../domain/model/records.ts";
import type { Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { detailIn, readerOf } from "./provider-details.ts";
import { storedReasonText } from "../../shared/system-reasons.ts";

export type ProviderError = {
  kind: CalendarErrorKind;
  detail: string;
  /** the provider asked us to wait this long (429/503 Retry-After) */
  retryAfterMs?: number;
};
export type ProviderFailure = { ok: false; error: ProviderError };

/**
 * A calendar's colour as the dashboard shows it (`#rrggbb`), or null: CalDAV servers (Apple's)
 * add an alpha byte, and anything else a server sends is no colour, never put in a style.
 */
export function calendarColor(v: unknown): string | null {
  const m = typeof v === "string" ? /^#([0-9a-f]{6})(?:[0-9a-f]{2})?$/i.exec(v.trim()) : null;
  return m ? `#${m[1].toLowerCase()}` : null;
}
export type ProviderResult<T> = ({ ok: true } & T) | ProviderFailure;

export const providerFail = (
  kind: CalendarErrorKind,
  detail: string,
  retryAfterMs?: number,
): ProviderFailure => ({
  ok: false,
  error: retryAfterMs === undefined ? { kind, detail } : { kind, detail, retryAfterMs },
});

export type RemoteCalendar = {
  /** CalDAV: the collection URL; Google/Microsoft: the calendar id */
  url: string;
  displayName: string;
  color: string | null;
  writable: boolean;
  /** CalDAV change markers (null elsewhere) */
  ctag: string | null;
  syncToken: string | null;
  /** checked for conflicts when the account is first connected */
  checkByDefault?: boolean;
  /** the account's main calendar: bookings go here by default */
  primary?: boolean;
  /** Google/Microsoft: the address of the account that owns the main calendar */
  ownerAddress?: string | null;
};

/** Change markers of a full read, kept on the cache head. */
export type Markers = { ctag: string | null; syncToken: string | null; etagDigest: string | null };

export type SkippedEvent = { uid: string | null; reason: string };

/**
 * One remote event (one instance of a series) and the time it blocks (none: it does not).
 * `attrs`: what later rounds need to know of this event although it blocks nothing itself — a
 * Graph series master's properties, which its occurrences lack (bounded text, provider's own).
 */
export type EventBusy = {
  id: string;
  seriesId: string | null;
  windows: Interval[];
  attrs?: string;
};
/** A change of a delta read: `windows: null` = the event (or series) is gone. */
export type EventChange = {
  id: string;
  seriesId: string | null;
  windows: Interval[] | null;
  attrs?: string;
};

export type BusyRead =
  /** nothing changed since the cursor/markers given (new markers may still be stored) */
  | { kind: "unchanged"; markers: Markers }
  /** every event in the window; `events` holds per-event state only for incremental providers */
  | {
    kind: "full";
    windows: Interval[];
    events: EventBusy[] | null;
    count: number;
    skipped: SkippedEvent[];
    markers: Markers;
  }
  /** what changed since the cursor: `windows: null` = the event (or series) is gone */
  | {
    kind: "delta";
    changes: EventChange[];
    skipped: SkippedEvent[];
    markers: Markers;
  };

/**
 * A full read of an incremental provider (Google, Microsoft) from its changes list: events that
 * block no time are left out, and the cursor to continue from is kept as the sync token.
 */
export function fullReadOf(
  changes: EventChange[],
  skipped: SkippedEvent[],
  syncToken: string | null,
): BusyRead {
  const events: EventBusy[] = changes.flatMap((e) =>
    e.windows && (e.windows.length > 0 || e.attrs)
      ? [{
        id: e.id,
        seriesId: e.seriesId,
        windows: e.windows,
        ...(e.attrs ? { attrs: e.attrs } : {}),
      }]
      : []
  );
  return {
    kind: "full",
    windows: events.flatMap((e) => e.windows),
    events,
    count: events.filter((e) => e.windows.length > 0).length,
    skipped,
    markers: { ctag: null, syncToken, etagDigest: null },
  };
}

/** What the previous successful read left behind, given only when it may be built upon. */
export type PreviousRead = { markers: Markers; fromMs: number; toMs: number };

export type BusyQuery = {
  calendarUrl: string;
  /** from the calendar list of this same sync, when the provider lists markers */
  remote: RemoteCalendar | null;
  fromMs: number;
  toMs: number;
  hostTimeZone: string;
  previous: PreviousRead | null;
  /** events Invito wrote itself (their UID), which must not block twice */
  isOwnUid: (uid: string) => boolean;
  /**
   * The `attrs` kept from earlier rounds, by event id (for a delta: a series master listed
   * before); null when that state is gone (then read in full). Read only when asked for.
   */
  storedAttrs?: () => Promise<Map<string, string> | null>;
};

/** The event Invito keeps in the host's calendar for one confirmed meeting. */
export type MeetingEvent = {
  /** the meeting's iCalendar UID: stable across retries and reschedules */
  uid: string;
  sequence: number;
  /** TENTATIVE: a moved meeting waiting for the host's confirmation (absent: CONFIRMED). */
  status?: "CONFIRMED" | "TENTATIVE";
  startMs: number;
  endMs: number;
  stampMs: number;
  summary: string;
  description: string;
  location?: string;
  organizer: { name: string; email: string };
  /** The guest; DECLINED when they said they cannot come to the host's meeting (ADR 050). */
  attendee: { name: string; email: string; partstat?: "DECLINED" };
  /**
   * A team booking's other members, who attend the same meeting. CalDAV lists them as attendees;
   * Google and Microsoft would mail them invitations of their own, so there they are named in the
   * description only.
   */
  others?: { name: string; email: string }[];
  /**
   * The guests' additional guests (addresses). CalDAV lists them as attendees; Google and
   * Microsoft would mail them invitations of their own, so there they are named in the
   * description only (as every provider's description does).
   */
  guests?: string[];
  /** Their names by address, where given (a poll's voters): CalDAV's CN. */
  guestNames?: Record<string, string>;
  /**
   * A video meeting the provider makes with the event (issue 27): Google Meet through
   * `conferenceData.createRequest`, Teams through `isOnlineMeeting`. Other providers ignore it.
   */
  conference?: "google_meet" | "teams";
};

/** What a write read back about the event's video meeting (absent: none was asked for). */
export type ConferenceReadBack =
  | { state: "ready"; joinUrl: string }
  /** Google answered `createRequest.status: pending`: read the event again later. */
  | { state: "pending" }
  /** The provider refused to make one (e.g. Meet not allowed on the calendar). */
  | { state: "failed"; detail: string };

export interface CalendarProvider {
  readonly kind: CalendarProviderKind;
  listCalendars(): Promise<ProviderResult<{ calendars: RemoteCalendar[] }>>;
  readBusy(q: BusyQuery): Promise<ProviderResult<{ read: BusyRead }>>;
  /**
   * Creates the meeting's event, or updates it in place at `existing` (the id or URL an earlier
   * write returned). Idempotent: a retry after a lost answer leaves one event.
   */
  putEvent(
    calendarUrl: string,
    ev: MeetingEvent,
    existing: string | null,
  ): Promise<
    ProviderResult<{ remoteId: string; etag: string | null; conference?: ConferenceReadBack }>
  >;
  /** Deletes an event; one already gone counts as deleted. */
  deleteEvent(calendarUrl: string, remoteId: string): Promise<ProviderResult<{ existed: boolean }>>;
  /**
   * Where the event of `uid` is when no write was recorded: derived (CalDAV), looked up by the
   * UID (Google), or null when it cannot be found that way (Graph).
   */
  derivedEventId(calendarUrl: string, uid: string): Promise<ProviderResult<{ id: string | null }>>;
}

export const PROVIDER_NAMES: Record<CalendarProviderKind, string> = {
  caldav: "CalDAV",
  google: "Google Calendar",
  microsoft: "Microsoft 365",
};

/**
 * What a host reads on the dashboard (and in mail) for an error, in their language (`t`; English
 * when no reader is known, e.g. an error kept in the outbox's log). The provider's own detail is
 * quoted as it came. `retrying`: the work is retried by itself (a writeback job, the periodic
 * sync), so a passing network failure says so. `privateAllowed`: INVITO_ALLOW_PRIVATE_CALDAV is
 * set, so a CalDAV address that cannot be reached is not running or mistyped, never refused.
 */
export function describeCalendarError(
  e: { kind: CalendarErrorKind; detail: string },
  provider: CalendarProviderKind = "caldav",
  t: Translator = translator(null),
  opts: { retrying?: boolean; privateAllowed?: boolean } = {},
): string {
  const name = PROVIDER_NAMES[provider];
  // Invito's own words about a CalDAV answer in the reader's language; a server's as they came.
  const detail = detailIn(e.detail, t);
  if ((e.kind === "network" || e.kind === "forbidden_address") && detail === UNREACHABLE) {
    // CalDAV: the address is the host's input, and a refused address and a failed connection
    // read the same (safe-fetch.ts), so the text cannot scan ports — nor say "will retry", which
    // a refused address is not. Google and Microsoft are reached at the operator's configured
    // API address: nothing to check there, the connection failed (or was cut off) and is retried.
    // Once connected, the address worked: a sync or a write that cannot reach it is retried, and
    // the address advice would send the host the wrong way (one text still, whatever failed).
    if (provider === "caldav") {
      // INVITO_ALLOW_PRIVATE_CALDAV set: nothing was refused, so the setting is no advice.
      return opts.retrying
        ? t.t("cal.error_unreachable_retry")
        : opts.privateAllowed
        ? t.t("cal.error_unreachable_running")
        : t.t("cal.error_unreachable", { provider, name });
    }
    return opts.retrying
      ? t.t("cal.error_unreachable_oauth_retry", { name })
      : t.t("cal.error_unreachable_oauth", { name });
  }
  switch (e.kind) {
    case "auth":
      return provider === "caldav"
        ? t.t("cal.error_auth", { detail })
        : t.t("cal.error_auth_oauth", { name, detail });
    case "reconnect":
      return t.t("cal.error_reconnect", { detail });
    case "network":
      return provider === "caldav"
        ? t.t("cal.error_network", { detail })
        : opts.retrying
        ? t.t("cal.error_network_oauth_retry", { name, detail })
        : t.t("cal.error_network_oauth", { name, detail });
    case "parse":
      return provider === "caldav"
        ? t.t("cal.error_parse", { detail })
        : t.t("cal.error_parse_oauth", { name, detail });
    case "not_found":
      return t.t("cal.error_not_found", { provider, name, detail });
    case "not_caldav":
      return t.t("cal.error_not_caldav", { detail });
    case "forbidden_address":
      return t.t("cal.error_forbidden", { detail });
  }
}

/** The sentences `describeCalendarError` writes. */
const ERROR_KEYS = [
  "cal.error_unreachable",
  "cal.error_unreachable_running",
  "cal.error_unreachable_retry",
  "cal.error_unreachable_oauth",
  "cal.error_unreachable_oauth_retry",
  "cal.error_auth",
  "cal.error_auth_oauth",
  "cal.error_reconnect",
  "cal.error_network",
  "cal.error_network_oauth",
  "cal.error_network_oauth_retry",
  "cal.error_parse",
  "cal.error_parse_oauth",
  "cal.error_not_found",
  "cal.error_not_caldav",
  "cal.error_forbidden",
] as const;

const readError = readerOf(
  ERROR_KEYS,
  (v, t) => v.detail === undefined ? v : { ...v, detail: detailIn(v.detail, t) },
);

/**
 * Words Invito kept in English where no reader was known (an outbox job's log: a calendar
 * error as `describeCalendarError` wrote it, a server detail, a system reason), in `t`'s
 * language; a person's or a server's own words as they came.
 */
export function storedWordsIn(text: string, t: Translator): string {
  return readError(text, t) ?? detailIn(storedReasonText(text, t), t);
}
