/**
 * Shared by the reliability tests: reading a stopped server's KV file, the store invariants, the
 * booking state machine, the live-overlap check over time, the request log, and small HTTP
 * helpers (booking form posts, host sign-in by magic link, the slots a page offers).
 */
import { keys } from "../../src/lib/server/store/keys.ts";
import type {
  BookingRecord,
  BookingTokenRecord,
  BusyEntryRecord,
  CapEntryRecord,
  GuestHoldRecord,
  OutboxRecord,
} from "../../src/lib/server/domain/model/records.ts";
import { utcDaysTouched } from "../../src/lib/server/domain/booking.ts";
import type { AppHandle } from "../support/app.ts";
import type { SmtpHandle } from "../support/smtp.ts";
import { type Client, createClient } from "../support/http.ts";
import { finishMagicLink, verifyLinkIn } from "../support/auth.ts";
import { fullDay, slotsIn } from "../support/slots.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";

export type StoreEntry = { key: Deno.KvKey; value: unknown; versionstamp: string };

/** Every entry of a KV file. The server must be stopped (one process holds the file). */
export async function readStore(dbPath: string): Promise<StoreEntry[]> {
  const kv = await Deno.openKv(dbPath);
  try {
    const out: StoreEntry[] = [];
    for await (const e of kv.list({ prefix: [] })) {
      out.push({ key: e.key, value: e.value, versionstamp: e.versionstamp });
    }
    return out;
  } finally {
    kv.close();
  }
}

const first = (k: readonly unknown[]) => k[0] as string;
const P = {
  booking: first(keys.booking("x")),
  byHostStart: first(keys.bookingByHostStart("h", 0, "x")),
  token: first(keys.bookingToken("x")),
  pendingByExpiry: first(keys.bookingPendingByExpiry(0, "x")),
  busy: first(keys.busy("p", "d", 0, "x")),
  capEntry: first(keys.capEntry("e", "day", "d", "x")),
  guestHold: first(keys.guestHold("h", "e", "x")),
  outbox: first(keys.outbox(0, "x")),
  outboxByBooking: first(keys.outboxByBooking("b", "j")),
  outboxFailed: first(keys.outboxFailed("x")),
  lease: first(keys.lease("x")),
  teamBooking: first(keys.teamBooking("t", 0, "x")),
};

/**
 * Bookkeeping rather than state: leases, each cron tick's claim (the scheduler writes one a minute
 * whatever requests arrive), and the insights counters that page views, bookings and deliveries
 * add to by design (docs/decisions/023-insights.md). Diffs leave them out.
 */
export const BOOKKEEPING = [
  P.lease,
  first(keys.cronTick("x")),
  first(keys.insights("o", "ev", "d", "e", "m")),
  first(keys.insightsEpoch("o")),
  first(keys.insightsSince()),
  first(keys.insightsProblem("o", "c")),
  first(keys.insightsBackfill()),
  first(keys.commitReceipt("x")),
];
export const PREFIX = P;

export const entriesOf = (store: StoreEntry[], prefix: string) =>
  store.filter((e) => e.key[0] === prefix);
export const bookingsOf = (store: StoreEntry[]) =>
  entriesOf(store, P.booking).map((e) => e.value as BookingRecord);

/** Stable text for a key (for diffs and maps). */
export function keyText(key: Deno.KvKey): string {
  return JSON.stringify(
    key,
    (_k, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? [...v] : v),
  );
}

/** Keys added, removed or changed between two reads of a store, leaving out `ignore` prefixes. */
export function diffStores(
  before: StoreEntry[],
  after: StoreEntry[],
  ignore: string[] = BOOKKEEPING,
) {
  const map = (s: StoreEntry[]) =>
    new Map(
      s.filter((e) => !ignore.includes(e.key[0] as string)).map((
        e,
      ) => [keyText(e.key), e.versionstamp]),
    );
  const a = map(before);
  const b = map(after);
  const added = [...b.keys()].filter((k) => !a.has(k));
  const removed = [...a.keys()].filter((k) => !b.has(k));
  const changed = [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k));
  return { added, removed, changed, all: [...added, ...removed, ...changed] };
}

