/**
 * The .ics a guest downloads from their booking page: the invitation they were mailed (one
 * meeting, one UID, the same attendees), and from an old link the booking it became.
 */
import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { rescheduleByGuest } from "./decide-booking.ts";
import { icsForGuestToken } from "./booking-view.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";

const AT = "2026-11-23T10:00:00Z";
const guest = {
  start: AT,
  name: "Ann",
  email: "ann@example.test",
  note: "",
  timeZone: "Europe/Berlin",
  guests: "cy@example.test, di@example.test",
};

/** A calendar's event as lines (unfolded), without its DTSTAMP (when the file was made). */
const eventLines = (ics: string) => {
  const lines = ics.replace(/\r\n[ \t]/g, "").split("\r\n");
  return lines.slice(lines.indexOf("BEGIN:VEVENT"), lines.indexOf("END:VEVENT") + 1)
    .filter((l) => !l.startsWith("DTSTAMP:"));
};

/** The guest's confirmation mail's invitation. */
async function mailedInvitation(app: TestApp) {
  await deliverOutbox(app, app.now());
  const mail = app.mailer.sent.find((m) => m.to === "ann@example.test" && m.icalEvent);
  assert.ok(mail?.icalEvent, "the guest was mailed an invitation");
  return mail.icalEvent.content;
}

Deno.test("guest's .ics download: the invitation they were mailed — same UID and SEQUENCE, the additional guests among its attendees", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", requiresConfirmation: false });
  const r = await bookSlot(app, { username: "host", slug: "call", ...guest });
  assert.ok(r.ok, JSON.stringify(r));
  const mailed = eventLines(await mailedInvitation(app));
  const file = await icsForGuestToken(app, r.guestToken);
  assert.ok(file);
  assert.deepEqual(eventLines(file.body), mailed);
  assert.ok(mailed.some((l) => l.includes("mailto:cy@example.test")), mailed.join("\n"));
  app.close();
});

Deno.test("guest's .ics download: a collective booking's file names every member, as its mail does", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { team } = await seedTeam(app, {
    name: "Die Crew",
    members: [{ username: "ann-h" }, { username: "ben" }, { username: "cleo" }],
  });
  await seedTeamEventType(app, team, { slug: "panel", title: "Panel", teamMode: "collective" });
  const r = await bookTeamSlot(app, { team: "crew", slug: "panel", ...guest });
  assert.ok(r.ok, JSON.stringify(r));
  const mailed = eventLines(await mailedInvitation(app));
  const file = await icsForGuestToken(app, r.guestToken);
  assert.ok(file);
  assert.deepEqual(eventLines(file.body), mailed);
  for (const who of ["ben@example.test", "cleo@example.test", "di@example.test"]) {
    assert.ok(mailed.some((l) => l.includes(`mailto:${who}`)), who);
  }
  app.close();
});

Deno.test("guest's .ics download: an old link (the first mail's) after a move answers the booking it became", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", requiresConfirmation: false });
  const r = await bookSlot(app, { username: "host", slug: "call", ...guest });
  assert.ok(r.ok, JSON.stringify(r));
  const moved = await rescheduleByGuest(app, r.guestToken, "2026-11-24T11:00:00Z");
  assert.ok(moved.ok, JSON.stringify(moved));
  const again = await rescheduleByGuest(app, moved.guestToken, "2026-11-25T12:00:00Z");
  assert.ok(again.ok, JSON.stringify(again));
  const old = await icsForGuestToken(app, r.guestToken);
  assert.ok(old, "the first link still gives a calendar file");
  const current = await icsForGuestToken(app, again.guestToken);
  assert.equal(old.body, current!.body);
  assert.ok(eventLines(old.body).includes("DTSTART:20261125T120000Z"), old.body);
  await settleCounts();
  app.close();
});
