/**
 * Meeting polls (issue 28), the voters' side over HTTP as people use it without scripts: a vote
 * belongs to whoever cast it (ADR 050). Casting one hands back a personal token — a cookie for
 * this poll's path and a personal link — and only that token changes those answers; typing
 * someone else's address is refused, and one client adds only so many new invitees.
 */
import assert from "node:assert/strict";
import { fromTomorrow, startsIn } from "../support/slots.ts";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { createClient } from "../support/http.ts";

const HOST = "demo@invito.example";

/** The host's poll of `n` free quick-chat times: its id and its link's path. */
async function makePoll(host: Awaited<ReturnType<typeof signInByLink>>, title: string, n = 2) {
  const page = await host.get("/dashboard/polls?type=quick-chat");
  const free = fromTomorrow(startsIn(page.body));
  const form = new URLSearchParams({ type: "quick-chat", title });
  for (const s of free.slice(0, n)) form.append("start", s);
  const made = await host.post("/dashboard/polls?/create", form);
  assert.equal(made.status, 200, made.body.slice(0, 300));
  return {
    id: [...made.body.matchAll(/href="\/dashboard\/polls\/([0-9A-Z]{26})"/g)].map((m) => m[1])[0],
    path: new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname,
    times: free.slice(0, n),
  };
}

/** The matrix row of an invitee: their answers in the host's words. */
function rowOf(matrix: string, name: string): string[] {
  const row = new RegExp(`<th scope="row"[^>]*>${name}</th>([\\s\\S]*?)</tr>`).exec(matrix);
  return row ? [...row[1].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]) : [];
}

Deno.test({
  name:
    "meeting poll over HTTP: another person cannot overwrite a vote by typing its address; its voter changes it with their cookie or personal link",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signInByLink(app, HOST, { smtp });
    const poll = await makePoll(host, "Who decides");
    const ann = createClient(app.baseUrl);
    const mallory = createClient(app.baseUrl);

    const cast = await ann.post(`${poll.path}?/vote`, {
      name: "Ann",
      email: "ann@example.test",
      t0: "yes",
      t1: "no",
    });
    assert.equal(cast.status, 200, cast.body.slice(0, 300));
    // Her token: a cookie for this poll's path only, and a personal link on the page.
    const cookie = ann.cookies({ all: true }).find((c) => c.name === "invito_poll_voter");
    assert.ok(cookie, "the voter's browser keeps her token");
    assert.equal(cookie.path, poll.path);
    assert.ok(cookie.httpOnly);
    const link = /data-testid="voter-link">([^<]+)</.exec(cast.body)?.[1].replace(/&amp;/g, "&");
    assert.ok(link?.includes(`${poll.path}?voter=`), "a personal link to change the answers");

    // Someone else with the poll's link types Ann's address: refused with words, in any spelling
    // of it, with a made-up token, and Ann's answers stay as she gave them.
    for (
      const form of <Record<string, string>[]> [
        { name: "Mallory", email: "ann@example.test", t0: "no", t1: "yes" },
        { name: "Mallory", email: " ANN@Example.test ", t0: "no", t1: "yes" },
        { name: "Mallory", email: "ann@example.test", t0: "no", voter: "x".repeat(32) },
      ]
    ) {
      const res = await mallory.post(`${poll.path}?/vote`, form);
      assert.equal(res.status, 409, JSON.stringify(form));
      assert.match(res.body, /Someone has already answered with this address\./);
    }
    let matrix = (await host.get(`/dashboard/polls/${poll.id}`)).body;
    assert.deepEqual(rowOf(matrix, "Ann"), ["Yes", "No"]);
    assert.deepEqual(rowOf(matrix, "Mallory"), []);

    // Ann's own browser changes them (its cookie); the page shows her answers to change.
    const again = await ann.get(poll.path);
    assert.match(again.body, /data-testid="voter-editing"/);
    assert.match(again.body, /value="ann@example\.test"/);
    const changed = await ann.post(`${poll.path}?/vote`, {
      name: "Ann",
      email: "ann@example.test",
      t0: "maybe",
      t1: "yes",
    });
    assert.equal(changed.status, 200, changed.body.slice(0, 300));
    matrix = (await host.get(`/dashboard/polls/${poll.id}`)).body;
    assert.deepEqual(rowOf(matrix, "Ann"), ["If need be", "Yes"]);

    // Her personal link, opened in another browser, brings her answers and changes them (the
    // form carries the token; no cookie needed).
    const phone = createClient(app.baseUrl);
    const opened = await phone.get(link!);
    assert.equal(opened.status, 200);
    assert.match(opened.body, /data-testid="voter-editing"/);
    const token = new URL(link!).searchParams.get("voter")!;
    assert.match(opened.body, new RegExp(`name="voter" value="${token}"`));
    const fromLink = await createClient(app.baseUrl).post(`${poll.path}?/vote`, {
      name: "Ann B.",
      email: "ann@example.test",
      t0: "no",
      t1: "yes",
      voter: token,
    });
    assert.equal(fromLink.status, 200, fromLink.body.slice(0, 300));
    matrix = (await host.get(`/dashboard/polls/${poll.id}`)).body;
    assert.deepEqual(rowOf(matrix, "Ann B\\."), ["No", "Yes"]);

    // A typo in her address, fixed on her "change your answers" form: still one Ann, at the
    // fixed address (not a second invitee beside the typo).
    const typo = await ann.post(`${poll.path}?/vote`, {
      name: "Ann B.",
      email: "ann@exmaple.test",
      t0: "yes",
      t1: "yes",
    });
    assert.equal(typo.status, 200, typo.body.slice(0, 300));
    matrix = (await host.get(`/dashboard/polls/${poll.id}`)).body;
    const fixed = await ann.post(`${poll.path}?/vote`, {
      name: "Ann B.",
      email: "ann@example.test",
      t0: "no",
      t1: "yes",
    });
    assert.equal(fixed.status, 200, fixed.body.slice(0, 300));
    matrix = (await host.get(`/dashboard/polls/${poll.id}`)).body;
    assert.equal(matrix.match(/>Ann B\.<\/th>/g)?.length, 1);
    assert.match(
      (await ann.get(poll.path)).body,
      /data-testid="voter-editing"[^>]*>[^<]*ann@example\.test/,
    );

    // Ann's token is hers alone: it does not change Ben's vote either.
    assert.equal(
      (await createClient(app.baseUrl).post(`${poll.path}?/vote`, {
        name: "Ben",
        email: "ben@example.test",
        t0: "yes",
      })).status,
      200,
    );
    const notHers = await ann.post(`${poll.path}?/vote`, {
      name: "Ben",
      email: "ben@example.test",
      t0: "no",
    });
    assert.equal(notHers.status, 409);
    matrix = (await host.get(`/dashboard/polls/${poll.id}`)).body;
    assert.deepEqual(rowOf(matrix, "Ben"), ["Yes", "No"]);
  },
});