// --- the booking state machine ----------------------------------------------------------------

const END_REASONS = new Set([
  "rejected",
  "expired",
  "cancelled_by_guest",
  "cancelled_by_host",
  "rescheduled",
]);

/** Whether a booking's history is a walk the state machine allows, consistent with its fields. */
export function historyProblems(b: BookingRecord, ttlMs: number): string[] {
  const p: string[] = [];
  const h = b.history;
  const id = b.id;
  if (h.length === 0) return [`${id}: empty history`];
  if (h[0].status !== "PENDING" && h[0].status !== "CONFIRMED") {
    p.push(`${id}: starts as ${h[0].status}`);
  }
  if (h[0].atMs !== b.createdAtMs) p.push(`${id}: first history entry is not the creation`);
  for (let i = 1; i < h.length; i++) {
    const from = h[i - 1].status;
    const to = h[i].status;
    const ok =
      (from === "PENDING" && (to === "CONFIRMED" || to === "REJECTED" || to === "CANCELLED")) ||
      (from === "CONFIRMED" && to === "CANCELLED");
    if (!ok) p.push(`${id}: ${from} → ${to} is not a transition`);
    if (h[i].atMs < h[i - 1].atMs) p.push(`${id}: history goes back in time`);
    if (
      from === "PENDING" && (to === "CONFIRMED" || to === "REJECTED") &&
      h[i].atMs >= b.createdAtMs + ttlMs
    ) {
      p.push(`${id}: ${to} at ${h[i].atMs} after the hold ended at ${b.createdAtMs + ttlMs}`);
    }
    if (
      from === "PENDING" && to === "CANCELLED" && h[i].by === "system" &&
      h[i].atMs < b.createdAtMs + ttlMs
    ) {
      p.push(`${id}: expired before its hold ended`);
    }
  }
  const last = h[h.length - 1];
  if (last.status !== b.status) {
    p.push(`${id}: status ${b.status} but history ends with ${last.status}`);
  }
  if (b.status === "PENDING" || b.status === "CONFIRMED") {
    if (b.endReason !== null) p.push(`${id}: live with endReason ${b.endReason}`);
  } else if (!b.endReason || !END_REASONS.has(b.endReason)) {
    p.push(`${id}: ${b.status} with endReason ${b.endReason}`);
  }
  if (b.status === "REJECTED" && b.endReason !== "rejected") {
    p.push(`${id}: REJECTED with endReason ${b.endReason}`);
  }
  if (b.endReason === "expired" && last.by !== "system") p.push(`${id}: expired by ${last.by}`);
  if (b.endReason === "cancelled_by_host" && last.by !== "host") {
    p.push(`${id}: cancelled_by_host by ${last.by}`);
  }
  if (b.endReason === "cancelled_by_guest" && last.by !== "guest") {
    p.push(`${id}: cancelled_by_guest by ${last.by}`);
  }
  if (b.status === "PENDING" && b.reservedUntilMs !== b.createdAtMs + ttlMs) {
    p.push(`${id}: PENDING hold is not createdAt + TTL`);
  }
  if (b.status !== "PENDING" && b.reservedUntilMs !== null) {
    p.push(`${id}: decided but still reserved`);
  }
  return p;
}

/**
 * When a booking stopped holding its time (Infinity: still does): a decision, a cancellation, or
 * the end of an unanswered hold (which frees the time at that instant, before the expiry job).
 */
export function liveUntil(
  b: BookingRecord,
  ttlMs: number,
): { atMs: number; by: "expiry" | "action" | "never" } {
  let confirmed = false;
  for (const step of b.history.slice(1)) {
    if (step.status === "CONFIRMED") {
      confirmed = true;
      continue;
    }
    if (!confirmed && step.by === "system") return { atMs: b.createdAtMs + ttlMs, by: "expiry" };
    return { atMs: step.atMs, by: "action" };
  }
  if (b.history[0].status === "CONFIRMED" || confirmed) return { atMs: Infinity, by: "never" };
  return { atMs: b.createdAtMs + ttlMs, by: "expiry" };
}

