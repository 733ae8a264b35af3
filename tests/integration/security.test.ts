/**
 * The security envelope over HTTP: headers for every route class, CSRF layers, rate limits,
 * anti-spam on the booking form, the per-guest cap of pending requests.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { waitFor } from "../support/wait.ts";
import { signInByLink } from "../support/auth.ts";
import { fullDay, slotsIn } from "../support/slots.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/**
 * The times on `date` (UTC), or on the first date from tomorrow on with a full day of them (the
 * page's own first day may be today with one time left, which may pass before the post).
 */
async function slots(base: string, slug: string, date?: string): Promise<string[]> {
  if (!date) return (await fullDay(base, `/calendar/demo/${slug}`)).slots;
  return slotsIn(await (await fetch(`${base}/calendar/demo/${slug}?tz=UTC&date=${date}`)).text());
}

function signInAs(app: Awaited<ReturnType<typeof startApp>>, email: string) {
  return signInByLink(app, email);
}

Deno.test({
  ...opts,
  name:
    "headers: nothing outside /widget can be framed, the widget follows the host's allowlist, token pages send no referrer",
  async fn() {
    await using app = await startApp({ demo: true });
    const [slot] = await slots(app.baseUrl, "intro-call");
    const c = createClient(app.baseUrl);
    // Counted before the post: the request mail can be logged before its answer arrives (a
    // loaded CI box), and a count taken after it missed the line and waited out 15 s.
    const since = app.logs().length;
    const booked = await c.post("/calendar/demo/intro-call?/book", {
      name: "Ann",
      email: "ann@example.test",
      start: slot,
      tz: "UTC",
    });
    const guestPath = booked.location!.replace(app.baseUrl, "");
    const confirmPath =
      new URL((await app.waitForLog(/https?:\/\/\S+\/confirm/, { since }))[0]).pathname;
    const fa = (h: Headers) =>
      /frame-ancestors ([^;]*)/.exec(h.get("content-security-policy") ?? "")?.[1];

    const framedNever = [
      "/",
      "/signin",
      "/calendar/demo/",
      "/calendar/demo/intro-call",
      guestPath,
      confirmPath,
      "/healthz",
      "/embed.js",
      "/robots.txt",
      "/no-such-page",
    ];
    for (const p of framedNever) {
      const r = await fetch(app.baseUrl + p, { redirect: "manual" });
      await r.body?.cancel();
      assert.equal(r.headers.get("x-frame-options"), "DENY", p);
      assert.equal(fa(r.headers), "'none'", p);
      assert.equal(r.headers.get("x-content-type-options"), "nosniff", p);
    }
    for (const p of [guestPath, confirmPath]) {
      const r = await fetch(app.baseUrl + p);
      await r.body?.cancel();
      assert.equal(r.headers.get("referrer-policy"), "no-referrer", p);
    }
    const page = await fetch(app.baseUrl + "/calendar/demo/intro-call");
    const csp = page.headers.get("content-security-policy")!;
    await page.body?.cancel();
    for (
      const d of [
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "script-src 'self' 'nonce-",
      ]
    ) assert.ok(csp.includes(d), d);
    assert.equal(page.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
    assert.equal(page.headers.get("cross-origin-opener-policy"), "same-origin");

    // The widget: framable by anyone by default, and by exactly the host's list once set.
    const w = await fetch(app.baseUrl + "/widget/demo/intro-call");
    await w.body?.cancel();
    assert.equal(w.headers.get("x-frame-options"), null);
    assert.equal(fa(w.headers), "*");
    const host = await signInAs(app, "demo@invito.example");
    const bad = await host.post("/dashboard/embed?/origins", {
      origins: "https://shop.example/path",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /without a path/);
    const ok = await host.post("/dashboard/embed?/origins", {
      origins: "https://shop.example\nhttp://127.0.0.2:9999",
    });
    assert.equal(ok.status, 200);
    for (const p of ["/widget/demo/", "/widget/demo/intro-call", `/widget${guestPath}`]) {
      const r = await fetch(app.baseUrl + p);
      await r.body?.cancel();
      assert.equal(fa(r.headers), "'self' https://shop.example http://127.0.0.2:9999", p);
    }
    const unknown = await fetch(app.baseUrl + "/widget/nobody/x");
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /This booking page does not exist/);
    // Malformed theme and accent fall back to defaults, never an error.
    const odd = await fetch(
      app.baseUrl + "/widget/demo/intro-call?theme=neon&accent=%22%3E%3Cscript%3E",
    );
    assert.equal(odd.status, 200);
    assert.doesNotMatch(await odd.text(), /<script>/);
    // The guest flow sets no cookies at all (it must work with third-party cookies blocked).
    const anon = await fetch(app.baseUrl + "/widget/demo/intro-call?tz=UTC");
    assert.equal(anon.headers.getSetCookie().length, 0);
    await anon.body?.cancel();
  },
});

Deno.test({
  ...opts,
  name: "CSRF: a cross-site form POST is refused with 403 and changes nothing",
  async fn() {
    await using app = await startApp({ demo: true });
    const [slot] = await slots(app.baseUrl, "quick-chat");
    const form = new URLSearchParams({
      name: "Mallory",
      email: "m@example.test",
      start: slot,
      tz: "UTC",
    });
    const viaFetchMetadata = await fetch(`${app.baseUrl}/calendar/demo/quick-chat?/book`, {
      method: "POST",
      body: form,
      headers: {
        "sec-fetch-site": "cross-site",
        origin: "https://evil.example",
        accept: "text/html",
      },
      redirect: "manual",
    });
    assert.equal(viaFetchMetadata.status, 403);
    await viaFetchMetadata.body?.cancel();
    const viaOrigin = await fetch(`${app.baseUrl}/calendar/demo/quick-chat?/book`, {
      method: "POST",
      body: form,
      headers: { origin: "https://evil.example", accept: "text/html" },
      redirect: "manual",
    });
    assert.equal(viaOrigin.status, 403);
    await viaOrigin.body?.cancel();
    assert.ok(
      (await slots(app.baseUrl, "quick-chat", slot.slice(0, 10))).includes(slot),
      "nothing was booked",
    );
  },
});

Deno.test({
  ...opts,
  name:
    "rate limits: over the limit answers 429 with Retry-After and a readable page, and recovers after the window",
  async fn() {
    await using app = await startApp({
      demo: true,
      env: { INVITO_RATE_LIMIT: "booking=2/2s,page=1000/1m" },
    });
    const c = createClient(app.baseUrl);
    const all = await slots(app.baseUrl, "quick-chat");
    const book = (i: number) =>
      c.post("/calendar/demo/quick-chat?/book", {
        name: "R",
        email: `r${i}@example.test`,
        start: all[i],
        tz: "UTC",
      });
    assert.equal((await book(0)).status, 303);
    assert.equal((await book(1)).status, 303);
    const limited = await book(2);
    assert.equal(limited.status, 429);
    const retry = Number(limited.headers.get("retry-after"));
    assert.ok(retry >= 1 && retry <= 2, String(retry));
    assert.match(limited.body, /Too many requests/);
    assert.ok(
      (await slots(app.baseUrl, "quick-chat", all[2].slice(0, 10))).includes(all[2]),
      "the limited request booked nothing",
    );
    // The window ends and the same client may book again.
    await waitFor(async () => (await book(2)).status === 303, {
      timeoutMs: 5_000,
      intervalMs: 200,
      message: "recovered",
    });
  },
});

Deno.test({
  ...opts,
  name:
    "anti-spam: a filled honeypot or a form sent faster than a person could fill it is refused; a person gets through",
  async fn() {
    // Long enough that the quick post below lands inside it on a box busy with the rest of the
    // suite: at 1 s, a fresh clone's run saw the page-to-post step take longer and book (303).
    await using app = await startApp({ demo: true, env: { INVITO_MIN_FILL_TIME: "4s" } });
    const [slot] = await slots(app.baseUrl, "quick-chat");
    const c = createClient(app.baseUrl);
    const page = await c.get(
      `/calendar/demo/quick-chat?tz=UTC&slot=${encodeURIComponent(slot)}&date=${slot.slice(0, 10)}`,
    );
    const ft = /name="ft" value="([^"]+)"/.exec(page.body)![1];
    const form = { name: "Pat", email: "pat@example.test", start: slot, tz: "UTC", ft };
    const fast = await c.post("/calendar/demo/quick-chat?/book", form);
    assert.equal(fast.status, 400);
    assert.match(fast.body, /very quick/);
    const forged = await c.post("/calendar/demo/quick-chat?/book", { ...form, ft: "1000.forged" });
    assert.equal(forged.status, 400);
    await waitFor(async () => {
      const bot = await c.post("/calendar/demo/quick-chat?/book", {
        ...form,
        website: "http://spam.example",
      });
      assert.equal(bot.status, 400);
      const person = await c.post("/calendar/demo/quick-chat?/book", form);
      return person.status === 303;
    }, { timeoutMs: 15_000, intervalMs: 250, message: "a person who took 4 s is accepted" });
  },
});

Deno.test({
  ...opts,
  name: "anti-spam: one guest email holds at most 3 pending requests with a host",
  async fn() {
    await using app = await startApp({ demo: true });
    const all = await slots(app.baseUrl, "intro-call");
    const c = createClient(app.baseUrl);
    for (let i = 0; i < 3; i++) {
      const r = await c.post("/calendar/demo/intro-call?/book", {
        name: "Sue",
        email: "Sue@Example.test",
        start: all[i],
        tz: "UTC",
      });
      assert.equal(r.status, 303, `request ${i + 1}`);
    }
    const fourth = await c.post("/calendar/demo/intro-call?/book", {
      name: "Sue",
      email: "sue@example.test",
      start: all[3],
      tz: "UTC",
    });
    assert.equal(fourth.status, 409);
    assert.match(fourth.body, /several requests waiting/);
    const other = await c.post("/calendar/demo/intro-call?/book", {
      name: "Tom",
      email: "tom@example.test",
      start: all[3],
      tz: "UTC",
    });
    assert.equal(other.status, 303, "other guests are not affected");
  },
});
