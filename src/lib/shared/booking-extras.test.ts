import assert from "node:assert/strict";
import { decideSource, SOURCE_MAX } from "./booking-extras.ts";
import { decideGuests } from "./booking-guests.ts";

Deno.test("decideSource: control and bidi characters become spaces, over-long or empty values are dropped, others ignored", () => {
  const q = new URLSearchParams({
    utm_source: "  news\u0000letter  ",
    utm_medium: "e\u202email",
    utm_campaign: "x".repeat(SOURCE_MAX + 1),
    utm_term: "   ",
    ref: "x".repeat(SOURCE_MAX),
    other: "ignored",
  });
  assert.deepEqual(decideSource((f) => q.get(f)), {
    utm_source: "news letter",
    utm_medium: "e mail",
    ref: "x".repeat(SOURCE_MAX),
  });
  assert.equal(decideSource(() => null), null);
  assert.equal(decideSource(() => 42), null, "only text counts");
});

Deno.test("decideGuests: separators of every kind, repeats and the guest's own address dropped, limits kept", () => {
  assert.deepEqual(
    decideGuests(
      " a@example.test;\nB@Example.test, a@EXAMPLE.test  me@example.test ",
      5,
      "Me@example.test",
    ),
    { ok: true, guests: ["a@example.test", "B@Example.test"] },
  );
  assert.deepEqual(decideGuests("", 0, "me@example.test"), { ok: true, guests: [] });
  assert.deepEqual(decideGuests("a@example.test", 0, "me@example.test"), {
    ok: false,
    error: "booking.guests_off",
  });
  const three = "a@example.test b@example.test c@example.test";
  assert.deepEqual(decideGuests(three, 2, "me@example.test"), {
    ok: false,
    error: 'booking.guests_too_many|{"max":2}',
  });
  assert.deepEqual(decideGuests("a@example.test, nope", 5, "me@example.test"), {
    ok: false,
    error: 'booking.guests_invalid|{"email":"nope"}',
  });
  // A pasted "Name <address>" list is read by its addresses only when they stand alone.
  assert.deepEqual(decideGuests("<a@example.test>", 5, "me@example.test"), {
    ok: true,
    guests: ["a@example.test"],
  });
});

Deno.test("decideGuests: an additional guest's address is taken where the guest's own is (o'brien, +tags) and refused where it is refused", () => {
  assert.deepEqual(decideGuests("o'brien@example.ie, Ann+team@Example.org", 5, "me@example.test"), {
    ok: true,
    guests: ["o'brien@example.ie", "Ann+team@Example.org"],
  });
  for (const bad of ["a..b@example.com", "a@b", "ann%x@example.com"]) {
    assert.deepEqual(decideGuests(bad, 5, "me@example.test"), {
      ok: false,
      error: `booking.guests_invalid|${JSON.stringify({ email: bad })}`,
    }, bad);
  }
});