// --- the store invariants ---------------------------------------------------------------------

/**
 * Invariants that hold after any crash: every booking is whole (its indexes, tokens, ledger
 * entries and expiry index are there) and nothing points at what is not. `nowMs` decides which
 * pending holds still count as live.
 */
export function storeProblems(
  store: StoreEntry[],
  opts: { nowMs: number; ttlMs: number },
): string[] {
  const p: string[] = [];
  const bookings = new Map(bookingsOf(store).map((b) => [b.id, b]));
  const byHostStart = new Set(entriesOf(store, P.byHostStart).map((e) => keyText(e.key)));
  for (const e of entriesOf(store, P.byHostStart)) {
    const b = bookings.get(e.value as string);
    if (!b) p.push(`index ${keyText(e.key)} points to no booking`);
    else if (
      // A multi-person booking is listed for each of its people (a collective team booking).
      !(b.personIds ?? [b.hostId]).concat(b.hostId).some((p) =>
        keyText(keys.bookingByHostStart(p, b.startMs, b.id)) === keyText(e.key)
      )
    ) {
      p.push(`index ${keyText(e.key)} does not match booking ${b.id}`);
    }
  }
  // A team's booking list: every entry names a booking of that team at that start, and every
  // team booking is in it.
  const teamListed = new Set<string>();
  for (const e of entriesOf(store, P.teamBooking)) {
    const b = bookings.get(e.value as string);
    if (!b) p.push(`team index ${keyText(e.key)} points to no booking`);
    else if (keyText(keys.teamBooking(b.teamId ?? "-", b.startMs, b.id)) !== keyText(e.key)) {
      p.push(`team index ${keyText(e.key)} does not match booking ${b.id}`);
    } else teamListed.add(b.id);
  }
  for (const b of bookings.values()) {
    if (b.teamId && !teamListed.has(b.id)) p.push(`team booking ${b.id} is not in its team's list`);
  }
  // Tokens of bookings made before ADR 054 (none are written now) still point to a booking.
  for (const e of entriesOf(store, P.token)) {
    const t = e.value as BookingTokenRecord;
    if (!bookings.has(t.bookingId)) p.push(`token ${keyText(e.key)} points to no booking`);
  }
  const expiry = new Map<string, number>();
  for (const e of entriesOf(store, P.pendingByExpiry)) {
    const id = e.value as string;
    const b = bookings.get(id);
    if (!b) p.push(`expiry index ${keyText(e.key)} points to no booking`);
    else if (b.status !== "PENDING" || b.reservedUntilMs !== e.key[1]) {
      p.push(
        `expiry index ${
          keyText(e.key)
        } for ${b.status} booking ${id} (reserved until ${b.reservedUntilMs})`,
      );
    }
    expiry.set(id, e.key[1] as number);
  }
  // Busy entries: each is a booking's exact block on a day it touches, held as the booking is;
  // live bookings are on every day they touch, for every person whose time they block.
  const onLedger = new Map<string, string[]>();
  for (const e of entriesOf(store, P.busy)) {
    const [, personId, day] = e.key as [string, string, string];
    const x = e.value as BusyEntryRecord;
    const b = bookings.get(x.bookingId);
    if (!b) {
      p.push(`busy ${day} of ${personId} holds unknown booking ${x.bookingId}`);
      continue;
    }
    if (!(b.personIds ?? [b.hostId]).includes(personId)) {
      p.push(`busy time of ${personId} holds ${b.id}, which is not theirs`);
    }
    if (x.startMs !== b.blockStartMs || x.endMs !== b.blockEndMs) {
      p.push(`busy entry of ${b.id} is not its block`);
    }
    if (!utcDaysTouched(b.blockStartMs, b.blockEndMs).includes(day)) {
      p.push(`busy ${day} holds ${b.id}, which does not touch it`);
    }
    if (b.status === "CONFIRMED" && x.holdUntilMs !== null) {
      p.push(`CONFIRMED ${b.id} is a hold in busy time`);
    } else if (b.status === "PENDING" && x.holdUntilMs !== b.reservedUntilMs) {
      p.push(`PENDING ${b.id} holds busy time until ${x.holdUntilMs}`);
    } else if (b.status !== "CONFIRMED" && b.status !== "PENDING") {
      p.push(`${b.status} ${b.id} is still in the busy time of ${day}`);
    }
    onLedger.set(`${personId} ${b.id}`, [...(onLedger.get(`${personId} ${b.id}`) ?? []), day]);
  }
  for (const e of entriesOf(store, P.capEntry)) {
    const x = e.value as CapEntryRecord;
    const b = bookings.get(x.bookingId);
    if (!b) p.push(`cap entry ${keyText(e.key)} holds unknown booking ${x.bookingId}`);
    else if (b.status !== "PENDING" && b.status !== "CONFIRMED") {
      p.push(`${b.status} ${b.id} still counts against a cap`);
    } else if (x.holdUntilMs !== (b.status === "PENDING" ? b.reservedUntilMs : null)) {
      p.push(`cap entry of ${b.id} does not hold as the booking does`);
    }
  }
  for (const e of entriesOf(store, P.guestHold)) {
    const x = e.value as GuestHoldRecord;
    const b = bookings.get(x.bookingId);
    if (!b || b.status !== "PENDING" || b.reservedUntilMs !== x.untilMs) {
      p.push(`guest hold ${keyText(e.key)} is not a pending booking's`);
    }
  }
  for (const b of bookings.values()) {
    if (!byHostStart.has(keyText(keys.bookingByHostStart(b.hostId, b.startMs, b.id)))) {
      p.push(`booking ${b.id} has no host/start index`);
    }
    // Its links prove themselves against its salt (ADR 054): without one, no link opens it.
    if (!b.tokenSalt) p.push(`booking ${b.id} has no token salt`);
    if (b.status === "PENDING" && expiry.get(b.id) !== b.reservedUntilMs) {
      p.push(`PENDING ${b.id} has no expiry index`);
    }
    const live = b.status === "CONFIRMED" ||
      (b.status === "PENDING" && (b.reservedUntilMs ?? 0) > opts.nowMs);
    if (live) {
      for (const person of b.personIds ?? [b.hostId]) {
        const days = onLedger.get(`${person} ${b.id}`) ?? [];
        for (const d of utcDaysTouched(b.blockStartMs, b.blockEndMs)) {
          if (!days.includes(d)) {
            p.push(`live ${b.status} ${b.id} is missing from the busy time of ${person} on ${d}`);
          }
        }
      }
    }
    p.push(...historyProblems(b, opts.ttlMs));
    if (b.rescheduledToId && !bookings.has(b.rescheduledToId)) {
      p.push(`${b.id} was moved to missing ${b.rescheduledToId}`);
    }
    if (b.rescheduledFromId && bookings.get(b.rescheduledFromId)?.rescheduledToId !== b.id) {
      p.push(`${b.id} claims to replace ${b.rescheduledFromId}, which does not name it`);
    }
    if (b.endReason === "rescheduled" && !b.rescheduledToId) {
      p.push(`${b.id} rescheduled to nothing`);
    }
  }
  // Outbox: pointers and jobs agree.
  const jobs = new Map(entriesOf(store, P.outbox).map((e) => [(e.value as OutboxRecord).id, e]));
  const failed = new Map(
    entriesOf(store, P.outboxFailed).map((e) => [(e.value as OutboxRecord).id, e]),
  );
  const pointed = new Set<string>();
  for (const e of entriesOf(store, P.outboxByBooking)) {
    const jobId = e.key[2] as string;
    pointed.add(jobId);
    const due = e.value as number;
    if (due === -1 ? !failed.has(jobId) : jobs.get(jobId)?.key[1] !== due) {
      p.push(`outbox pointer ${keyText(e.key)} points to nothing`);
    }
  }
  for (const [id, e] of jobs) {
    const job = e.value as OutboxRecord;
    if (job.dueMs !== e.key[1]) p.push(`outbox job ${id} is filed under the wrong due time`);
    const pl = job.payload as { kind: string; bookingId?: string };
    if ((pl.kind === "booking_mail" || pl.kind === "writeback") && !pointed.has(id)) {
      p.push(`outbox job ${id} has no booking pointer`);
    }
    if (pl.bookingId && !bookings.has(pl.bookingId)) {
      p.push(`outbox job ${id} is for missing booking ${pl.bookingId}`);
    }
  }
  return p;
}

