/**
 * A host's data as a whole: every booking of theirs in pages (for the export), and the guarded
 * rewrite that erases one guest's personal data from their bookings.
 */
import { keys, type PersonId, type UserId } from "./keys.ts";
import type { BookingRecord, UsernameReleasedRecord, UserRecord } from "../domain/model/records.ts";
import type { RoutedFrom } from "../domain/model/routing-records.ts";
import type { SeatLedgerRecord } from "../domain/model/engine-records.ts";
import { ERASED_GUEST_TAG } from "../domain/seats.ts";
import { USERNAME_HOLD_MS } from "../domain/username.ts";
import { enqueue, newOutboxRecord } from "./outbox.ts";
import { settingsChanged } from "./settings-cache.ts";
import { dropGuestHolds, getBookings } from "./bookings.ts";
import { bumpSettings } from "./revisions.ts";
import { commitWithReceipt } from "./kv.ts";

/** All of a host's bookings by start time, `size` at a time (memory stays bounded). */
export async function* hostBookingPages(
  kv: Deno.Kv,
  hostId: UserId,
  size = 100,
): AsyncGenerator<BookingRecord[]> {
  let ids: string[] = [];
  const page = async () => {
    const out = await getBookings(kv, ids);
    ids = [];
    return out;
  };
  for await (const e of kv.list<string>({ prefix: keys.bookingByHostStartPrefix(hostId) })) {
    ids.push(e.value);
    if (ids.length >= size) yield await page();
  }
  if (ids.length) yield await page();
}

/** What an erased guest is called wherever a record keeps their place (a booking, a link's use). */
export const ERASED_GUEST_NAME = "Erased guest";

/** What stays of a booking once its guest is erased: times and state, no person. */
export function erasedBooking(b: BookingRecord, nowMs: number): BookingRecord {
  // The tag of the browser the guest booked from goes too: it tells that browser's later posts
  // apart, and nothing of the guest's stays to tell apart (domain/repeat-post.ts).
  // Who of a poll's invitees declined names them too (the guest among them).
  const { additionalGuestReaders: _readers, bookerTag: _browser, declined: _declined, ...rest } = b;
  return {
    ...rest,
    guestName: ERASED_GUEST_NAME,
    guestEmail: "",
    guestNote: "",
    answers: [],
    // The people the guest invited along are theirs to have named (and how they read).
    additionalGuests: [],
    // Words of the guest's own cancellation are theirs too.
    ...(b.endReason === "cancelled_by_guest" ? { cancelReason: null } : {}),
    guestErasedAtMs: nowMs,
  };
}

const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** An address where it stands alone: "bo@x.test" is not found inside "jimbo@x.test". */
const addressIn = (email: string, flags: string) =>
  new RegExp(
    `(?<![\\p{L}\\p{N}._%+-])${escaped(email)}(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}])`,
    `${flags}iu`,
  );

/** Whether `text` names the address `email` (any case). */
export function namesAddress(text: string, email: string): boolean {
  return addressIn(email.trim(), "").test(text);
}

/**
 * `text` without the address `email`: the address — with the name before it where a list names
 * people as a poll's meeting note does ("Sync: Al <al@x>, Bo <bo@x>") — becomes ERASED_GUEST_NAME.
 */
export function withoutAddress(text: string, email: string): string {
  const address = addressIn(email.trim(), "g").source;
  return text
    .replace(
      new RegExp(`(^|[,:;\\n]\\s*)[^,:;\\n<>]*<${address}>`, "giu"),
      `$1${ERASED_GUEST_NAME}`,
    )
    .replace(new RegExp(address, "giu"), ERASED_GUEST_NAME);
}

/**
 * Another guest's booking without `email` (lower case), who was one of the people it invited (a
 * guest's guests, a poll's other invitees) or is named in its words (note, answers, a reason):
 * the meeting and its own guest stay as they are.
 */
export function withoutGuest(b: BookingRecord, email: string): BookingRecord {
  return {
    ...b,
    ...(b.additionalGuests
      ? { additionalGuests: b.additionalGuests.filter((g) => g.toLowerCase() !== email) }
      : {}),
    ...(b.additionalGuestNames
      ? {
        additionalGuestNames: Object.fromEntries(
          Object.entries(b.additionalGuestNames).filter(([g]) => g.toLowerCase() !== email),
        ),
      }
      : {}),
    // How they read their mails is theirs too: it goes with their address.
    ...(b.additionalGuestReaders
      ? {
        additionalGuestReaders: Object.fromEntries(
          Object.entries(b.additionalGuestReaders).filter(([g]) => g.toLowerCase() !== email),
        ),
      }
      : {}),
    // A declined invitee's entry (name, address, reading) goes with their address.
    ...(b.declined ? { declined: b.declined.filter((d) => d.email.toLowerCase() !== email) } : {}),
    guestNote: withoutAddress(b.guestNote, email),
    ...(b.answers
      ? { answers: b.answers.map((a) => ({ ...a, value: withoutAddress(a.value, email) })) }
      : {}),
    ...(b.cancelReason ? { cancelReason: withoutAddress(b.cancelReason, email) } : {}),
  };
}

