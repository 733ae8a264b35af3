/**
 * A team's collective seated meeting cancelled whole (services/cancel-meeting.ts, ADR 040
 * amended): the coordinator holds every member's time, so the press must free it for each of
 * them — every seat cancelled, each guest mailed once, each member told once and their calendar
 * written once; many presses and guests taking the last seats at once leave no live seat.
 */
import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { mailerTo, startSmtp } from "../../../../tests/support/smtp.ts";
import { slowCountingKv } from "../../../../tests/support/kv-probe.ts";
import { guardKv, guardStats } from "../../../../tests/support/kv-guard.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { cancelSeatedMeeting } from "./cancel-meeting.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getBooking } from "../store/bookings.ts";
import { getSeatLedger } from "../store/seats.ts";
import { keys } from "../store/keys.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import type {
  BookingRecord,
  BusyEntryRecord,
  CoordinatorRecord,
  OutboxRecord,
} from "../domain/model/records.ts";
import type { App } from "../app.ts";

const AT = "2026-11-23T10:00:00Z";
const AT_MS = Date.parse(AT);

async function teamClass(perTime: number, kv?: Deno.Kv, members = 2) {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
    kv,
  });
  const { team, users } = await seedTeam(app, {
    members: members === 2
      ? [{ username: "ann" }, { username: "ben" }]
      : Array.from({ length: members }, (_, i) => ({ username: `m${i}` })),
  });
  const et = await seedTeamEventType(app, team, {
    slug: "class",
    title: "Class",
    teamMode: "collective",
    durationMin: 60,
    seats: { perTime, showAttendees: false, hideCount: false },
  });
  const book = (name: string, locale = "en") =>
    bookTeamSlot(app, {
      team: "crew",
      slug: "class",
      start: AT,
      name,
      email: `${name.toLowerCase()}@example.test`,
      note: "",
      timeZone: "UTC",
      locale,
    });
  return { app, team, users, et, book };
}

async function outbox(app: App): Promise<OutboxRecord[]> {
  const out: OutboxRecord[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: ["outbox"] })) out.push(e.value);
  return out.filter((j) => j && typeof j === "object" && "payload" in j);
}

async function busyAt(kv: Deno.Kv, personId: string): Promise<BusyEntryRecord[]> {
  const out: BusyEntryRecord[] = [];
  for await (const e of kv.list<BusyEntryRecord>({ prefix: ["busy", personId] })) {
    if (e.value.startMs <= AT_MS && e.value.endMs > AT_MS) out.push(e.value);
  }
  return out;
}

Deno.test({
  name:
    "team seats: the organiser cancels a collective class whole — every seat cancelled with the reason, each guest mailed once, each member told once and their calendar written once, both members free again",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const { app, users, et, book } = await teamClass(5);
    app.mailer = mailerTo(smtp);
    try {
      const seats = [await book("Anne", "de"), await book("Bea", "fr"), await book("Cy")];
      for (const s of seats) assert.ok(s.ok, JSON.stringify(s));
      const ids = seats.map((s) => s.ok ? s.bookingId : "");
      const first = (await getBooking(app.kv, ids[0]))!;
      await deliverOutbox(app, app.now());
      const before = smtp.mails.length;
      for (const u of users) assert.equal((await busyAt(app.kv, u.id)).length, 1, u.username);

      const res = await cancelSeatedMeeting(app, first.hostId, ids[1], "Teacher is ill");
      assert.ok(res.ok, JSON.stringify(res));
      assert.equal(res.cancelled, 3);
      for (const id of ids) {
        const b = await getBooking(app.kv, id);
        assert.equal(b?.status, "CANCELLED");
        assert.equal(b?.cancelReason, "Teacher is ill");
      }
      assert.equal(await getSeatLedger(app.kv, et.id, AT_MS), null, "the ledger is gone");
      for (const u of users) {
        assert.deepEqual(await busyAt(app.kv, u.id), [], `${u.username}'s time is free`);
      }
      const coordinator = (await app.kv.get<CoordinatorRecord>(
        keys.coordinator(first.coordinatorId!),
      )).value;
      assert.equal(coordinator?.state, "released", "the coordinator lets the time go");
      const writes = (await outbox(app)).filter((j) => j.payload.kind === "writeback");
      assert.deepEqual(
        writes.map((j) => j.payload.kind === "writeback" ? j.payload.personId : "").sort(),
        users.map((u) => u.id).sort(),
        "each member's calendar is written once",
      );

      await deliverOutbox(app, app.now());
      await smtp.waitForMail(() => smtp.mails.length >= before + 5, 5_000);
      const mails = smtp.mails.slice(before);
      for (const u of users) {
        const mine = mails.filter((m) => m.to.includes(u.email));
        assert.equal(mine.length, 1, `${u.username}: ${mine.map((m) => m.subject).join(" | ")}`);
        assert.match(mine[0].subject, /^Cancelled: Class, /);
        assert.match(mine[0].text, /Teacher is ill/);
        // The organiser pressed it; another member is told who did.
        if (u.id === first.hostId) assert.match(mine[0].text, /You cancelled “Class”/);
        else {
          const organiser = users.find((x) => x.id === first.hostId)!;
          assert.doesNotMatch(mine[0].text, /You cancelled/);
          assert.match(
            mine[0].text,
            new RegExp(`${organiser.name} cancelled “Class” of The Crew on .+ for every guest`),
          );
        }
      }
      for (const id of ids) {
        const b = (await getBooking(app.kv, id))!;
        const mine = mails.filter((m) => m.to.includes(b.guestEmail));
        assert.equal(mine.length, 1, `${b.guestName}: ${mine.map((m) => m.subject)}`);
        assert.match(mine[0].text, /Teacher is ill/);
      }
      // Free again: a new guest starts a new meeting there.
      const again = await book("Dee");
      assert.ok(again.ok, JSON.stringify(again));
      assert.notEqual((await getBooking(app.kv, again.bookingId))!.seat!.meetingId, first.id);
    } finally {
      await settleCounts();
      app.close();
    }
  },
});