/**
 * No two bookings of a host held overlapping time at the same moment. For each overlapping pair
 * (by blocked interval, buffers included), the later one may exist only if the earlier one had
 * stopped holding its time: by the end of an unanswered hold (exact: the later booking's
 * decision instant is at or after it), or by an action whose request the client sent before it
 * received the later booking's success (`actionSentMs` / `bookedReceivedMs` from the request log).
 */
export function overlapProblems(
  bookings: BookingRecord[],
  ttlMs: number,
  log: {
    actionSentMs(bookingId: string): number | null;
    bookedReceivedMs(bookingId: string): number | null;
  },
): string[] {
  const p: string[] = [];
  const byHost = new Map<string, BookingRecord[]>();
  for (const b of bookings) byHost.set(b.hostId, [...(byHost.get(b.hostId) ?? []), b]);
  for (const list of byHost.values()) {
    list.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i];
        const b = list[j];
        if (!(a.blockStartMs < b.blockEndMs && b.blockStartMs < a.blockEndMs)) continue;
        if (b.rescheduledFromId === a.id) continue; // one atomic write frees the old time and takes the new
        const end = liveUntil(a, ttlMs);
        if (end.by === "never") {
          p.push(`${b.id} overlaps ${a.id}, which still holds its time`);
        } else if (end.by === "expiry") {
          if (b.createdAtMs < end.atMs) {
            p.push(
              `${b.id} (at ${b.createdAtMs}) overlaps ${a.id}, whose hold ran until ${end.atMs}`,
            );
          }
        } else {
          const sent = log.actionSentMs(a.id);
          const received = log.bookedReceivedMs(b.id);
          if (sent === null) p.push(`${a.id} stopped at ${end.atMs} without a logged request`);
          else if (received !== null && received < sent) {
            p.push(
              `${b.id} was booked (answer at ${received}) before the request freeing ${a.id} was sent (${sent})`,
            );
          }
        }
      }
    }
  }
  return p;
}