Deno.test({
  name:
    "meeting poll over HTTP: one client adds only so many new invitees (poll_voter limit, 429 with words); its own voters still change their answers",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_RATE_LIMIT: "poll_voter=3/1h" },
    });
    const host = await signInByLink(app, HOST, { smtp });
    const poll = await makePoll(host, "Crowded");
    // Three browsers on one connection (a browser holding a token changes its own vote).
    const clients = [1, 2, 3].map(() => createClient(app.baseUrl));
    const client = clients[2];
    for (const n of [1, 2, 3]) {
      const res = await clients[n - 1].post(`${poll.path}?/vote`, {
        name: `P${n}`,
        email: `p${n}@example.test`,
        t0: "yes",
      });
      assert.equal(res.status, 200, `voter ${n}`);
    }
    const fourth = await createClient(app.baseUrl).post(`${poll.path}?/vote`, {
      name: "P4",
      email: "p4@example.test",
      t0: "yes",
    });
    assert.equal(fourth.status, 429);
    assert.ok(Number(fourth.headers.get("retry-after")) > 0);
    assert.match(fourth.body, /Many people have been added to polls from your connection lately/);
    // The last voter's own browser still changes her answers: no new invitee.
    const edit = await client.post(`${poll.path}?/vote`, {
      name: "P3",
      email: "p3@example.test",
      t0: "no",
    });
    assert.equal(edit.status, 200, edit.body.slice(0, 300));
    const matrix = (await host.get(`/dashboard/polls/${poll.id}`)).body;
    assert.deepEqual(rowOf(matrix, "P3"), ["No", "No"]);
    assert.deepEqual(rowOf(matrix, "P4"), []);
  },
});
