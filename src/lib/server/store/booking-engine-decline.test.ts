/**
 * planChange for an invitee's decline (domain/booking-engine/decline.ts; ADR 050, amendment
 * "declining"), table-driven: a meeting the host invited people to (a meeting poll's pick), each
 * row a sequence of presses and what the people involved then see — who is recorded as declined,
 * who still attends, whether the meeting still holds the host's time, what is queued for them —
 * or the typed refusal. Snapshots are read from an in-memory KV by the store's own reader, and
 * every planned write is committed, so each row ends on what a real store holds.
 */
import assert from "node:assert/strict";
import {
  type Change,
  type EngineRules,
  planChange,
  type PlanResult,
} from "../domain/booking-engine/index.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { commitPlan } from "./booking-commit.ts";
import { type CalendarReader, readSnapshot } from "./booking-snapshot.ts";
import { getBooking } from "./bookings.ts";
import type { BookingRecord, EventTypeRecord } from "../domain/model/records.ts";

const NO_CALENDARS: CalendarReader = () => Promise.resolve({ busy: [], unknown: [] });
const H = 3_600_000;
const NOW = Date.parse("2026-11-20T08:00:00Z");
const START = Date.parse("2026-11-23T14:00:00Z");
const HOST = { id: "host1", timeZone: "UTC" };
const GUEST = "gita@example.test";
const ANN = "ann@example.test";
const BEN = "ben@example.test";

const et: EventTypeRecord = {
  v: 1,
  id: "et1",
  userId: HOST.id,
  slug: "sync",
  title: "Sync",
  description: "",
  durationMin: 30,
  requiresConfirmation: false,
  bookingWindowDays: 60,
  color: "#000",
  active: true,
  confirmedMessage: "",
  rejectedMessage: "",
  createdAtMs: 0,
  updatedAtMs: 0,
};

const rules: EngineRules = {
  bookingTtlMs: 24 * H,
  maxPendingPerGuest: 3,
  eventType: { id: et.id, maxPerDay: null, maxPerWeek: null, cancelCutoffHours: null },
  calendarHost: "invito.test",
};

let seq = 0;
const nextId = () => `01K${String(seq++).padStart(23, "0")}`;

/**
 * A meeting at START: Gita its guest, Ann and Ben invited beside her — by the host, or not;
 * confirmed, or (`pending`) waiting for the host.
 */
function meeting(
  o: { invitedBy?: "host"; email?: string; pending?: boolean } = {},
): BookingRecord {
  return newBookingRecord(
    {
      id: nextId(),
      tokenSalt: "salt",
      host: HOST,
      eventType: o.pending ? { ...et, requiresConfirmation: true } : et,
      startMs: START,
      durationMin: 30,
      name: "Gita",
      email: o.email ?? GUEST,
      note: "",
      guestTimeZone: "UTC",
      by: "host",
      additionalGuests: [ANN, BEN],
      additionalGuestNames: { [ANN]: "Ann", [BEN]: "Ben" },
      ...(o.invitedBy ? { invitedBy: o.invitedBy } : {}),
    },
    NOW,
    24 * H,
  );
}

async function run(kv: Deno.Kv, change: Change, nowMs = NOW): Promise<PlanResult> {
  const res = planChange(await readSnapshot(kv, change, rules, NO_CALENDARS), change, rules, nowMs);
  if (res.ok) assert.ok((await commitPlan(kv, res.plan, nowMs)).ok, "the plan commits");
  return res;
}

/** An invitee's press: the cancel of their own place (services/decide-booking.ts). */
type Transition = Extract<Change, { kind: "transition" }>;
const decline = (bookingId: string, email: string, o: { hostId?: string } = {}): Transition => ({
  kind: "transition",
  bookingId,
  action: "cancel",
  by: "guest",
  decline: email,
  ...o,
});

/** What a press left queued for people: mails by kind and reader, calendar writes, webhooks. */
function queued(res: PlanResult): string[] {
  if (!res.ok) return [];
  return res.plan.jobs.map(({ payload: p }) =>
    p.kind === "booking_mail"
      ? `mail ${p.mail}${"attendee" in p && p.attendee ? ` ${p.attendee}` : ""}`
      : p.kind === "writeback"
      ? `calendar ${p.op}`
      : p.kind === "webhook_event"
      ? `webhook ${p.event}`
      : p.kind
  ).sort();
}