// --- the request log --------------------------------------------------------------------------

export type LoggedRequest = {
  n: number;
  op: string;
  method: string;
  path: string;
  form: Record<string, string>;
  /** the booking this request acts on, when known before sending */
  bookingId?: string;
  sentMs: number;
  receivedMs: number | null;
  status: number | null;
  location: string | null;
  /** the network error, when no answer came */
  error?: string;
  /** for an answer of 400 and above other than 409, the start of the page's visible text */
  answer?: string;
  /** for a 409, the refusal the page showed (e.g. "just taken"); otherwise what the test noted */
  note?: string;
};

/** How long a logged request may wait for its answer (far above any answer of a healthy run). */
const REQUEST_TIMEOUT_MS = 120_000;

export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  async send(
    op: string,
    base: string,
    path: string,
    opts: {
      form?: Record<string, string>;
      method?: string;
      client?: Client;
      bookingId?: string;
      note?: string;
    } = {},
  ): Promise<LoggedRequest> {
    const method = opts.method ?? (opts.form ? "POST" : "GET");
    const entry: LoggedRequest = {
      n: this.entries.length,
      op,
      method,
      path,
      form: opts.form ?? {},
      bookingId: opts.bookingId,
      note: opts.note,
      sentMs: Date.now(),
      receivedMs: null,
      status: null,
      location: null,
    };
    this.entries.push(entry);
    try {
      if (opts.client) {
        const r = method === "POST"
          ? await opts.client.post(path, opts.form ?? {})
          : await opts.client.get(path);
        entry.status = r.status;
        entry.location = r.location;
      } else {
        const res = await fetch(base + path, {
          method,
          headers: method === "POST"
            ? {
              origin: base,
              accept: "text/html",
              "content-type": "application/x-www-form-urlencoded",
            }
            : { accept: "text/html" },
          body: method === "POST" ? new URLSearchParams(opts.form ?? {}) : undefined,
          redirect: "manual",
          // A request with no answer is an unknown outcome (entry.error), not a run that never
          // ends: the checks afterwards treat it like a lost answer.
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await res.text();
        if (res.status === 409) {
          // Which refusal the page showed, for reading a failing run's log.
          entry.note ??=
            /(already confirmed|already rejected|was cancelled|no longer open|expired|just taken|not available|several requests|can no longer be (?:changed|cancelled|moved)|moved to a new time)/
              .exec(text)?.[1] ?? "?";
        } else if (res.status >= 400) {
          // An answer no check expects: keep the start of its text for reading the log.
          entry.answer = text.replace(
            /<head[^]*?<\/head>|<script[^]*?<\/script>|<style[^]*?<\/style>/g,
            "",
          )
            .replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 400);
        }
        entry.status = res.status;
        entry.location = res.headers.get("location");
      }
    } catch (e) {
      entry.error = e instanceof Error ? e.message : String(e);
    }
    entry.receivedMs = Date.now();
    return entry;
  }

  /** Writes the log as JSON lines, for a failing test to point at. */
  async dump(path: string): Promise<string> {
    await Deno.writeTextFile(path, this.entries.map((e) => JSON.stringify(e)).join("\n") + "\n");
    return path;
  }
}

