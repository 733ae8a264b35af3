import assert from "node:assert/strict";
import * as v from "valibot";
import { EmailForm, m } from "./common.ts";
import { BookingForm, GuestFields } from "./booking.ts";

const booking = (email: string) => ({
  name: "Seán",
  email,
  note: "",
  start: "2026-03-02T09:00:00Z",
  tz: "Europe/Dublin",
});

const ACCEPTED = [
  "sean.o'brien@example.ie",
  "O'Neill@Example.IE",
  "ann+invito@example.org",
  "first_last-1@mail.example.co.uk",
  "a&b=c@example.com",
  "x{y}|z~@example.com",
  `${"a".repeat(64)}@example.com`, // the longest local part RFC 5321 lets a server take
];
const REFUSED = [
  "sean o'brien@example.ie", // a space
  '"sean"@example.ie', // quotes
  "sean\u0000@example.ie", // control characters
  "se\tan@example.ie",
  "sean@example", // no dot in the domain
  "sean@localhost",
  ".sean@example.ie", // dots only between atoms
  "sean.@example.ie",
  "se..an@example.ie",
  "sean@@example.ie",
  "sean",
  "sean@exa_mple.ie",
  "sean@-example.ie",
  "sean#1@example.ie", // a fragment in a mailto: link
  "sean?x@example.ie", // a query in a mailto: link
  "sean%x@example.ie", // percent-encoding in a mailto: link
  "sean/x@example.ie",
  `${"a".repeat(65)}@example.com`, // past RFC 5321's 64: mail servers refuse to deliver it
];

Deno.test("email rule: an apostrophe and the other RFC 5322 atom characters are accepted by sign-in and by the booking form", () => {
  for (const email of ACCEPTED) {
    assert.ok(v.safeParse(EmailForm, { email }).success, `sign-in: ${email}`);
    assert.ok(v.safeParse(BookingForm, booking(email)).success, `booking: ${email}`);
    assert.ok(
      v.safeParse(GuestFields, { name: "Seán", email, note: "" }).success,
      `host books for a guest: ${email}`,
    );
  }
});

Deno.test("email rule: spaces, quotes, control characters, a domain without a dot and URI delimiters are refused with the form's message", () => {
  for (const email of REFUSED) {
    for (
      const [what, res] of [
        ["sign-in", v.safeParse(EmailForm, { email })],
        ["booking", v.safeParse(BookingForm, booking(email))],
      ] as const
    ) {
      assert.ok(!res.success, `${what}: ${JSON.stringify(email)}`);
      const issue = res.issues.find((i) => i.path?.[0]?.key === "email");
      assert.equal(issue?.message, m("forms.email_invalid"), `${what}: ${JSON.stringify(email)}`);
    }
  }
});
