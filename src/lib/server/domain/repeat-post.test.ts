import assert from "node:assert/strict";
import {
  bookerPostEntry,
  decideBookerPost,
  FORM_LIFETIME_MS,
  isRepeatOf,
  mayBeRepeat,
} from "./repeat-post.ts";
import type { BookingRecord } from "./model/records.ts";

const NOW = Date.parse("2026-11-27T10:00:00Z");
const START = Date.parse("2026-11-30T09:00:00Z");

const booking = (over: Partial<BookingRecord> = {}): BookingRecord => ({
  v: 1,
  id: "01KB0000000000000000000000",
  hostId: "h",
  eventTypeId: "et",
  eventTitle: "Call",
  durationMin: 30,
  startMs: START,
  endMs: START + 1_800_000,
  blockStartMs: START,
  blockEndMs: START + 1_800_000,
  status: "CONFIRMED",
  guestName: "Gita",
  guestEmail: "Gita@Example.test",
  guestNote: "",
  guestTimeZone: "UTC",
  hostTimeZone: "UTC",
  createdAtMs: NOW - 60_000,
  reservedUntilMs: null,
  decidedAtMs: NOW - 60_000,
  endReason: null,
  history: [],
  tokenSalt: "salt",
  bookerTag: "tagOfThisBrowser",
  ...over,
});
const post = {
  eventTypeId: "et",
  startMs: START,
  email: "gita@example.test",
  bookerTag: "tagOfThisBrowser",
};

Deno.test("isRepeatOf: the same browser, event type, time and address (any case) within a form's lifetime", () => {
  assert.equal(isRepeatOf(booking(), post, NOW), true);
  assert.equal(
    isRepeatOf(booking({ status: "PENDING", reservedUntilMs: NOW + 1 }), post, NOW),
    true,
  );
  assert.equal(isRepeatOf(booking({ createdAtMs: NOW - FORM_LIFETIME_MS }), post, NOW), true);
});

Deno.test("isRepeatOf: anything else is not the post's booking", () => {
  const no: [string, Partial<BookingRecord>, Partial<typeof post>][] = [
    ["another browser", {}, { bookerTag: "tagOfAnotherOne" }],
    ["a booking made without a page's cookie (the API, the host, before ADR 060)", {
      bookerTag: undefined,
    }, {}],
    ["another address", {}, { email: "hari@example.test" }],
    ["another time", {}, { startMs: START + 1_800_000 }],
    ["another event type", {}, { eventTypeId: "other" }],
    ["cancelled", { status: "CANCELLED" }, {}],
    ["rejected", { status: "REJECTED" }, {}],
    ["a request whose hold ran out", { status: "PENDING", reservedUntilMs: NOW }, {}],
    ["made before the form could have been shown", { createdAtMs: NOW - FORM_LIFETIME_MS - 1 }, {}],
  ];
  for (const [why, b, p] of no) {
    assert.equal(isRepeatOf(booking(b), { ...post, ...p }, NOW), false, why);
  }
  // An empty tag never matches another empty one.
  assert.equal(isRepeatOf(booking({ bookerTag: "" }), { ...post, bookerTag: "" }, NOW), false);
});

Deno.test("mayBeRepeat: only a taken time or a held seat, and only with a tag, is worth a lookup", () => {
  assert.equal(mayBeRepeat("slot_taken", "t"), true);
  assert.equal(mayBeRepeat("already_seated", "t"), true);
  assert.equal(mayBeRepeat("slot_taken", undefined), false);
  for (const r of ["seats_full", "cap_reached", "too_many_pending", "busy", "slot_unavailable"]) {
    assert.equal(mayBeRepeat(r, "t"), false, r);
  }
});

Deno.test("decideBookerPost: a team's post whose guard names this browser's live booking of the same time is a repeat; anything else books and names itself", () => {
  const mine = booking({ id: "01KB0000000000000000000009", createdAtMs: NOW });
  const earlier = booking();
  assert.equal(decideBookerPost(mine, earlier, NOW), "repeated");
  const book = { book: { v: 1, bookingId: mine.id } };
  // No booking named, or one that no longer holds, or another address's, or past a form's life.
  assert.deepEqual(decideBookerPost(mine, null, NOW), book);
  assert.deepEqual(decideBookerPost(mine, booking({ status: "CANCELLED" }), NOW), book);
  assert.deepEqual(decideBookerPost(mine, booking({ guestEmail: "hari@example.test" }), NOW), book);
  assert.deepEqual(
    decideBookerPost(mine, earlier, earlier.createdAtMs + FORM_LIFETIME_MS + 1),
    book,
  );
  // The guard is per event type, browser and time; a booking without a tag has none.
  assert.deepEqual(bookerPostEntry(mine), {
    kind: "bookerPost",
    eventTypeId: "et",
    bookerTag: "tagOfThisBrowser",
    startMs: START,
  });
  assert.equal(bookerPostEntry(booking({ bookerTag: undefined })), null);
  assert.ok(mayBeRepeat("repeated", "t") && mayBeRepeat("link_used", "t"));
  assert.ok(!mayBeRepeat("repeated", undefined));
});
