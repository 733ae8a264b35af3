/**
 * A host who deletes their account while a guest's booking is under way: the close cancels the
 * meetings it finds, and a booking that lands after that look cancels itself and is answered as
 * the page now is (services/book-slot.ts `unlessClosedMeanwhile`). Before, such a booking stayed
 * live: a confirmed meeting with nobody, which nothing would ever cancel.
 */
import assert from "node:assert/strict";
import { type BookResult, bookSlot } from "./book-slot.ts";
import { deleteAccount } from "./account-closing.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { hostBookingPages } from "../store/host-data.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import {
  createEventType,
  createHost,
  guestOf,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { writeAfterNextRead } from "../../../../tests/support/kv-interleave.ts";
import type { EventTypeRecord, UserRecord } from "../domain/model/records.ts";

/** The booking engine's snapshot reads its busy fences: the close lands right after it. */
const afterSnapshot = async () =>
  writeAfterNextRead(await Deno.openKv(":memory:"), (k) => k[0] === "busy_fence", "getMany");

async function setup(requiresConfirmation: boolean, more: Partial<EventTypeRecord> = {}) {
  const store = await afterSnapshot();
  const app = await memoryApp({ kv: store.kv, nowIso: "2026-11-23T06:00:00Z" });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", requiresConfirmation, ...more });
  const book = () =>
    bookSlot(app, {
      username: "ann",
      slug: "call",
      start: "2026-11-24T10:00:00Z",
      ...guestOf(1),
    });
  return { app, host, book, arm: store.arm };
}

async function liveBookings(app: TestApp, host: UserRecord) {
  const live = [];
  for await (const page of hostBookingPages(app.kv, host.id)) {
    live.push(...page.filter((b) => b.status === "PENDING" || b.status === "CONFIRMED"));
  }
  return live;
}

/**
 * Books with the host's account closed by `deleteAccount` right after the booking's snapshot: the
 * booking is refused as the page now is, the close found nothing to cancel, nothing is left live.
 */
async function bookWhileClosing(
  app: TestApp,
  host: UserRecord,
  arm: (write: () => Promise<unknown>) => unknown,
  book: () => Promise<BookResult>,
) {
  let closed = null as { ok: boolean } | null;
  arm(async () => (closed = await deleteAccount(app, host, host.username)));
  assert.deepEqual(await book(), { ok: false, reason: "not_found" });
  assert.deepEqual(closed, { ok: true, cancelled: 0 }, "the account closed first");
  assert.deepEqual(await liveBookings(app, host), []);
}

for (const requiresConfirmation of [false, true]) {
  const what = requiresConfirmation ? "a request" : "a booking";
  Deno.test(`bookSlot: the host deletes their account while ${what} is under way: it is refused, no meeting is left with nobody`, async () => {
    const { app, host, book, arm } = await setup(requiresConfirmation);
    try {
      await bookWhileClosing(app, host, arm, book);
      // The booking's own mail went out with its write; the guest is told it is off.
      await deliverOutbox(app, app.now());
      const toGuest = app.mailer.sent.filter((m) => m.to === "g1@example.test");
      assert.match(toGuest.at(-1)?.subject ?? "", /cancel/i, toGuest.map((m) => m.subject).join());
    } finally {
      app.close();
    }
  });
}

Deno.test("bookSlot: the host deletes their account while a weekly series is being held: it is refused, none of its dates is left", async () => {
  const series = { everyWeeks: 1, count: 4, freeOnly: false };
  const { app, host, book, arm } = await setup(false, { series });
  try {
    await bookWhileClosing(app, host, arm, book);
  } finally {
    app.close();
  }
});

for (const teamMode of ["round_robin", "collective"] as const) {
  Deno.test(`bookTeamSlot (${teamMode}): the only member of a team deletes their account while a booking is under way: it is refused, no meeting is left with nobody`, async () => {
    const store = await afterSnapshot();
    const app = await memoryApp({ kv: store.kv, nowIso: "2026-11-23T06:00:00Z" });
    try {
      // A team of their own alone keeps its record when they go (services/account-closing.ts).
      const { team, users: [ann] } = await seedTeam(app, { members: [{ username: "ann" }] });
      await seedTeamEventType(app, team, { slug: "call", teamMode, durationMin: 30 });
      await bookWhileClosing(app, ann, store.arm, () =>
        bookTeamSlot(app, {
          team: "crew",
          slug: "call",
          start: "2026-11-23T10:00:00Z",
          ...guestOf(1),
        }));
    } finally {
      app.close();
    }
  });
}

Deno.test("bookSlot: 30 guests booking while the host deletes their account, 8 rounds: no meeting is left live, every refusal says the page is gone", async () => {
  for (let round = 0; round < 8; round++) {
    const app = await memoryApp({ nowIso: "2026-11-23T06:00:00Z" });
    try {
      const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
      await createEventType(app, host, { slug: "call", requiresConfirmation: round % 2 === 0 });
      const books = Array.from({ length: 30 }, (_, i) =>
        bookSlot(app, {
          username: "ann",
          slug: "call",
          // Tuesday to Thursday, 09:00-16:30 UTC.
          start: new Date(
            Date.parse("2026-11-24T09:00:00Z") + Math.floor(i / 15) * 86_400_000 +
              (i % 15) * 1_800_000,
          ).toISOString(),
          ...guestOf(i),
        }));
      // The close lands while the bookings are at different steps of theirs.
      await new Promise((r) => setTimeout(r, round));
      const closed = await deleteAccount(app, host, "ann");
      const answers = await Promise.all(books);
      assert.ok(closed.ok);
      assert.deepEqual(await liveBookings(app, host), [], `round ${round}`);
      for (const a of answers) if (!a.ok) assert.equal(a.reason, "not_found");
    } finally {
      app.close();
    }
  }
});
