/**
 * Where a guest goes after booking: every booker of a public page answers with the event type's
 * thank-you address (with the booking's facts when the host asked for them), decided from what
 * the booking was made of — the form post no longer reads the booking back (issue 26).
 */
import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { getBooking } from "../store/bookings.ts";
import type { BookingId } from "../store/keys.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";

let guests = 0;
/** A new guest each time: a guest's pending requests with one host are capped. */
const guest = () => ({
  name: "Pat",
  email: `pat${++guests}@example.test`,
  note: "",
  timeZone: "UTC",
});

/** The thank-you address's booking facts, checked against the stored booking. */
async function assertFacts(
  app: Awaited<ReturnType<typeof memoryApp>>,
  r: Awaited<ReturnType<typeof bookSlot>>,
  slug: string,
) {
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(r.thankYou, "a thank-you address");
  const u = new URL(r.thankYou);
  assert.equal(u.origin + u.pathname, "https://shop.example/thanks");
  const b = await getBooking(app.kv, r.bookingId as BookingId);
  assert.ok(b);
  assert.equal(u.searchParams.get("invito_booking_id"), b.id);
  assert.equal(u.searchParams.get("invito_event_type"), slug);
  assert.equal(Date.parse(u.searchParams.get("invito_start")!), b.startMs);
  assert.equal(Date.parse(u.searchParams.get("invito_end")!), b.endMs);
  assert.equal(u.searchParams.get("invito_status"), b.status.toLowerCase());
}

Deno.test("a booking, a series and a team booking answer with the thank-you address and the booking's facts; without one, or without parameters, as before", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, { username: "coach", weekly: WORKDAYS });
    const thanks = { thankYouUrl: "https://shop.example/thanks?from=invito" };
    await createEventType(app, host, { slug: "call", ...thanks, thankYouParams: true });
    await createEventType(app, host, {
      slug: "weekly",
      durationMin: 60,
      bookingWindowDays: 90,
      series: { everyWeeks: 1, count: 3, freeOnly: false },
      ...thanks,
      thankYouParams: true,
    });
    await createEventType(app, host, { slug: "plain-thanks", ...thanks, thankYouParams: false });
    await createEventType(app, host, { slug: "none" });

    const call = await bookSlot(app, {
      ...guest(),
      username: "coach",
      slug: "call",
      start: "2026-11-23T09:00:00Z",
    });
    await assertFacts(app, call, "call");
    assert.equal(new URL(call.ok ? call.thankYou! : "x:").searchParams.get("from"), "invito");

    const series = await bookSlot(app, {
      ...guest(),
      username: "coach",
      slug: "weekly",
      start: "2026-11-24T09:00:00Z",
    });
    await assertFacts(app, series, "weekly");

    const plain = await bookSlot(app, {
      ...guest(),
      username: "coach",
      slug: "plain-thanks",
      start: "2026-11-25T09:00:00Z",
    });
    assert.ok(plain.ok);
    assert.equal(plain.thankYou, "https://shop.example/thanks?from=invito");

    const none = await bookSlot(app, {
      ...guest(),
      username: "coach",
      slug: "none",
      start: "2026-11-26T09:00:00Z",
    });
    assert.ok(none.ok);
    assert.equal(none.thankYou, null);

    const { team } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    for (const teamMode of ["round_robin", "collective"] as const) {
      await seedTeamEventType(app, team, {
        slug: teamMode,
        teamMode,
        ...thanks,
        thankYouParams: true,
      });
      const r = await bookTeamSlot(app, {
        ...guest(),
        team: team.slug,
        slug: teamMode,
        start: teamMode === "collective" ? "2026-11-27T13:00:00Z" : "2026-11-27T10:00:00Z",
      });
      await assertFacts(app, r, teamMode);
    }
  } finally {
    app.close();
  }
});