// --- HTTP helpers -----------------------------------------------------------------------------

/**
 * The slot starts (ISO instants, UTC page) the page offers on `date`; without a date, on the first
 * date from tomorrow on with at least `min` times (default 8). Not "the page's first day": late in
 * the host's afternoon that is today with a time or two left (whose first may pass its notice
 * before the test books it), on a Friday evening the next Monday, at a month's end its last day.
 * A test that books and reads again should pass the date it got (see `demoDay`), so that both
 * reads are of the same day.
 */
export async function pageSlots(
  base: string,
  user: string,
  slug: string,
  date?: string,
  min?: number,
): Promise<string[]> {
  if (!date) return (await fullDay(base, `/calendar/${user}/${slug}`, { min })).slots;
  const html = await (await fetch(`${base}/calendar/${user}/${slug}?tz=UTC&date=${date}`)).text();
  return slotsIn(html);
}

/** The first date (UTC) from tomorrow on with at least `min` times, and its slots. */
export async function demoDay(
  base: string,
  user: string,
  slug: string,
  min?: number,
): Promise<{ date: string; slots: string[] }> {
  return await fullDay(base, `/calendar/${user}/${slug}`, { min });
}

/**
 * Slots of the `days` calendar days (UTC) from tomorrow on, in order. Not from today: today's
 * first time can pass while the test is busy booking others.
 */
export async function slotsAhead(
  base: string,
  user: string,
  slug: string,
  days: number,
): Promise<string[]> {
  const out: string[] = [];
  const tomorrow = Temporal.Now.plainDateISO("UTC").add({ days: 1 });
  for (let d = 0; d < days; d++) {
    out.push(...await pageSlots(base, user, slug, tomorrow.add({ days: d }).toString()));
  }
  return [...new Set(out)];
}

