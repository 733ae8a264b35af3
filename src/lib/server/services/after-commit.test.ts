/**
 * Every committed change is counted in insights by the one runner (after-commit.ts), whoever
 * asked for it: nothing here counts by hand, as no route or service does any more. A change kind
 * (or a new way to reach one) that the runner does not count fails here.
 */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  guestInput,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { COUNTED_AS, settleCounts } from "./insights-count.ts";
import { AFTER_COMMIT } from "./after-commit.ts";
import { bookSlot } from "./book-slot.ts";
import {
  cancelByGuest,
  decideBooking,
  requestNewTime,
  rescheduleByGuest,
} from "./decide-booking.ts";
import { mintOneOffLink } from "./one-off-links.ts";
import { bookWithSingleUseLink } from "./single-use-links.ts";
import { moveBookingByHost } from "./host-reschedule.ts";
import { bookForGuest } from "./host-book.ts";
import { createPoll } from "./polls.ts";
import { pickPollTime } from "./poll-pick.ts";
import { votePoll } from "./poll-votes.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { exportHostJson } from "./host-data.ts";
import { importHostData } from "./host-import.ts";
import { expireHolds } from "../jobs/expire-holds.ts";
import { releaseStaleHolds } from "../jobs/release-holds.ts";
import { listHostBookings } from "../store/bookings.ts";
import { readCounts } from "../store/insights.ts";
import type { UserRecord } from "../domain/model/records.ts";

/** Monday 23 Nov 2026, 09:00Z onwards (the host works 09–17 UTC), every half hour. */
const at = (i: number) =>
  new Date(Date.parse("2026-11-23T09:00:00Z") + i * 30 * 60_000).toISOString();

const guest = (i: number, slug: string, username = "host") => guestInput(i, at(i), slug, username);

/** A host's counters, summed over days and event types: "ev submitted" → n, "mt stage.confirmed" → n. */
async function totals(app: TestApp, hostId: string): Promise<Record<string, number>> {
  await settleCounts();
  const out: Record<string, number> = {};
  for (const family of ["ev", "mt"] as const) {
    for (const r of await readCounts(app.kv, hostId, family, "2026-01-01", "2027-12-31")) {
      if (family === "mt" && !r.metric.startsWith("stage.")) continue;
      const k = `${family} ${r.metric}`;
      out[k] = (out[k] ?? 0) + r.n;
    }
  }
  for (const [k, n] of Object.entries(out)) if (n === 0) delete out[k];
  return out;
}

async function setup() {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, { slug: "chat", requiresConfirmation: false });
  await createEventType(app, host, { slug: "call", requiresConfirmation: true });
  return { app, host };
}

Deno.test("after commit: every kind of change is listed with how it counts, and insights counting is a registered effect", async () => {
  // The kinds of change the engine knows, read from its types (a new kind is covered unlisted).
  const types = await Deno.readTextFile(
    new URL("../domain/booking-engine/types.ts", import.meta.url),
  );
  const union = types.slice(
    types.indexOf("export type Change ="),
    types.indexOf("export type EventTypeLimits"),
  );
  const kinds = [...union.matchAll(/kind: "([a-z_]+)"/g)].map((m) => m[1]);
  assert.ok(kinds.length >= 12, kinds.join(" "));
  for (const kind of kinds) assert.ok(kind in COUNTED_AS, `${kind} says how insights count it`);
  // A kind that is not counted says why (a hold, a release, a write that only clears the way):
  // never a bare "not counted" that a booking-making kind could hide behind.
  for (const [kind, as] of Object.entries(COUNTED_AS)) {
    if (typeof as === "string") {
      assert.ok(["booked", "changed", "moved", "imported"].includes(as), `${kind}: ${as}`);
    } else {
      assert.ok(
        as !== null && typeof as.notCounted === "string" && as.notCounted.length >= 20,
        `${kind} is not counted without a reason`,
      );
    }
  }
  // Every change that makes or changes a booking counts — a series' dates when its finish
  // writes make them bookings (whoever finishes it: the service, or the cleanup job).
  for (
    const kind of [
      "create",
      "assign",
      "seat",
      "commit",
      "transition",
      "reschedule",
      "rebook",
      "import",
      "series_finish",
    ]
  ) {
    assert.equal(typeof COUNTED_AS[kind as keyof typeof COUNTED_AS], "string", kind);
  }
  assert.deepEqual(AFTER_COMMIT.map((e) => e.name), ["outbox", "insights", "routing"]);
});