Deno.test("team seats: many presses of 'Cancel this meeting' and guests taking the last seats at once — every seat of the meeting ends cancelled and told, none joins once it is closed, one closing", async () => {
  for (let run = 0; run < 3; run++) {
    const { kv } = await slowCountingKv({ space: "seat_ledger", commitDelayMs: 2 });
    const { app, users, et, book } = await teamClass(8, kv);
    try {
      const first: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await book(`S${run}x${i}`);
        assert.ok(r.ok, JSON.stringify(r));
        first.push(r.bookingId);
      }
      const organiser = (await getBooking(app.kv, first[0]))!;
      const meetingId = organiser.seat!.meetingId;
      // Eight guests go for the last three seats; once one is answered, six presses land.
      const joining = Array.from({ length: 8 }, (_, i) => book(`N${run}x${i}`));
      await Promise.race(joining);
      const results = await Promise.all([
        ...Array.from(
          { length: 6 },
          (_, i) => cancelSeatedMeeting(app, organiser.hostId, first[i % 5], "Closed"),
        ),
        ...joining,
      ]);
      const presses = results.slice(0, 6) as Awaited<ReturnType<typeof cancelSeatedMeeting>>[];
      const answered = presses.filter((p) => p.ok);
      assert.ok(answered.length >= 1, JSON.stringify(presses));
      for (const p of presses.filter((p) => !p.ok)) {
        assert.equal(!p.ok && p.reason, "cancelled", JSON.stringify(presses));
      }
      const counts = new Set(answered.map((p) => p.ok && p.cancelled));
      assert.equal(counts.size, 1, `one closing: ${JSON.stringify(presses)}`);
      for (const r of results.slice(6)) {
        const j = r as Awaited<ReturnType<typeof book>>;
        assert.ok(
          j.ok || ["slot_taken", "seats_full", "busy", "held"].includes(j.reason),
          JSON.stringify(j),
        );
      }
      const seated = (await Promise.all(
        results.slice(6).flatMap((r) => {
          const j = r as Awaited<ReturnType<typeof book>>;
          return j.ok ? [getBooking(app.kv, j.bookingId)] : [];
        }),
      )).map((b) => b!);
      const ofMeeting = [
        ...(await Promise.all(first.map((id) => getBooking(app.kv, id)))).map((b) => b!),
        ...seated.filter((b) => b.seat!.meetingId === meetingId),
      ];
      assert.equal(
        [...counts][0],
        ofMeeting.length,
        "the press counts the meeting's seats when it closed",
      );
      const told = new Set(
        (await outbox(app)).flatMap((j) =>
          j.payload.kind === "booking_mail" && j.payload.mail === "guest_cancelled"
            ? [j.payload.bookingId]
            : []
        ),
      );
      for (const b of ofMeeting) {
        assert.equal(b.status, "CANCELLED", b.guestName);
        assert.ok(told.has(b.id), `${b.guestName} is told`);
      }
      const hostMails = (await outbox(app)).filter((j) =>
        j.payload.kind === "booking_mail" && j.payload.mail === "host_meeting_cancelled"
      );
      assert.equal(hostMails.length, users.length, "each member told once");
      // Any seat live now is a new meeting's, started after the old one had gone.
      const liveNew: BookingRecord[] = seated.filter((b) =>
        b.status === "CONFIRMED" || b.status === "PENDING"
      );
      const ledger = await getSeatLedger(app.kv, et.id, AT_MS);
      if (liveNew.length) {
        assert.ok(ledger && ledger.meetingId !== meetingId && !ledger.closed);
      } else {
        assert.equal(ledger, null);
        for (const u of users) assert.deepEqual(await busyAt(app.kv, u.id), [], u.username);
      }
      console.log(
        `run ${run}: ${seated.length}/8 racing guests seated (${
          ofMeeting.length - 5
        } in the cancelled meeting, ${liveNew.length} in a new one), ${answered.length}/6 presses answered, ${
          [...counts][0]
        } told`,
      );
    } finally {
      await settleCounts();
      app.close();
    }
  }
});

Deno.test("team seats: a collective class of a 100-member team (the most a team booking takes) is cancelled whole in writes within remote KV's limits", async () => {
  const guarded = guardKv(await Deno.openKv(":memory:"));
  const { app, users, et, book } = await teamClass(10, guarded, 100);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await book(`G${i}`);
      assert.ok(r.ok, JSON.stringify(r));
      ids.push(r.bookingId);
    }
    // The booking's own largest write aside: the stats count from the press on.
    const stats = guardStats(guarded)!;
    const booking = { ...stats };
    Object.assign(stats, { maxChecks: 0, maxMutations: 0 });
    const host = (await getBooking(app.kv, ids[0]))!.hostId;
    const res = await cancelSeatedMeeting(app, host, ids[0], "");
    assert.ok(res.ok && res.cancelled === 3, JSON.stringify(res));
    assert.equal(await getSeatLedger(app.kv, et.id, AT_MS), null);
    for (const u of users.slice(0, 5)) assert.deepEqual(await busyAt(app.kv, u.id), []);
    assert.ok(stats.maxChecks <= 10 && stats.maxMutations <= 1000, JSON.stringify(stats));
    console.log(
      `100 members: largest write ${stats.maxChecks} checks, ${stats.maxMutations} mutations ` +
        `(booking the first seat: ${booking.maxChecks} checks, ${booking.maxMutations} mutations)`,
    );
  } finally {
    await settleCounts();
    app.close();
  }
});
