/**
 * A host picks a poll's time while its invitees keep answering (ADR 050): every answer changes
 * the votes the pick must book, so without a way to make the answers wait the pick lost every
 * round to the crowd and told the host "busy".
 */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { createPoll } from "./polls.ts";
import { votePoll } from "./poll-votes.ts";
import { pickPollTime } from "./poll-pick.ts";
import { PICK_HOLD_MS } from "../domain/poll-voters.ts";
import { holdVotes, listVotes } from "../store/polls.ts";
import { getBooking } from "../store/bookings.ts";

const T = ["2026-11-23T10:00:00Z", "2026-11-23T13:00:00Z"];

Deno.test("pickPollTime: a pick while 12 invitees keep changing their answers and 12 more answer for the first time books the meeting, with exactly the invitees whose answers were stored", async () => {
  for (let round = 0; round < 4; round++) {
    const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
    const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(app, host, {
      slug: "chat",
      requiresConfirmation: false,
      minNoticeMin: 0,
    } as never);
    const made = await createPoll(app, host, { slug: "chat", title: "Sync", starts: T });
    assert.ok(made.ok);
    const token = new URL(made.url).pathname.split("/").pop()!;
    const vote = (email: string, voterToken: string | null, t1: string) =>
      votePoll(app, token, {
        name: email.split("@")[0],
        email,
        answers: { t0: "yes", t1 },
        voterToken,
        client: crypto.randomUUID(),
      });
    const early = await Promise.all(
      Array.from({ length: 12 }, (_, i) => vote(`early${i}@example.test`, null, "no")),
    );
    const tokens = early.map((r) => {
      assert.ok(r.ok);
      return r.voterToken;
    });
    // Each early invitee changes their mind again and again; newcomers answer meanwhile.
    const changing = tokens.map(async (t, i) => {
      const out = [];
      for (let k = 0; k < 6; k++) {
        out.push(await vote(`early${i}@example.test`, t, k % 2 ? "no" : "maybe"));
      }
      return out;
    });
    const newcomers = Array.from(
      { length: 12 },
      (_, i) => vote(`new${i}@example.test`, null, "no"),
    );
    const [pick, ...rest] = await Promise.all([
      pickPollTime(app, host, made.poll.id, T[0]),
      ...newcomers,
    ]);
    const changes = (await Promise.all(changing)).flat();
    assert.ok(pick.ok, `round ${round}: the pick books (${JSON.stringify(pick)})`);
    // Every answer either landed (the invitee is in the meeting) or was told the poll closed.
    for (const r of [...rest, ...changes]) {
      assert.ok(r.ok || r.reason === "closed", JSON.stringify(r));
    }
    const booking = (await getBooking(app.kv, pick.bookingId))!;
    const invited = [booking.guestEmail, ...(booking.additionalGuests ?? [])].sort();
    const stored = (await listVotes(app.kv, made.poll.id)).map((v) => v.email).sort();
    assert.deepEqual(invited, stored);
    const thankedNew = rest.filter((r) => r.ok).length;
    assert.equal(stored.length, 12 + thankedNew);
    app.close();
  }
});

Deno.test("votePoll: a pick that died while holding the answers back delays answers only for a bounded time, and the next pick books them", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "chat",
    requiresConfirmation: false,
    minNoticeMin: 0,
  } as never);
  const made = await createPoll(app, host, { slug: "chat", title: "Sync", starts: T });
  assert.ok(made.ok);
  const token = new URL(made.url).pathname.split("/").pop()!;
  const answer = (email: string) =>
    votePoll(app, token, { name: email, email, answers: { t0: "yes" }, client: email });
  // The pick's process died after its hold landed: nothing lifts it. This test's clock stands
  // still, so the hold stays within its time: the answer waits its bounded while, then lands.
  assert.ok(await holdVotes(app.kv, made.poll.id, null, app.now() + PICK_HOLD_MS));
  const ida = await answer("ida@example.test");
  assert.ok(ida.ok, JSON.stringify(ida));
  // Past the hold's time: answers go on, and so does the next pick.
  app.clock.ms += PICK_HOLD_MS + 1;
  const ben = await answer("ben@example.test");
  assert.ok(ben.ok, JSON.stringify(ben));
  const pick = await pickPollTime(app, host, made.poll.id, T[0]);
  assert.ok(pick.ok, JSON.stringify(pick));
  const booking = (await getBooking(app.kv, pick.bookingId))!;
  assert.deepEqual(
    [booking.guestEmail, ...(booking.additionalGuests ?? [])].sort(),
    ["ben@example.test", "ida@example.test"],
  );
  app.close();
});
