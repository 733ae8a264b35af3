/**
 * The booking page is rendered once and reused while its data is unchanged. What a guest (and a
 * bot) must not notice: every response has its own CSP nonce that its scripts carry, a form-fill
 * token issued when it was served (not when it was first rendered), and nothing stale.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { postEnhanced } from "../support/http.ts";
import { waitFor } from "../support/wait.ts";
import { fullDay, fullDays, slotsIn } from "../support/slots.ts";

const PAGE = "/calendar/demo/intro-call?tz=UTC";

async function getPage(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { headers });
  const body = await res.text();
  const csp = res.headers.get("content-security-policy") ?? "";
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] ?? null;
  const token = /fillToken:"([^"]+)"/.exec(body)?.[1] ?? null;
  return { status: res.status, body, nonce, token, encoding: res.headers.get("content-encoding") };
}

/** The page with what differs per response taken out. */
const normalize = (p: { body: string; nonce: string | null; token: string | null }) =>
  p.body.replaceAll(p.nonce!, "NONCE").replaceAll(p.token!, "TOKEN");

Deno.test({
  name:
    "page cache: each response has its own nonce and a fill token from when it was served; a reused page still refuses a too-quick post",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Long enough that the quick post below lands inside it on a box busy with the rest of the
    // suite (the same class as the anti-spam test's flake at 1 s).
    await using app = await startApp({ demo: true, env: { INVITO_MIN_FILL_TIME: "3s" } });
    // A day from tomorrow on: the page's own first day may be today, whose first time could pass
    // before the person's post below.
    const page = (await fullDay(app.baseUrl, "/calendar/demo/intro-call", { min: 2 })).path;
    const get = (base: string) => getPage(base, page);
    const first = await get(app.baseUrl);
    assert.equal(first.status, 200);
    assert.ok(first.nonce && first.token, "the page has a nonce and a fill token");
    // Every script the page carries is allowed by this response's own header.
    const scriptNonces = [...first.body.matchAll(/<script nonce="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(scriptNonces.length >= 1);
    assert.ok(scriptNonces.every((n) => n === first.nonce), scriptNonces.join(" "));

    // Served again once the token's second has passed: same page, new nonce, newer token.
    let again = await get(app.baseUrl);
    const deadline = Date.now() + 5_000;
    while (again.token === first.token && Date.now() < deadline) again = await get(app.baseUrl);
    assert.notEqual(again.token, first.token, "a later response carries a later token");
    assert.notEqual(again.nonce, first.nonce);
    assert.ok(again.body.includes(`<script nonce="${again.nonce}"`));
    assert.ok(!again.body.includes(first.nonce!), "no trace of the first response's nonce");
    assert.ok(Number(again.token!.split(".")[0]) > Number(first.token!.split(".")[0]));
    assert.equal(normalize(again), normalize(first), "the same page otherwise");

    // A bot that takes the reused page and posts at once is refused like on a fresh render.
    const slot = /data-slot="([^"]+)"/.exec(again.body)![1];
    const post = (ft: string) =>
      postEnhanced(app.baseUrl, "/calendar/demo/intro-call?/book", {
        name: "Quick Bot",
        email: "bot@example.test",
        note: "",
        start: slot,
        tz: "UTC",
        ft,
      });
    const quick = await post(again.token!);
    assert.equal(quick.type, "failure");
    assert.match(JSON.stringify(quick.data), /very quick/);
    // Once the first token is 3 s old, a person's post with it goes through.
    await waitFor(async () => {
      const person = await post(first.token!);
      if (person.type === "failure") assert.match(JSON.stringify(person.data), /very quick/);
      else assert.equal(person.type, "redirect", JSON.stringify(person));
      return person.type === "redirect";
    }, { timeoutMs: 15_000, intervalMs: 250, message: "a person who took 3 s is accepted" });
  },
});

Deno.test({
  name:
    "page cache: a page in German (characters of more than one byte) comes back whole from the cache, plain and gzipped, with only its nonce and token new",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const path = "/calendar/demo/intro-call?tz=Europe/Berlin&lang=de";
    // The first view (rendered) is gzipped from the parts the kept views are spliced from.
    const first = await getPage(app.baseUrl, path, { "accept-encoding": "gzip, deflate, br" });
    assert.equal(first.status, 200);
    assert.equal(first.encoding, "gzip");
    // The kept page is cut into bytes where its nonce and token stand: after an umlaut or a
    // dash, a byte is not a character.
    assert.match(first.body, /[äöüÄÖÜß–—]/);
    assert.ok(first.nonce && first.token);
    for (const encoding of ["identity", "gzip"]) {
      const res = await fetch(app.baseUrl + path, { headers: { "accept-encoding": encoding } });
      assert.equal(res.headers.get("content-encoding") ?? "identity", encoding);
      const body = await res.text();
      const again = {
        body,
        nonce: /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1] ??
          null,
        token: /fillToken:"([^"]+)"/.exec(body)?.[1] ?? null,
      };
      assert.notEqual(again.nonce, first.nonce, encoding);
      assert.ok(again.body.includes(`<script nonce="${again.nonce}"`), encoding);
      assert.equal(normalize(again), normalize(first), `the same page otherwise (${encoding})`);
    }
  },
});

Deno.test({
  name:
    "page cache: a booking shows at once on a page served from the cache, and another date is its own page",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const slots = slotsIn;
    // Two full days in one month, from tomorrow on, the page showing the first: the page's own
    // first day may be today with its last time (booked below, the page moves on to another
    // day), or a month's last free day, with no other day of that month to open.
    const [day, next] = await fullDays(app.baseUrl, "/calendar/demo/intro-call", {
      min: 2,
      sameMonth: true,
    });
    const get = (base: string, path = day.path) => getPage(base, path);
    const before = await get(app.baseUrl);
    await get(app.baseUrl); // served from the cache from here on
    const [taken] = slots(before.body);
    const booked = await postEnhanced(app.baseUrl, "/calendar/demo/quick-chat?/book", {
      name: "Guest",
      email: "guest@example.test",
      note: "",
      start: taken,
      tz: "UTC",
    });
    assert.equal(booked.type, "redirect", JSON.stringify(booked));
    const after = await get(app.baseUrl);
    assert.ok(!slots(after.body).includes(taken), "the booked time is gone from the page");
    assert.deepEqual(slots(after.body), slots(before.body).slice(1));

    // Another day with slots is its own page, with that day's slots.
    const days = [...before.body.matchAll(/\{date:"(\d{4}-\d{2}-\d{2})",slots:[1-9]/g)].map((m) =>
      m[1]
    );
    assert.ok(days.length >= 2, "the demo host has slots on several days");
    assert.ok(days.includes(next.date), `${next.date} is among the free days ${days.join(" ")}`);
    const other = await get(app.baseUrl, `${PAGE}&date=${next.date}`);
    assert.ok(slots(other.body).length > 0);
    assert.ok(slots(other.body).every((s) => s.startsWith(next.date)), slots(other.body).join(" "));
  },
});
