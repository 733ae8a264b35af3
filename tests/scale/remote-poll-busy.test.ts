/**
 * An invitee answering a poll while other votes keep landing before theirs for seconds, over
 * HTTP on a process sharing a remote KV: every write of their vote finds a checked key changed
 * (the KV Connect test server's `failChecks`, as a crowd that keeps winning would). Past the
 * vote's patience the page answers 503 with Retry-After, in a poll's words and the page's
 * language (it said the booking pages' "many people are booking"), with what they typed given
 * back; nothing is stored. Sent again once the crowd has passed, it is stored and thanked.
 */
import assert from "node:assert/strict";
import { type Cluster, servicesOn, startCluster } from "../support/cluster.ts";
import { createEventType, createHost, WORKDAYS } from "../support/memory-app.ts";
import { createPoll } from "../../src/lib/server/services/polls.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import en from "../../src/lib/messages/en.json" with { type: "json" };
import de from "../../src/lib/messages/de.json" with { type: "json" };

const DAY = 86_400_000;

/** The vote form as a browser without JavaScript sends it, in German. */
function vote(c: Cluster, token: string, form: Record<string, string>) {
  return fetch(`${c.baseUrl}/poll/${token}?/vote`, {
    method: "POST",
    headers: {
      origin: c.baseUrl,
      accept: "text/html",
      "accept-language": "de",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
}

/** Text as the page prints it (`–`, `’` and `—` stay; `&` and quotes are escaped). */
const html = (s: string) => s.replaceAll("&", "&amp;").replaceAll('"', "&quot;");

Deno.test({
  name:
    "remote KV: a poll vote that keeps losing to other votes for seconds is answered 503 with Retry-After in a poll's words and the page's language, the answers typed kept; nothing is stored, and sent again it is",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let seedKv: Deno.Kv | undefined;
    let token = "";
    let pollId = "";
    const secret = `remote-poll-busy-${crypto.randomUUID()}`.padEnd(48, "x");
    await using c: Cluster = await startCluster({
      processes: 1,
      env: { INVITO_RATE_LIMIT: "off", INVITO_SESSION_SECRET: secret },
      beforeStart: async (kvs) => {
        const seeded = await servicesOn(kvs, secret);
        seedKv = seeded.kv;
        const app = seeded.app;
        const host = await createHost(app, { username: "crowded", weekly: WORKDAYS });
        await createEventType(app, host, { slug: "chat", requiresConfirmation: false } as never);
        // Two weekday mornings some weeks ahead: open for answers whatever today is.
        const monday = Date.UTC(2027, 0, 4, 9);
        const week = Math.ceil((Date.now() + 7 * DAY - monday) / (7 * DAY));
        const starts = [0, 1].map((d) => new Date(monday + week * 7 * DAY + d * DAY).toISOString());
        const made = await createPoll(app, host, { slug: "chat", title: "Crowded poll", starts });
        assert.ok(made.ok, JSON.stringify(made));
        token = new URL(made.url).pathname.split("/").pop()!;
        pollId = made.poll.id;
      },
    });
    try {
      const form = { name: "Ada Lovelace", email: "ada@example.test", t0: "yes", t1: "maybe" };
      c.kv.faults.set({ failChecks: 1_000_000, matchKey: "poll_vote" });
      const busy = await vote(c, token, form);
      const page = await busy.text();
      assert.equal(busy.status, 503, page.slice(0, 300));
      assert.ok(Number(busy.headers.get("retry-after")) > 0, "it says when to send again");
      assert.ok(page.includes(html(de["poll.busy"])), "said in a poll's words, in German");
      assert.ok(!page.includes(html(de["refusal.busy"])), "not the booking pages' words");
      assert.ok(!page.includes(html(en["poll.busy"])), "not in English");
      assert.match(page, /value="Ada Lovelace"/, "the name typed is given back");
      assert.match(page, /value="ada@example\.test"/, "the address typed is given back");
      assert.ok(c.kv.stats().injected.failChecks > 0, "the vote's writes were refused");
      assert.equal((await seedKv!.get(keys.pollVote(pollId, "ada@example.test"))).value, null);

      c.kv.faults.set({ failChecks: 0 });
      const again = await vote(c, token, form);
      assert.equal(again.status, 200, (await again.text()).slice(0, 300));
      const stored = await seedKv!.get<{ answers: string[] }>(
        keys.pollVote(pollId, "ada@example.test"),
      );
      assert.deepEqual(stored.value?.answers, ["yes", "maybe"], "stored as sent");
      assert.doesNotMatch(c.apps.map((a) => a.logs()).join("\n"), /\[error /);
    } finally {
      seedKv?.close();
    }
  },
});