/** A signed-in client for `email`, by the magic link (read from SMTP, or from the log without SMTP). */
export async function signIn(app: AppHandle, email: string, smtp?: SmtpHandle): Promise<Client> {
  const c = createClient(app.baseUrl);
  const since = app.logs().length;
  const sentAt = smtp?.mails.length ?? 0;
  const res = await c.post("/signin?/email", { providerId: "email", email });
  if (res.status !== 303 && res.status !== 302) {
    throw new Error(`sign-in request answered ${res.status}`);
  }
  const text = smtp
    ? (await smtp.waitForMail((m) =>
      smtp.mails.indexOf(m) >= sentAt && m.to.includes(email.toLowerCase()) &&
      m.text.includes("/signin/verify?")
    )).text
    : (await app.waitForLog(/https?:\/\/\S+\/signin\/verify\?\S+/, { since }))[0];
  const done = await finishMagicLink(c, verifyLinkIn(text));
  if (!c.cookie("authjs.session-token")) {
    throw new Error(`sign-in did not give a session (${done.status} ${done.location})`);
  }
  return c;
}

/** The booking id in a booking mail's Message-ID (`<ID.kind@host>`) and the kind. */
export function mailRef(messageId: string): { bookingId: string; kind: string } | null {
  const m = /^<?([0-9A-HJKMNP-TV-Z]{26})\.([a-z_]+)@/i.exec(messageId);
  return m ? { bookingId: m[1], kind: m[2] } : null;
}

/**
 * One request of the demo host's mixed traffic in the crash tests, request `i` with the
 * worker's random source `r`: 70 % a guest booking one of `space`'s slots of the two event types,
 * 20 % the host confirming a request mailed so far (its link as mailed), 10 % a page view.
 */
export async function demoTrafficStep(
  log: RequestLog,
  base: string,
  space: Record<string, string[]>,
  mails: readonly { messageId: string; text: string }[],
  r: () => number,
  i: number,
): Promise<void> {
  const roll = r();
  if (roll < 0.7) {
    const slug = roll < 0.35 ? "intro-call" : "quick-chat";
    const slots = space[slug];
    await log.send("book", base, `/calendar/demo/${slug}?/book`, {
      form: {
        name: `Guest ${i}`,
        email: `k${i}@example.test`,
        note: "",
        start: slots[Math.floor(r() * slots.length)],
        tz: "UTC",
      },
    });
  } else if (roll < 0.9) {
    const requests = mails.filter((m) => mailRef(m.messageId)?.kind === "host_request");
    const m = requests[Math.floor(r() * requests.length)];
    const link = m && /https?:\/\/\S+\/confirm\b/.exec(m.text)?.[0];
    if (link) await log.send("confirm", base, new URL(link).pathname, { form: {} });
  } else {
    await log.send("view", base, `/calendar/demo/quick-chat?tz=UTC`);
  }
}

/**
 * The booking mails a booking's history implies (the kinds every transition queues in the same
 * write), as Message-IDs. Reminders and calendar writes are not mails and are left out.
 */
export function impliedMails(b: BookingRecord, host: string): string[] {
  const kinds: string[] = [];
  const h = b.history;
  if (h[0].status === "PENDING") kinds.push("host_request", "guest_pending");
  else kinds.push("guest_confirmed", "host_booked");
  // A calendar may hold the meeting once it (or a booking it replaced) was confirmed; its end
  // then reaches the host too, with the CANCEL for their calendar.
  const inCalendars = b.calendarIssued === true || h.some((x) => x.status === "CONFIRMED");
  for (let i = 1; i < h.length; i++) {
    const step = h[i];
    if (step.status === "CONFIRMED") kinds.push("guest_confirmed", "host_confirmed_copy");
    else if (step.status === "REJECTED" || step.status === "CANCELLED") {
      if (b.endReason === "rescheduled") continue; // the successor's mails tell both sides
      if (step.status === "REJECTED") kinds.push("guest_rejected");
      else if (b.endReason === "expired") kinds.push("guest_expired");
      else kinds.push("guest_cancelled");
      if (b.endReason === "cancelled_by_guest" || inCalendars) kinds.push("host_cancelled");
      else if (b.endReason === "expired") kinds.push("host_expired");
    }
  }
  return kinds.map((k) => `<${b.id}.${k}@${host}>`);
}
