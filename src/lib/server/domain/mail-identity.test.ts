import assert from "node:assert/strict";
import { mailMessageId } from "./mail-identity.ts";

const ID = "01M7VZGC008ZV5GV6TC05CV8JN";
const ANN = "01M7VZGC008ZV5GV6TC05CV8AA";
const BEN = "01M7VZGC008ZV5GV6TC05CV8BB";

Deno.test("mailMessageId: a first mail keeps the form it had; an update, another member's copy or another reminder is a mail of its own", () => {
  const first = mailMessageId({ bookingId: ID, kind: "guest_confirmed" }, "invito.test");
  assert.equal(first, `<${ID}.guest_confirmed@invito.test>`);
  assert.equal(
    mailMessageId({ bookingId: ID, kind: "guest_confirmed", revision: 0 }, "invito.test"),
    first,
  );
  const ids = [
    first,
    mailMessageId({ bookingId: ID, kind: "guest_confirmed", revision: 1 }, "invito.test"),
    mailMessageId({ bookingId: ID, kind: "host_booked", personId: ANN }, "invito.test"),
    mailMessageId({ bookingId: ID, kind: "host_booked", personId: BEN }, "invito.test"),
    mailMessageId({ bookingId: ID, kind: "reminder_host", occasion: 60, personId: ANN }, "x.test"),
    mailMessageId(
      { bookingId: ID, kind: "reminder_host", occasion: 1440, personId: ANN },
      "x.test",
    ),
  ];
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^<[0-9A-Za-z_.]+@[a-z.]+>$/, "an RFC 5322 msg-id");
});
