/**
 * Why a start time is or is not offered: the slot engine's reasons (domain/slots.ts) and the
 * troubleshooter's view of a day (services/troubleshoot.ts). Plain data shared with the pages,
 * which hold the words for each reason.
 */
type Interval = { startMs: number; endMs: number };

/** Why a start is not offered. An offered start has none. */
export type Exclusion =
  /** The date is past the booking window (its last date is given). */
  | { kind: "beyond_window"; lastDate: string }
  /** "Not on the same day" and the date is today (host zone). */
  | { kind: "same_day" }
  | { kind: "past" }
  /** Later than now but sooner than the minimum notice allows. */
  | { kind: "min_notice"; earliestMs: number }
  | { kind: "time_off"; from: string; to: string; reason: string | null }
  /** A date override makes the whole date unavailable. */
  | { kind: "override_closed" }
  /** In no window of the date's hours (weekly hours, or the date override's). */
  | { kind: "outside_hours"; source: "weekly" | "override" }
  /** Starts inside a window, but the meeting would run past its end. */
  | { kind: "ends_after_hours"; windowEndMs: number; source: "weekly" | "override" }
  /** Inside a window, but not on the grid of starts (window start + whole steps). */
  | { kind: "off_interval"; windowStartMs: number; stepMin: number }
  | { kind: "cap_day"; day: string }
  | { kind: "cap_week"; week: string }
  /** A seated time's own start with every seat taken (a cancelled seat reopens one). */
  | { kind: "seats_full"; taken: number; capacity: number }
  /** The start with its buffers meets busy time: the intervals it meets, with their labels. */
  | { kind: "busy"; probe: Interval; with: (Interval & { label?: string })[] };

/** What a busy interval the engine names is, for the host. */
export type BusySource =
  | {
    kind: "booking";
    bookingId: string;
    title: string;
    guestName: string;
    status: "PENDING" | "CONFIRMED";
    startMs: number;
    endMs: number;
    /** The meeting plus its buffers: what it blocks. */
    blockStartMs: number;
    blockEndMs: number;
    /** A seated time's meeting (its id is the meeting's): its live seats and seats per time. */
    seats?: { taken: number; capacity: number | null };
  }
  | {
    kind: "calendar";
    calendarId: string;
    calendarName: string;
    startMs: number;
    endMs: number;
    /** Event titles read live from the calendar, when the host asked and the server answered. */
    titles: string[];
  }
  | {
    kind: "calendar_unknown";
    calendarId: string;
    calendarName: string;
    startMs: number;
    endMs: number;
    /** When it was last read successfully (null: never), and the last error. */
    syncedAtMs: number | null;
    error: string | null;
  };

export type TroubleshootStart = {
  startMs: number;
  offered: boolean;
  /** Every rule that applies, in the order to fix them; busy time comes with its sources. */
  reasons: Exclusion[];
  sources: BusySource[];
  /** A seated event type's start: its seats left of how many (offered while some are left). */
  seats?: { left: number; capacity: number };
};

export type Troubleshoot =
  | { ok: false; reason: "not_found" | "bad_date" }
  | {
    ok: true;
    eventType: { id: string; title: string; slug: string; secret: boolean };
    date: string;
    timeZone: string;
    durationMin: number;
    stepMin: number;
    bufferBeforeMin: number;
    bufferAfterMin: number;
    nowMs: number;
    dayStartMs: number;
    dayEndMs: number;
    source: "weekly" | "override";
    /** The date's hours, time off aside. */
    windows: { startMs: number; endMs: number }[];
    sources: BusySource[];
    starts: TroubleshootStart[];
    /**
     * A repeating event type's asked start: every date of its series and whether it is free
     * (a "series conflict" when one is not), and whether the host lets guests book the free
     * dates only. Null without an asked start or a series.
     */
    series: { freeOnly: boolean; dates: { startMs: number; free: boolean }[] } | null;
    /** Whether titles were asked for (and so read live from the calendars). */
    titles: boolean;
    /** The instants of 00:00, 03:00 … 21:00 on the date (host zone), for a timeline's scale. */
    hourMarks: number[];
  };
