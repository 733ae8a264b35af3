import assert from "node:assert/strict";
import { serialize } from "node:v8";
import { pollMeeting, VOTERS_BYTES, votersBytes, votersFit } from "./poll-voters.ts";
import type { GuestReader, PollVoteRecord } from "./model/records.ts";

const HOST: GuestReader = { locale: "en", timeZone: "Europe/Berlin", clock: "24h" };

const vote = (
  i: number,
  email: string,
  name: string,
  answers: PollVoteRecord["answers"] = ["no"],
  reader?: PollVoteRecord["reader"],
): PollVoteRecord => ({
  v: 1,
  pollId: "p",
  name,
  email,
  answers,
  atMs: i,
  ...(reader ? { reader } : {}),
});

const longest = (i: number) =>
  vote(
    i,
    (`v${i}.`.padEnd(64, "x") + "@" + ("d".repeat(60) + ".").repeat(3) + "example.test").slice(
      0,
      254,
    ),
    "会".repeat(100),
    ["yes"],
    { locale: "es", timeZone: "America/Argentina/ComodRivadavia", clock: "12h" },
  );

Deno.test("pollMeeting: the first who said yes is the guest (else maybe, else the first); every other voter an additional guest with their name and reading, the host's for a vote without one", () => {
  const votes = [
    vote(1, "a@x.test", "A", ["no", "maybe"]),
    vote(2, "b@x.test", "B", ["yes", "maybe"], { locale: "de", clock: "12h" }),
    vote(3, "c@x.test", "C", ["yes", "no"], {
      locale: "fr",
      timeZone: "Asia/Tokyo",
      clock: "24h",
    }),
  ];
  const m = pollMeeting(votes, 0, HOST);
  assert.equal(m.guest.email, "b@x.test");
  assert.deepEqual(m.guestReading, { locale: "de", timeZone: "Europe/Berlin", clock: "12h" });
  assert.deepEqual(m.additionalGuests, ["a@x.test", "c@x.test"]);
  assert.deepEqual(m.additionalGuestNames, { "a@x.test": "A", "c@x.test": "C" });
  assert.deepEqual(m.additionalGuestReaders["a@x.test"], HOST);
  assert.equal(pollMeeting(votes, 1, HOST).guest.email, "a@x.test");
  assert.equal(pollMeeting([votes[0]], 0, HOST).guest.email, "a@x.test");
});

Deno.test("votersBytes: bounds the V8 bytes of the voters' part of any meeting the pick books, the host's longest reading included", () => {
  const votes = Array.from(
    { length: 30 },
    (_, i) => i % 3 ? longest(i) : vote(i, `p${i}@x.test`, `Ünïcødé ${i} ✓`, ["yes"]),
  );
  const host = {
    locale: "es",
    timeZone: "America/Argentina/ComodRivadavia",
    clock: "12h",
  } as const;
  for (const i of [0, 1]) {
    const { guest: _, guestReading: __, ...fields } = pollMeeting(votes, i, host);
    assert.ok(serialize(fields).length <= votersBytes(votes));
  }
});

Deno.test("votersFit: 100 voters with addresses of 40 characters fit; of voters with the longest addresses and names, 25 do and a 26th does not", () => {
  const ordinary = Array.from({ length: 100 }, (_, i) =>
    vote(
      i,
      `firstname.lastname${String(i).padStart(3, "0")}@company-example.com`,
      `Firstname Lastname ${i}`,
      ["yes"],
      { locale: "de", timeZone: "America/New_York", clock: "24h" },
    ));
  assert.ok(votersFit(ordinary), `${votersBytes(ordinary)} > ${VOTERS_BYTES}`);
  const worst = Array.from({ length: 30 }, (_, i) => longest(i));
  const fit = worst.findIndex((_, n) => !votersFit(worst.slice(0, n + 1)));
  assert.equal(fit, 25, "the first voter that no longer fits (counted from 0)");
});
