/**
 * The invitee's side of a meeting poll (poll-votes.ts): a vote belongs to whoever holds its token,
 * and its holder changes every part of it — their address included.
 */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { createPoll } from "./polls.ts";
import { votePoll } from "./poll-votes.ts";
import { listVotes, MAX_VOTES } from "../store/polls.ts";
import { sha256Hex } from "../integrations/crypto.ts";

const T = ["2026-11-23T10:00:00Z", "2026-11-23T13:00:00Z"];

async function setup() {
  // Friday 2026-11-20 08:00 UTC; the host works weekdays 09–17 UTC.
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "chat",
    requiresConfirmation: false,
    minNoticeMin: 0,
  } as never);
  const made = await createPoll(app, host, { slug: "chat", title: "Sync", starts: T });
  assert.ok(made.ok);
  return { app, host, poll: made.poll, token: new URL(made.url).pathname.split("/").pop()! };
}

const vote = (
  app: TestApp,
  token: string,
  email: string,
  voterToken: string | null = null,
  answers: Record<string, string> = { t0: "yes", t1: "no" },
) =>
  votePoll(app, token, {
    name: email.split("@")[0],
    email,
    answers,
    voterToken,
    // Each its own connection: the limit on new invitees per client is not what is tested.
    client: crypto.randomUUID(),
  });

Deno.test("votePoll: the voter who fixes a typo in their address changes their own vote (one invitee, the new address), and an address another invitee answered with stays refused", async () => {
  const { app, poll, token } = await setup();
  const first = await vote(app, token, "ann@exmaple.test");
  assert.ok(first.ok);
  const fixed = await vote(app, token, "ann@example.test", first.voterToken, {
    t0: "yes",
    t1: "yes",
  });
  assert.ok(fixed.ok);
  // The same token: the personal link already sent keeps working.
  assert.equal(fixed.voterToken, first.voterToken);
  let votes = await listVotes(app.kv, poll.id);
  assert.deepEqual(votes.map((v) => [v.email, v.answers.join()]), [[
    "ann@example.test",
    "yes,yes",
  ]]);

  // Ben answers; Ann's token cannot take his address, and his vote stays as it was.
  const ben = await vote(app, token, "ben@example.test");
  assert.ok(ben.ok);
  const grab = await vote(app, token, "BEN@example.test", first.voterToken, { t0: "no" });
  assert.deepEqual(grab, { ok: false, reason: "taken" });
  votes = await listVotes(app.kv, poll.id);
  assert.deepEqual(votes.map((v) => [v.email, v.answers.join()]), [
    ["ann@example.test", "yes,yes"],
    ["ben@example.test", "yes,no"],
  ]);
  app.close();
});

Deno.test("votePoll: of a voter moving to an address while 19 newcomers answer with it at once, exactly one gets it; the voter never has two votes", async () => {
  for (let round = 0; round < 5; round++) {
    const { app, poll, token } = await setup();
    const ann = await vote(app, token, "ann@exmaple.test");
    assert.ok(ann.ok);
    const results = await Promise.all([
      vote(app, token, "ann@example.test", ann.voterToken),
      ...Array.from({ length: 19 }, () => vote(app, token, "ann@example.test")),
    ]);
    const votes = await listVotes(app.kv, poll.id);
    const target = votes.filter((v) => v.email === "ann@example.test");
    assert.equal(target.length, 1);
    assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results));
    const annHash = await sha256Hex(ann.voterToken);
    assert.equal(votes.filter((v) => v.voterHash === annHash).length, 1);
    // Her move won: one vote; a newcomer won: hers stays at the typo, beside theirs.
    assert.equal(votes.length, results[0].ok ? 1 : 2);
    for (const r of results.filter((r) => !r.ok)) {
      assert.deepEqual(r, { ok: false, reason: "taken" });
    }
    app.close();
  }
});