type Row = {
  name: string;
  /** The meeting's options (default: the host invited them). */
  made?: Parameters<typeof meeting>[0];
  /** Presses before the one the row is about, each taken. */
  before?: (id: string) => Change[];
  press: (id: string) => Change;
  /** The press's refusal, or what the meeting is then. */
  refused?: string;
  status?: BookingRecord["status"];
  endReason?: string | null;
  declined?: string[];
  attending?: string[];
  /** Whether another guest can now book the meeting's time. */
  timeFree?: boolean;
  jobs?: string[];
  /** The press wrote nothing (the meeting is exactly as before it). */
  unchanged?: boolean;
};

const ROWS: Row[] = [
  {
    name: "an additional invitee declines: recorded, no longer attending; the others keep it",
    press: (id) => decline(id, ANN),
    status: "CONFIRMED",
    declined: [ANN],
    attending: [GUEST, BEN],
    timeFree: false,
    jobs: [
      `mail attendee_declined ${ANN}`,
      `mail host_declined ${ANN}`,
      "calendar put",
      "webhook booking.updated",
    ].sort(),
  },
  {
    name: "the guest declines: they stay its guest, listed as declined, no longer attending",
    press: (id) => decline(id, GUEST),
    status: "CONFIRMED",
    declined: [GUEST],
    attending: [ANN, BEN],
    timeFree: false,
  },
  {
    name: "an address in another case is the invitee as listed",
    press: (id) => decline(id, "BEN@Example.TEST"),
    status: "CONFIRMED",
    declined: [BEN],
    attending: [GUEST, ANN],
  },
  {
    name: "the last one declining cancels the meeting and frees the host's time",
    before: (id) => [decline(id, ANN), decline(id, GUEST)],
    press: (id) => decline(id, BEN),
    status: "CANCELLED",
    endReason: "cancelled_by_guest",
    declined: [ANN, GUEST, BEN],
    attending: [],
    timeFree: true,
  },
  {
    name: "declining again (a second press, a retry) is done and writes nothing",
    before: (id) => [decline(id, ANN)],
    press: (id) => decline(id, ANN),
    status: "CONFIRMED",
    declined: [ANN],
    attending: [GUEST, BEN],
    unchanged: true,
    jobs: [],
  },
  {
    name: "an address not invited is not found",
    press: (id) => decline(id, "eve@example.test"),
    refused: "not_found",
  },
  {
    // Only the host ends a meeting they invited people to for everyone; a meeting a guest booked
    // (their guests invited by them) is the guest's to cancel whole, not to decline per person.
    name: "a meeting the guest booked is not declined per person",
    made: {},
    press: (id) => decline(id, ANN),
    refused: "not_supported",
  },
  {
    name: "another host's meeting is not found",
    press: (id) => decline(id, ANN, { hostId: "host2" }),
    refused: "not_found",
  },
  {
    name: "a meeting the host cancelled is declined no more",
    before: (id) => [{ kind: "transition", bookingId: id, action: "cancel", by: "host" }],
    press: (id) => decline(id, ANN),
    refused: "cancelled",
  },
  // An invitee's press only takes their own place back: deciding the meeting is the host's. On a
  // request still waiting, a confirm or reject carrying a decline recorded the decline and
  // dropped the action; from the last attendee, it confirmed the meeting nobody attends.
  ...(["confirm", "reject"] as const).map((action): Row => ({
    name: `an invitee's ${action} of a meeting waiting for the host is refused`,
    made: { invitedBy: "host", pending: true },
    press: (id) => ({ ...decline(id, ANN), action }),
    refused: "not_supported",
  })),
  {
    name: "the last invitee's confirm carrying a decline is refused, not a confirmation",
    made: { invitedBy: "host", pending: true },
    before: (id) => [decline(id, ANN), decline(id, BEN)],
    press: (id) => ({ ...decline(id, GUEST), action: "confirm" }),
    refused: "not_supported",
  },
  {
    name: "a decline is the invitee's own, never the host's press",
    press: (id) => ({ ...decline(id, ANN), by: "host" }),
    refused: "not_supported",
  },
];