Deno.test("after commit: a guest's booking, the host's confirm and reject, a guest's cancel and an expiry are each counted once", async () => {
  const { app, host } = await setup();
  try {
    const instant = await bookSlot(app, guest(0, "chat"));
    const requests = [];
    for (let i = 1; i <= 4; i++) requests.push(await bookSlot(app, guest(i * 2, "call")));
    assert.ok(instant.ok && requests.every((r) => r.ok));
    assert.deepEqual(await totals(app, host.id), {
      "ev submitted": 5,
      "ev confirmed": 1,
      "ev submitted.page": 5,
      "ev confirmed.page": 1,
      "ev by.guest": 5,
      "mt stage.confirmed": 1,
      "mt stage.pending": 4,
    });
    const [a, b, c] = requests as { bookingId: string; guestToken: string }[];
    assert.ok((await decideBooking(app, a.bookingId, "confirm", "host")).ok);
    assert.ok((await decideBooking(app, b.bookingId, "reject", "host")).ok);
    assert.ok((await cancelByGuest(app, c.guestToken, "")).ok);
    app.clock.ms += 25 * 3_600_000; // the last request expires unanswered
    assert.equal((await expireHolds(app, app.now())).expired, 1);
    assert.deepEqual(await totals(app, host.id), {
      "ev submitted": 5,
      "ev confirmed": 2,
      "ev submitted.page": 5,
      "ev confirmed.page": 2,
      "ev by.guest": 5,
      "ev rejected": 1,
      "ev cancelled_guest": 1,
      "ev expired": 1,
      "mt stage.confirmed": 2,
      "mt stage.rejected": 1,
      "mt stage.cancelled": 1,
      "mt stage.expired": 1,
    });
  } finally {
    app.close();
  }
});

Deno.test("after commit: a guest's reschedule and a host's are counted as moves; a host's booking for a guest as a booking; each by how it came", async () => {
  const { app, host } = await setup();
  try {
    const first = await bookSlot(app, guest(0, "chat"));
    const second = await bookSlot(app, guest(2, "chat"));
    assert.ok(first.ok && second.ok);
    assert.ok((await rescheduleByGuest(app, first.guestToken, at(4))).ok);
    const moved = await moveBookingByHost(app, host, second.bookingId, { start: at(6) });
    assert.ok(moved.ok, JSON.stringify(moved));
    const forGuest = await bookForGuest(app, host, {
      slug: "chat",
      start: at(8),
      name: "Walk-in",
      email: "walk-in@example.test",
      note: "",
    });
    assert.ok(forGuest.ok, JSON.stringify(forGuest));
    assert.deepEqual(await totals(app, host.id), {
      "ev submitted": 3,
      "ev confirmed": 3,
      "ev submitted.page": 2,
      "ev confirmed.page": 2,
      "ev rescheduled": 2,
      "ev by.guest": 2,
      "ev by.guest_move": 1,
      "ev by.host_move": 1,
      "ev by.for_guest": 1,
      "mt stage.confirmed": 3,
      "mt stage.rescheduled": 2,
    });
    // The host asks the guest for a new time; the guest's pick is told apart from a move.
    const third = await bookSlot(app, guest(10, "chat"));
    assert.ok(third.ok);
    assert.ok((await requestNewTime(app, host.id, third.bookingId, "Clash")).ok);
    assert.ok((await rescheduleByGuest(app, third.guestToken, at(12))).ok);
    // A one-off link's booking (a single-use link with picked times) came by that link.
    const link = await mintOneOffLink(app, host, { slug: "chat", starts: [at(14)], note: "" });
    assert.ok(link.ok, JSON.stringify(link));
    const byLink = await bookWithSingleUseLink(app, "host", link.url.split("/").pop()!, {
      ...guest(14, "chat"),
    });
    assert.ok(byLink.ok, JSON.stringify(byLink));
    const after = await totals(app, host.id);
    assert.deepEqual(
      Object.fromEntries(Object.entries(after).filter(([k]) => k.startsWith("ev by."))),
      {
        "ev by.guest": 3,
        "ev by.guest_move": 1,
        "ev by.host_move": 1,
        "ev by.for_guest": 1,
        "ev by.rebook": 1,
        "ev by.link": 1,
      },
    );
  } finally {
    app.close();
  }
});

