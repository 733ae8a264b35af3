/**
 * A meeting poll's first voter who declined stays the booking's guest (attendees.ts) but no
 * longer comes: the calendar entries' titles name who still comes. The host's entry read
 * "Tour meeting with First Invitee and Second Invitee" after the first had declined.
 */
import assert from "node:assert/strict";
import { icsSummaryForGuest, icsSummaryForHost } from "./ics-text.ts";
import { translator } from "../../i18n.ts";
import type { BookingRecord } from "../../domain/model/records.ts";

const meeting = (declined: BookingRecord["declined"]) =>
  ({
    eventTitle: "Tour meeting",
    guestName: "First Invitee",
    guestEmail: "first@example.test",
    guestNote: "",
    answers: [],
    location: null,
    status: "CONFIRMED",
    additionalGuests: ["second@example.test"],
    additionalGuestNames: { "second@example.test": "Second Invitee" },
    invitedBy: "host",
    declined,
  }) as unknown as BookingRecord;

Deno.test("calendar titles of a poll meeting name the invitees still coming, not one who declined", () => {
  const t = translator("en");
  assert.equal(
    icsSummaryForHost(meeting([]), t),
    "Tour meeting with First Invitee and Second Invitee",
  );
  const declined = meeting([{ email: "first@example.test", name: "First Invitee", atMs: 0 }]);
  assert.equal(icsSummaryForHost(declined, t), "Tour meeting with Second Invitee");
  // The second invitee's own entry: the meeting with the host, no longer with the first.
  const guest = icsSummaryForGuest(declined, "Demo Host", t);
  assert.doesNotMatch(guest, /First Invitee/, guest);
  assert.match(guest, /Second Invitee/, guest);
});