Deno.test("votePoll: ten changes of one voter's address sent at once leave exactly one vote of theirs, at one of the addresses", async () => {
  const { app, poll, token } = await setup();
  const ann = await vote(app, token, "ann@exmaple.test");
  assert.ok(ann.ok);
  const addresses = Array.from({ length: 10 }, (_, i) => `ann${i}@example.test`);
  const results = await Promise.all(addresses.map((a) => vote(app, token, a, ann.voterToken)));
  const votes = await listVotes(app.kv, poll.id);
  assert.equal(votes.length, 1, JSON.stringify(votes.map((v) => v.email)));
  assert.ok(addresses.includes(votes[0].email));
  assert.equal(votes[0].voterHash, await sha256Hex(ann.voterToken));
  assert.ok(results.some((r) => r.ok));
  app.close();
});

Deno.test("votePoll: the vote keeps how its voter read the page (language, the zone it named, clock), for their mails; a vote without keeps none", async () => {
  const { app, poll, token } = await setup();
  const reader = { locale: "es", timeZone: "America/Mexico_City", clock: "12h" as const };
  assert.ok(
    (await votePoll(app, token, {
      name: "Xavi",
      email: "xavi@example.test",
      answers: { t0: "yes" },
      reader,
    })).ok,
  );
  assert.ok((await vote(app, token, "old@example.test")).ok);
  const votes = await listVotes(app.kv, poll.id);
  const readerOf = (email: string) => votes.find((v) => v.email === email)?.reader;
  assert.deepEqual(readerOf("xavi@example.test"), reader);
  assert.equal(readerOf("old@example.test"), undefined);
  app.close();
});

/**
 * `kv` whose atomic writes of a vote first let `before` run (another process's write landing
 * between the vote's read and its commit).
 */
function beatenBy(kv: Deno.Kv, before: () => Promise<void>): Deno.Kv {
  const atomic = () => {
    const op = kv.atomic();
    let ofVote = false;
    const wrapped: Deno.AtomicOperation = new Proxy(op, {
      get(o, p) {
        if (p === "commit") {
          return async () => {
            if (ofVote) await before();
            return await o.commit();
          };
        }
        const f = Reflect.get(o, p, o);
        if (typeof f !== "function") return f;
        return (...args: unknown[]) => {
          if (p === "set" && (args[0] as Deno.KvKey)[0] === "poll_vote") ofVote = true;
          f.apply(o, args);
          return wrapped;
        };
      },
    });
    return wrapped;
  };
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") return atomic;
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

Deno.test("votePoll: a new invitee is recorded while another invitee changes their answers just before each of its writes (as often as a poll has voters and more) — never told their address is someone else's", async () => {
  const { app, poll, token } = await setup();
  // Another process, on the same store.
  const other = await memoryApp({ kv: app.kv, nowIso: "2026-11-20T08:00:00Z" });
  const early = await vote(other, token, "early@example.test");
  assert.ok(early.ok);
  // Before each of the newcomer's writes the early invitee changes their answers (each change
  // rewrote the votes revision that the newcomer's write checked: it lost every round, and was
  // told "taken" after MAX_VOTES + 3).
  let beaten = 0;
  const real = app.kv;
  app.kv = beatenBy(real, async () => {
    if (beaten >= MAX_VOTES + 5) return;
    const t1 = beaten++ % 2 ? "no" : "yes";
    const changed = await vote(other, token, "early@example.test", early.voterToken, {
      t0: "yes",
      t1,
    });
    assert.ok(changed.ok);
  });
  const late = await vote(app, token, "late@example.test");
  app.kv = real;
  assert.ok(late.ok, `the newcomer is thanked (${JSON.stringify(late)})`);
  assert.ok(beaten > 0, "a change landed before the newcomer's write");
  const votes = await listVotes(real, poll.id);
  assert.deepEqual(votes.map((v) => v.email).sort(), ["early@example.test", "late@example.test"]);
  const mine = votes.find((v) => v.email === "late@example.test")!;
  assert.equal(mine.voterHash, await sha256Hex(late.voterToken));
});
