/**
 * Who is the last one coming to a meeting the host invited people to, and whose decline ended it
 * (ADR 050, amendment "declining"): what a decline page says before the press and the decliner's
 * mail after it.
 */
import assert from "node:assert/strict";
import { isLastAttendee, lastToDecline, withDeclined } from "./attendees.ts";
import type { BookingRecord } from "./model/records.ts";

const ANN = "ann@example.test";
const BOB = "bob@example.test";

/** A poll's meeting: Ann its guest, Bob its other invitee. */
const meeting = {
  invitedBy: "host",
  status: "CONFIRMED",
  endReason: null,
  guestEmail: ANN,
  guestName: "Ann",
  additionalGuests: [BOB],
  additionalGuestNames: { [BOB]: "Bob" },
} as unknown as BookingRecord;

const cancelled = (b: BookingRecord, endReason: string) =>
  ({ ...b, status: "CANCELLED", endReason }) as BookingRecord;

Deno.test("isLastAttendee: only the one invitee still coming (any case), never one who declined", () => {
  assert.equal(isLastAttendee(meeting, BOB), false);
  const annOut = withDeclined(meeting, ANN, 1);
  assert.equal(isLastAttendee(annOut, "BOB@example.test"), true);
  assert.equal(isLastAttendee(annOut, ANN), false);
  const bobOut = withDeclined(meeting, BOB, 1);
  assert.equal(isLastAttendee(bobOut, ANN), true);
});

Deno.test("lastToDecline: the invitee whose decline cancelled the meeting; none while it goes on or when the host ended it", () => {
  const both = withDeclined(withDeclined(meeting, ANN, 1), BOB, 2);
  assert.equal(lastToDecline(withDeclined(meeting, ANN, 1)), null);
  assert.equal(lastToDecline(both), null, "not cancelled (yet)");
  assert.equal(lastToDecline(cancelled(both, "cancelled_by_guest")), BOB);
  assert.equal(lastToDecline(cancelled(withDeclined(meeting, ANN, 1), "cancelled_by_host")), null);
  assert.equal(lastToDecline(cancelled(meeting, "cancelled_by_host")), null);
});