/** Whether a booking of another guest names `email` (lower case) anywhere `withoutGuest` looks. */
const namesGuest = (b: BookingRecord, email: string) =>
  JSON.stringify(withoutGuest(b, email)) !== JSON.stringify(b);

export type EraseResult = {
  bookings: number;
  retried: number;
  /**
   * The bookings that named the guest, with the form response each followed if any (what else
   * was theirs hangs on these: routing responses).
   */
  booked: {
    id: string;
    routing?: RoutedFrom;
    seated?: { eventTypeId: BookingRecord["eventTypeId"]; startMs: number };
  }[];
  /**
   * Every booking rewritten — the guest's own and those of others that named them — as it was
   * read before: what was sent or kept about it (an API answer, the webhook messages its
   * people heard) is found by these.
   */
  touched: { id: string; startMs: number; guestEmail: string; personIds: PersonId[] }[];
};

/**
 * Erases `email`'s name, address, note and answers from every booking of `hostId`, and the
 * address (with the name a list gave it) from every other booking of theirs that named it: an
 * invitee of another guest, of a poll's meeting. Each booking is rewritten with a check of the
 * version read (a concurrent change — a cancellation, a confirmation — is re-read, never
 * overwritten); a booking already in the host's calendar gets a calendar update queued in the
 * same write, so the event there loses the guest's details too.
 */
export async function eraseGuestFromBookings(
  kv: Deno.Kv,
  hostId: UserId,
  email: string,
  nowMs: number,
): Promise<EraseResult> {
  const target = email.trim().toLowerCase();
  const booked: EraseResult["booked"] = [];
  const named: string[] = [];
  const result: EraseResult = { bookings: 0, retried: 0, booked, touched: [] };
  for await (const page of hostBookingPages(kv, hostId)) {
    for (const b of page) {
      if (b.guestEmail.toLowerCase() === target) {
        const seated = b.seat ? { eventTypeId: b.eventTypeId, startMs: b.startMs } : undefined;
        booked.push({ id: b.id, routing: b.routing, seated });
      } else if (namesGuest(b, target)) named.push(b.id);
    }
  }
  const seatOf = new Map(booked.map((b) => [b.id, b.seated]));
  for (const id of [...booked.map((b) => b.id), ...named]) {
    const seated = seatOf.get(id);
    for (let attempt = 0; attempt < 8; attempt++) {
      const read: Deno.KvKey[] = [keys.booking(id), keys.bookingWriteback(id)];
      // A seat's guest is tagged in its meeting's ledger (a hash of the address, domain/seats.ts).
      if (seated) read.push(keys.seatLedger(seated.eventTypeId, seated.startMs));
      const [entry, written, ledger] = (await kv.getMany(read)) as [
        Deno.KvEntryMaybe<BookingRecord>,
        Deno.KvEntryMaybe<unknown>,
        Deno.KvEntryMaybe<SeatLedgerRecord> | undefined,
      ];
      const b = entry.value;
      if (!b || b.hostId !== hostId) break;
      const own = b.guestEmail.toLowerCase() === target;
      if (!own && !namesGuest(b, target)) break;
      const op = kv.atomic().check(entry).check(written).set(
        keys.booking(id),
        own ? erasedBooking(b, nowMs) : withoutGuest(b, target),
      );
      if (own && ledger?.value?.seats.some(([seat]) => seat === id)) {
        op.check(ledger).set(
          ledger.key,
          {
            ...ledger.value,
            seats: ledger.value.seats.map((t) => t[0] === id ? [t[0], ERASED_GUEST_TAG, t[2]] : t),
          } satisfies SeatLedgerRecord,
        );
      }
      if (written.value) {
        enqueue(op, newOutboxRecord({ kind: "writeback", op: "put", bookingId: id }, nowMs));
      }
      if ((await op.commit()).ok) {
        if (own) result.bookings++;
        result.touched.push({
          id,
          startMs: b.startMs,
          guestEmail: b.guestEmail,
          personIds: b.personIds ?? [b.hostId],
        });
        break;
      }
      result.retried++;
    }
  }
  // The guest's pending-request entries are keyed by the address itself.
  await dropGuestHolds(kv, hostId, target);
  return result;
}

/** An account just closed, with the sign-in identities its close unlinked. */
export type ClosedAccount = {
  user: UserRecord;
  identities: { provider: string; providerAccountId: string }[];
};

/**
 * Closes an account in one checked write: the booking page and the e-mail address no longer lead
 * to this user (a new sign-in with the address makes a new account), the username is held for
 * 90 days so nobody else answers its old links, and the record is marked closed (which ends
 * every credential: each resolves its person through `getActiveUser`). Then every session and
 * linked sign-in is removed; `identities` are the links this removed (for the audit log). The
 * record itself stays until the purge, because the mails that tell guests of their cancelled
 * meetings name the host.
 */
