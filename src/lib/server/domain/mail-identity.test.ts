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

Deno.test("mailMessageId: the additional guests' mail of each way of reading is a mail of its own, in Message-ID characters, one name to one zone", () => {
  const of = (readers?: string) =>
    mailMessageId({ bookingId: ID, kind: "guests_invited", readers }, "invito.test");
  const ids = [
    of(),
    of("es~America/Mexico_City~12h"),
    of("de~Europe/Berlin~24h"),
    of("en~Etc/GMT+5~24h"),
    of("en~Etc/GMT-5~24h"),
  ];
  assert.equal(ids[0], `<${ID}.guests_invited@invito.test>`, "without readers: as before");
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) {
    // RFC 5322 dot-atom-text: atext runs joined by single dots.
    assert.match(
      id,
      /^<[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+)*@[a-z.]+>$/,
      id,
    );
  }
});
