/**
 * A poll's invitee whose vote is refused gets the form back as they filled it: every answer,
 * their name and address, with and without scripts, on a phone — whatever the refusal (an
 * address the server does not take though the browser did, an address someone else answered
 * with, too many new invitees from one connection). Sending again after fixing only what was
 * said stores the answers they chose, not "No" for every time.
 */
import assert from "node:assert/strict";
import { fromTomorrow, startsIn } from "../support/slots.ts";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { createClient } from "../support/http.ts";
import { answerPoll } from "../support/poll.ts";
import { borrowBrowser, checkA11y, hydrated, sidewaysScroll } from "../support/browser.ts";

const HOST = "demo@invito.example";

/** The host's poll of three free quick-chat times: its id and its link's path. */
async function makePoll(host: Awaited<ReturnType<typeof signInByLink>>, title: string) {
  const page = await host.get("/dashboard/polls?type=quick-chat");
  const free = fromTomorrow(startsIn(page.body));
  const form = new URLSearchParams({ type: "quick-chat", title });
  for (const s of free.slice(0, 3)) form.append("start", s);
  const made = await host.post("/dashboard/polls?/create", form);
  assert.equal(made.status, 200, made.body.slice(0, 300));
  return {
    id: [...made.body.matchAll(/href="\/dashboard\/polls\/([0-9A-Z]{26})"/g)].map((m) => m[1])[0],
    path: new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname,
  };
}

/** The answers a page's form has checked, per time (`t0`, `t1`, …). */
const checkedIn = (html: string) =>
  [0, 1, 2].map((i) =>
    [...html.matchAll(new RegExp(`<input[^>]*name="t${i}"[^>]*>`, "g"))]
      .find((m) => / checked/.test(m[0]))?.[0].match(/value="(\w+)"/)?.[1]
  );

/** The matrix row of an invitee: their answers in the host's words. */
function rowOf(matrix: string, name: string): string[] {
  const row = new RegExp(`<th scope="row"[^>]*>${name}</th>([\\s\\S]*?)</tr>`).exec(matrix);
  return row ? [...row[1].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]) : [];
}

Deno.test({
  name:
    "poll page: a refused vote comes back with every answer, the name and the address as typed (browser with and without scripts at 360 px; taken address and rate limit over HTTP)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      // Three new invitees per connection: the browsers' two, Ann's, then the limit.
      env: { INVITO_RATE_LIMIT: "poll_voter=3/1h" },
    });
    const host = await signInByLink(app, HOST, { smtp });
    const poll = await makePoll(host, "Kept answers");

    const browser = await borrowBrowser();
    try {
      for (const js of [true, false]) {
        const ctx = await browser.newContext({
          viewport: { width: 360, height: 740 },
          javaScriptEnabled: js,
        });
        const page = await ctx.newPage();
        await page.goto(app.url(poll.path));
        if (js) await hydrated(page);
        const who = js ? "Ann Script" : "Ann Plain";
        await page.fill("#vote-name", who);
        // The browser takes "a@b" for type=email; the server wants a domain with a dot.
        await page.fill("#vote-email", `${js ? "script" : "plain"}@example`);
        await answerPoll(page, 0, "yes");
        await answerPoll(page, 1, "maybe");
        await answerPoll(page, 2, "yes");
        await page.click('form[method="POST"] button[type="submit"]');
        await page.waitForSelector("#vote-email-error");
        const shown = await Promise.all(
          [0, 1, 2].map((i) => page.locator(`input[name="t${i}"]:checked`).getAttribute("value")),
        );
        assert.deepEqual(shown, ["yes", "maybe", "yes"], `js=${js}: answers kept`);
        // The page with its zone field and the refusal fits a phone and reads to everyone.
        assert.equal(await sidewaysScroll(page), "");
        if (js) assert.deepEqual(await checkA11y(page), []);
        assert.equal(await page.inputValue("#vote-name"), who);
        assert.equal(await page.inputValue("#vote-email"), `${js ? "script" : "plain"}@example`);
        await page.fill("#vote-email", `${js ? "script" : "plain"}@example.test`);
        await page.click('form[method="POST"] button[type="submit"]');
        await page.waitForSelector('[data-testid="vote-done"]');
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
    const matrix = (await host.get(`/dashboard/polls/${poll.id}`)).body;
    for (const who of ["Ann Script", "Ann Plain"]) {
      assert.deepEqual(rowOf(matrix, who), ["Yes", "If need be", "Yes"], who);
    }

    // Someone else types an address that has answered: refused, and the form keeps their lot.
    const other = createClient(app.baseUrl);
    const form = {
      name: "Mallory",
      email: "script@example.test",
      t0: "no",
      t1: "yes",
      t2: "maybe",
    };
    const taken = await other.post(`${poll.path}?/vote`, form);
    assert.equal(taken.status, 409);
    assert.match(taken.body, /Someone has already answered with this address\./);
    assert.deepEqual(checkedIn(taken.body), ["no", "yes", "maybe"]);
    assert.match(taken.body, /id="vote-name"[^>]*value="Mallory"/);
    assert.match(taken.body, /id="vote-email"[^>]*value="script@example\.test"/);

    // A name of only a zero-width space is no name (the booking form's rule): refused with the
    // words an empty one gets, nothing stored, the answers kept.
    const blank = await other.post(`${poll.path}?/vote`, {
      name: "\u200b",
      email: "zw@example.test",
      t0: "yes",
      t1: "no",
      t2: "maybe",
    });
    assert.equal(blank.status, 400);
    assert.match(blank.body, /id="vote-name-error">Please fill this in</);
    assert.deepEqual(checkedIn(blank.body), ["yes", "no", "maybe"]);

    // One connection adds only so many new invitees: the refusal keeps the answers too.
    const ann = createClient(app.baseUrl);
    assert.equal(
      (await ann.post(`${poll.path}?/vote`, {
        name: "Cy",
        email: "cy@example.test",
        t0: "yes",
      })).status,
      200,
    );
    const limited = await createClient(app.baseUrl).post(`${poll.path}?/vote`, {
      name: "Dee",
      email: "dee@example.test",
      t0: "maybe",
      t1: "maybe",
      t2: "yes",
    });
    assert.equal(limited.status, 429);
    assert.deepEqual(checkedIn(limited.body), ["maybe", "maybe", "yes"]);
    assert.match(limited.body, /id="vote-name"[^>]*value="Dee"/);
    // Nothing refused was stored.
    const after = (await host.get(`/dashboard/polls/${poll.id}`)).body;
    for (const gone of ["zw@example.test", "dee@example.test", "Mallory"]) {
      assert.ok(!after.includes(gone), gone);
    }
  },
});