export async function closeAccountRecord(
  kv: Deno.Kv,
  userId: UserId,
  nowMs: number,
): Promise<ClosedAccount | null> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const cur = await kv.get<UserRecord>(keys.user(userId));
    if (!cur.value || cur.value.closedAtMs) return null;
    const closed: UserRecord = { ...cur.value, closedAtMs: nowMs };
    // The name is held like a renamed one (ADR 011): old links must not reach someone else.
    const hold: UsernameReleasedRecord = { v: 1, userId, untilMs: nowMs + USERNAME_HOLD_MS };
    // A lost answer is not a lost race (ADR 038): the receipt says whether this write landed,
    // so a close whose answer was lost goes on to end the sessions and sign-ins.
    const res = await commitWithReceipt(
      kv,
      kv.atomic().check(cur)
        .set(keys.user(userId), closed)
        .delete(keys.userByUsername(cur.value.username))
        .set(keys.usernameReleased(cur.value.username), hold, { expireIn: USERNAME_HOLD_MS })
        .delete(keys.userByEmail(cur.value.email))
        .set(keys.closedAccount(userId), nowMs)
        .set(keys.settingsRev(userId), { v: 1 })
        .set(keys.accountsClosedRev(), { v: 1 }),
    );
    if (!res.ok) continue;
    settingsChanged(kv);
    await deletePrefixPairs(
      kv,
      keys.sessionByUserPrefix(userId),
      (k) => keys.session(k[2] as string),
    );
    const unlinked = await deletePrefixPairs(
      kv,
      keys.accountByUserPrefix(userId),
      (k) => keys.account(k[2] as string, k[3] as string),
    );
    const identities = unlinked.map((k) => ({
      provider: String(k[2]),
      providerAccountId: String(k[3]),
    }));
    return { user: closed, identities };
  }
  throw new Error("closeAccountRecord: too much contention");
}

/**
 * Suspends (`atMs`) or reactivates (null, at `nowMs`) an account in one checked write. Setting
 * `suspendedAtMs` ends every credential at once, as closing does (each resolves its person
 * through `getActiveUser`); the sessions are then deleted so a reactivation does not revive them.
 * The username, address and bookings stay. A reactivation queues, in its own write, the job that
 * sends the webhook deliveries held meanwhile (`webhook_release`), so none waits for a
 * reactivation that already happened. null when there is no such open account, or it is
 * already in the asked state ("unchanged").
 */
export async function setSuspended(
  kv: Deno.Kv,
  userId: UserId,
  atMs: number | null,
  nowMs: number,
): Promise<UserRecord | null | "unchanged"> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const cur = await kv.get<UserRecord>(keys.user(userId));
    if (!cur.value || cur.value.closedAtMs) return null;
    if ((cur.value.suspendedAtMs !== undefined) === (atMs !== null)) return "unchanged";
    const { suspendedAtMs: was, ...rest } = cur.value;
    const next: UserRecord = atMs === null ? rest : { ...rest, suspendedAtMs: atMs };
    // The revision rides in the same write: every process keeps pages and settings by it
    // (ADR 039, 049), so without it another process would go on showing slots — and taking
    // bookings — for a suspended host until something else changed.
    const op = bumpSettings(kv.atomic().check(cur).set(keys.user(userId), next), userId);
    if (atMs === null && was !== undefined) {
      enqueue(
        op,
        newOutboxRecord({ kind: "webhook_release", hostId: userId, suspendedAtMs: was }, nowMs),
      );
    }
    const res = await commitWithReceipt(kv, op);
    if (!res.ok) continue;
    settingsChanged(kv);
    if (atMs !== null) {
      await deletePrefixPairs(
        kv,
        keys.sessionByUserPrefix(userId),
        (k) => keys.session(k[2] as string),
      );
    }
    return next;
  }
  throw new Error("setSuspended: too much contention");
}

/**
 * Deletes each index entry under `prefix` together with the record it points at; the index keys
 * it deleted.
 */
async function deletePrefixPairs(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  target: (indexKey: Deno.KvKey) => Deno.KvKey,
): Promise<Deno.KvKey[]> {
  const deleted: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix })) {
    if ((await kv.atomic().delete(e.key).delete(target(e.key)).commit()).ok) deleted.push(e.key);
  }
  return deleted;
}

/** Closed accounts and when they were closed. */
export async function listClosedAccounts(kv: Deno.Kv): Promise<{ userId: UserId; atMs: number }[]> {
  const out: { userId: UserId; atMs: number }[] = [];
  for await (const e of kv.list<number>({ prefix: keys.closedAccountPrefix() })) {
    out.push({ userId: e.key[1] as UserId, atMs: e.value });
  }
  return out;
}

/** The last of a closed account: its availability, its record and its marker. */
export async function removeClosedAccount(kv: Deno.Kv, userId: UserId): Promise<void> {
  await kv.atomic()
    .delete(keys.availability(userId))
    .delete(keys.user(userId))
    .delete(keys.closedAccount(userId))
    .set(keys.settingsRev(userId), { v: 1 })
    .commit();
  settingsChanged(kv);
}