for (const row of ROWS) {
  Deno.test(`planChange decline: ${row.name}`, async () => {
    const kv = await Deno.openKv(":memory:");
    try {
      const m = meeting(row.made ?? { invitedBy: "host" });
      assert.ok((await run(kv, { kind: "create", booking: m })).ok);
      for (const c of row.before?.(m.id) ?? []) {
        const r = await run(kv, c);
        assert.ok(r.ok, JSON.stringify(r));
      }
      const was = await getBooking(kv, m.id);
      const res = await run(kv, row.press(m.id), NOW + H);
      if (row.refused) {
        assert.deepEqual(res, { ok: false, reason: row.refused });
        assert.deepEqual(await getBooking(kv, m.id), was, "a refusal changes nothing");
        return;
      }
      assert.ok(res.ok, JSON.stringify(res));
      const now = (await getBooking(kv, m.id))!;
      if (row.unchanged) assert.deepEqual(now, was);
      if (row.status) assert.equal(now.status, row.status);
      if (row.endReason !== undefined) assert.equal(now.endReason, row.endReason);
      if (row.declined) assert.deepEqual((now.declined ?? []).map((d) => d.email), row.declined);
      if (row.attending) {
        const attending = [
          ...((now.declined ?? []).some((d) => d.email === now.guestEmail) ? [] : [now.guestEmail]),
          ...(now.additionalGuests ?? []),
        ];
        assert.deepEqual(attending, row.attending);
        assert.equal(now.guestEmail, GUEST, "the guest stays the guest");
      }
      if (row.jobs) assert.deepEqual(queued(res), row.jobs);
      if (row.timeFree !== undefined) {
        // Someone else books the same time: taken while the meeting holds it.
        const other = meeting({ email: "zoe@example.test" });
        const took = await run(kv, { kind: "create", booking: other }, NOW + 2 * H);
        assert.deepEqual(took.ok, row.timeFree, JSON.stringify(took.ok || took.reason));
      }
    } finally {
      kv.close();
    }
  });
}

Deno.test("planChange decline: two declines planned on the same read — the second's commit fails on the booking's versionstamp, and planned again it is recorded beside the first; the last of them cancels", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const m = meeting({ invitedBy: "host" });
    assert.ok((await run(kv, { kind: "create", booking: m })).ok);
    assert.ok((await run(kv, decline(m.id, GUEST))).ok);
    // Ann and Ben press at once: both read the meeting with both of them attending.
    const ann = decline(m.id, ANN);
    const ben = decline(m.id, BEN);
    const annSnap = await readSnapshot(kv, ann, rules, NO_CALENDARS);
    const benSnap = await readSnapshot(kv, ben, rules, NO_CALENDARS);
    const annPlan = planChange(annSnap, ann, rules, NOW + H);
    const benPlan = planChange(benSnap, ben, rules, NOW + H);
    assert.ok(annPlan.ok && benPlan.ok);
    // Each alone would leave someone attending: neither plans the meeting's cancel.
    assert.equal(annPlan.plan.booking!.status, "CONFIRMED");
    assert.equal(benPlan.plan.booking!.status, "CONFIRMED");
    assert.ok((await commitPlan(kv, annPlan.plan, NOW + H)).ok);
    assert.equal((await commitPlan(kv, benPlan.plan, NOW + H)).ok, false, "Ben's read is stale");
    // The runner plans Ben's again on a fresh read: the last one leaving cancels it.
    const again = await run(kv, ben, NOW + H);
    assert.ok(again.ok);
    const now = (await getBooking(kv, m.id))!;
    assert.deepEqual(now.declined!.map((d) => d.email), [GUEST, ANN, BEN]);
    assert.equal(now.status, "CANCELLED");
    assert.equal(now.history.filter((h) => h.status === "CANCELLED").length, 1);
  } finally {
    kv.close();
  }
});