Deno.test("after commit: a seat and a booking from a poll are counted", async () => {
  const { app, host } = await setup();
  try {
    await createEventType(app, host, {
      slug: "class",
      requiresConfirmation: false,
      seats: { perTime: 3, showAttendees: false, hideCount: false },
    });
    for (let i = 0; i < 2; i++) {
      const seat = await bookSlot(app, { ...guest(0, "class"), email: `s${i}@example.test` });
      assert.ok(seat.ok, JSON.stringify(seat));
    }
    const poll = await createPoll(app, host, {
      slug: "chat",
      title: "Sync",
      starts: [at(10), at(12)],
    });
    assert.ok(poll.ok, JSON.stringify(poll));
    const token = new URL(poll.url).pathname.split("/").pop()!;
    const voted = await votePoll(app, token, {
      name: "Voter",
      email: "voter@example.test",
      answers: { t1: "yes" },
    });
    assert.ok(voted.ok, JSON.stringify(voted));
    const picked = await pickPollTime(app, host, poll.poll.id, at(12));
    assert.ok(picked.ok, JSON.stringify(picked));
    assert.deepEqual(await totals(app, host.id), {
      "ev submitted": 3,
      "ev confirmed": 3,
      "ev submitted.page": 2,
      "ev confirmed.page": 2,
      "ev by.guest": 2,
      "ev by.poll": 1,
      "mt stage.confirmed": 3,
    });
  } finally {
    app.close();
  }
});

Deno.test("after commit: a collective team booking (hold, then commit) counts once for each attendee", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    await seedTeamEventType(app, team, {
      slug: "pair",
      title: "Pair call",
      teamMode: "collective",
      hostIds: [users[0].id, users[1].id],
    });
    const res = await bookTeamSlot(app, {
      team: "crew",
      slug: "pair",
      start: "2026-11-23T12:00:00Z",
      name: "Guest",
      email: "guest@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(res.ok, JSON.stringify(res));
    for (const u of users as UserRecord[]) {
      assert.deepEqual(await totals(app, u.id), {
        "ev submitted": 1,
        "ev confirmed": 1,
        "ev submitted.page": 1,
        "ev confirmed.page": 1,
        "ev by.guest": 1,
        "mt stage.confirmed": 1,
      }, u.username);
    }
  } finally {
    app.close();
  }
});

Deno.test("after commit: bookings imported from another Invito are counted with their history", async () => {
  const old = await setup();
  const fresh = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_BASE_URL: "https://new.example" },
  });
  try {
    const made = await bookSlot(old.app, guest(0, "chat"));
    const asked = await bookSlot(old.app, guest(2, "call"));
    assert.ok(made.ok && asked.ok);
    let text = "";
    for await (const chunk of exportHostJson(old.app, old.host)) text += chunk;
    const user = await createHost(fresh, { username: "fresh", timeZone: "UTC" });
    const r = await importHostData(fresh, user, text);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.bookings?.imported, 2);
    assert.deepEqual(await totals(fresh, user.id), await totals(old.app, old.host.id));
    assert.deepEqual(await totals(fresh, user.id), {
      "ev submitted": 2,
      "ev confirmed": 1,
      "ev submitted.page": 2,
      "ev confirmed.page": 1,
      "ev by.guest": 2,
      "mt stage.confirmed": 1,
      "mt stage.pending": 1,
    });
  } finally {
    old.app.close();
    fresh.close();
  }
});

Deno.test("after commit: a series is counted once per date, also when its process died after the commit and the cleanup job finished it", async () => {
  const { app, host } = await setup();
  try {
    await createEventType(app, host, {
      slug: "weekly",
      requiresConfirmation: false,
      bookingWindowDays: 90,
      series: { everyWeeks: 1, count: 3, freeOnly: false },
    });
    await createEventType(app, host, {
      slug: "coaching",
      requiresConfirmation: false,
      bookingWindowDays: 90,
      series: { everyWeeks: 2, count: 2, freeOnly: false },
    });
    const whole = await bookSlot(app, guest(0, "weekly"));
    assert.ok(whole.ok, JSON.stringify(whole));
    assert.deepEqual(await totals(app, host.id), {
      "ev submitted": 3,
      "ev confirmed": 3,
      "ev submitted.page": 3,
      "ev confirmed.page": 3,
      "ev by.guest": 3,
      "mt stage.confirmed": 3,
    });
    // The process dies right after the deciding commit: nothing is finished, nothing counted.
    const crashed = await bookSlot(app, {
      ...guest(4, "coaching"),
      onSeriesStep: (step) => {
        if (step === "commit") throw new Error("killed");
      },
    }).catch((e: Error) => e.message);
    assert.equal(crashed, "killed");
    app.clock.ms += 2 * 60_000;
    await releaseStaleHolds(app, app.now());
    const dates = (await listHostBookings(app.kv, host.id)).filter((b) => b.series?.count === 2);
    assert.deepEqual(dates.map((b) => b.status), ["CONFIRMED", "CONFIRMED"], "rolled forward");
    assert.deepEqual(await totals(app, host.id), {
      "ev submitted": 5,
      "ev confirmed": 5,
      "ev submitted.page": 5,
      "ev confirmed.page": 5,
      "ev by.guest": 5,
      "mt stage.confirmed": 5,
    });
  } finally {
    app.close();
  }
});
