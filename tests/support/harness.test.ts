// Self-tests of the test harness: each piece works against the real thing, and cleans up.
import assert from "node:assert/strict";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { startSmtp } from "./smtp.ts";
import {
  loginViaDevInteractions,
  oidcLoginWithClient,
  oidcRedirectUri,
  startOidc,
} from "./oidc.ts";
import { startRadicale } from "./radicale.ts";
import { checkA11y, launchBrowser, saveScreenshot, sidewaysScroll } from "./browser.ts";
import { startApp } from "./app.ts";
import { createClient } from "./http.ts";
import { freePort } from "./ports.ts";

const ICS = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//Invito//harness test//EN",
  "METHOD:REQUEST",
  "BEGIN:VEVENT",
  "UID:harness-1@invito.test",
  "DTSTAMP:20261122T100000Z",
  "DTSTART:20261201T090000Z",
  "DTEND:20261201T093000Z",
  "SUMMARY:Intro call — Zoë",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

const transport = (port: number, extra: Record<string, unknown> = {}) =>
  nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: true,
    auth: { user: "mailer", pass: "mail-secret" },
    ...extra,
  });

Deno.test("startSmtp: a mail sent with nodemailer arrives parsed, its calendar part readable", async () => {
  const smtp = await startSmtp();
  const mailer = transport(smtp.port);
  try {
    await mailer.sendMail({
      from: "Invito <invito@example.test>",
      to: "Guest <Guest@Example.test>",
      subject: "Booking confirmed",
      text: "See you then.",
      html: "<p>See you <b>then</b>.</p>",
      icalEvent: { method: "REQUEST", filename: "invite.ics", content: ICS },
    });
    await mailer.sendMail({
      from: "invito@example.test",
      to: "host@example.test",
      subject: "New booking request",
      text: "Please confirm.",
    });
    const mail = await smtp.waitForMail((m) => m.to.includes("guest@example.test"));
    assert.equal(mail.from, "invito@example.test");
    assert.equal(mail.fromName, "Invito");
    assert.equal(mail.subject, "Booking confirmed");
    assert.equal(mail.text.trim(), "See you then.");
    assert.match(mail.html, /<b>then<\/b>/);
    assert.deepEqual(mail.envelope, { from: "invito@example.test", to: ["guest@example.test"] });
    assert.deepEqual(mail.auth, { username: "mailer", password: "mail-secret" });
    const cal = mail.attachments.find((a) => a.contentType === "text/calendar");
    assert.ok(cal, `no text/calendar part in ${mail.attachments.map((a) => a.contentType)}`);
    assert.equal(cal.method, "REQUEST");
    assert.match(cal.content, /SUMMARY:Intro call — Zoë/);
    assert.equal(mail.calendar, cal.content);

    const second = await smtp.waitForMail((m) => m.subject === "New booking request", 5_000);
    assert.deepEqual(second.to, ["host@example.test"]);
    assert.equal(smtp.mails.length, 2);
  } finally {
    mailer.close();
    await smtp.close();
  }
});

Deno.test("startSmtp: failure modes give 421, 550 and a timeout; failNext fails only the next connection", async () => {
  const smtp = await startSmtp();
  // Only the stalled peer is timed out short: a 300 ms greeting limit on every send timed out a
  // working one once, on a box busy with the rest of the suite (fresh clone of fe37e72).
  const mailer = transport(smtp.port, { greetingTimeout: 10_000, socketTimeout: 10_000 });
  const impatient = transport(smtp.port, { greetingTimeout: 300, socketTimeout: 2_000 });
  const send = (subject: string, via = mailer) =>
    via.sendMail({ from: "a@example.test", to: "b@example.test", subject, text: "x" });
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return "sent";
    } catch (e) {
      return (e as { responseCode?: number; code?: string }).responseCode ??
        (e as { code?: string }).code;
    }
  };
  try {
    smtp.failNext("refuse-421");
    assert.equal(await code(send("one")), 421);
    assert.equal(await code(send("two")), "sent");

    smtp.setMode("reject-550");
    assert.equal(await code(send("three")), 550);

    smtp.setMode("stall");
    assert.equal(await code(send("four", impatient)), "ETIMEDOUT");

    smtp.setMode("ok");
    assert.equal(await code(send("five")), "sent");
    assert.deepEqual(smtp.mails.map((m) => m.subject), ["two", "five"]);
    assert.equal(smtp.connectionCount(), 5);
    await assert.rejects(smtp.waitForMail((m) => m.subject === "never", 100), /no matching mail/);
  } finally {
    mailer.close();
    impatient.close();
    await smtp.close();
  }
});

Deno.test("startSmtp: close() ends a connection that is stalled in DATA at once", async () => {
  const smtp = await startSmtp();
  smtp.setMode("stall-data");
  const mailer = transport(smtp.port);
  const sending = mailer.sendMail({ from: "a@example.test", to: "b@example.test", text: "x" })
    .then(() => "sent", () => "failed");
  try {
    // the server has the message but never answers; closing must not wait for the client
    const t0 = Date.now();
    while (smtp.connectionCount() === 0) await new Promise((r) => setTimeout(r, 20));
    await smtp.close();
    assert.equal(await sending, "failed");
    assert.ok(Date.now() - t0 < 3_000, `close took ${Date.now() - t0} ms`);
  } finally {
    mailer.close();
    await smtp.close();
  }
});

Deno.test("startOidc: serves discovery and a code flow whose userinfo carries email and name", async () => {
  const appPort = freePort();
  const redirectUri = oidcRedirectUri(appPort);
  const oidc = await startOidc({ redirectUris: [redirectUri] });
  try {
    const disco = await (await fetch(`${oidc.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(disco.issuer, oidc.issuer);
    assert.ok(disco.token_endpoint_auth_methods_supported.includes("client_secret_basic"));
    assert.ok(disco.code_challenge_methods_supported.includes("S256"));

    const verifier = crypto.randomUUID() + crypto.randomUUID();
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    const challenge = btoa(String.fromCharCode(...new Uint8Array(digest)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const authorize = new URL(disco.authorization_endpoint);
    for (
      const [k, v] of Object.entries({
        client_id: oidc.clientId,
        response_type: "code",
        scope: "openid email profile",
        redirect_uri: redirectUri,
        state: "st-1",
        code_challenge: challenge,
        code_challenge_method: "S256",
      })
    ) authorize.searchParams.set(k, v);

    const client = createClient(oidc.issuer);
    const callback = new URL(
      await oidcLoginWithClient(client, authorize.href, { login: "alice" }),
    );
    assert.equal(`${callback.origin}${callback.pathname}`, redirectUri);
    assert.equal(callback.searchParams.get("state"), "st-1");
    const code = callback.searchParams.get("code");
    assert.ok(code, `no code in ${callback}`);

    const tokenRes = await fetch(disco.token_endpoint, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${oidc.clientId}:${oidc.clientSecret}`)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    const tokens = await tokenRes.json();
    assert.equal(tokenRes.status, 200, JSON.stringify(tokens));
    const userinfo = await (await fetch(disco.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })).json();
    assert.deepEqual(userinfo, {
      sub: "alice",
      email: "alice@example.test",
      email_verified: true,
      name: "Alice Example",
      preferred_username: "alice",
    });
    assert.equal(oidc.claimsFor("bob").email, "bob@example.test");
    oidc.addUser({ sub: "nomail", email: null });
    assert.equal("email" in oidc.claimsFor("nomail"), false);
    assert.deepEqual(oidc.errors, []);
  } finally {
    await oidc.close();
  }
});

Deno.test("startRadicale: PROPFIND answers 207 with the password, 401 without; data survives restart", async () => {
  const dav = await startRadicale();
  try {
    const propfind = (auth?: string) =>
      fetch(`${dav.url}/${dav.username}/`, {
        method: "PROPFIND",
        headers: { depth: "0", ...(auth ? { authorization: auth } : {}) },
      }).then(async (r) => (await r.body?.cancel(), r.status));
    assert.equal(await propfind(dav.authHeader), 207);
    assert.equal(await propfind(`Basic ${btoa(`${dav.username}:wrong`)}`), 401);
    assert.equal(await propfind(), 401);

    const cal = await dav.mkcalendar("work", "Work & more");
    assert.equal(cal, `${dav.url}/alice/work/`);
    assert.equal(await dav.putIcs("work", "ev1.ics", ICS.replace("METHOD:REQUEST\r\n", "")), 201);

    await dav.restart();
    const res = await fetch(`${cal}ev1.ics`, { headers: { authorization: dav.authHeader } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /UID:harness-1@invito.test/);
  } finally {
    await dav.stop();
  }
});

Deno.test("launchBrowser: Chromium loads a page, axe reports real violations and none on a clean page; it runs only the rules of the impacts asked for, and finds what a full run finds", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const clean = `<!doctype html><html lang="en"><head><title>Clean</title></head>
      <body><main><h1>Hello</h1><button>Book</button></main></body></html>`;
    await page.goto(`data:text/html,${encodeURIComponent(clean)}`);
    assert.equal(await page.locator("h1").textContent(), "Hello");
    assert.deepEqual(await checkA11y(page), []);

    const broken = `<!doctype html><html lang="en"><head><title>Broken</title></head>
      <body><main><h1>Hi</h1><button></button><img src="x.png"></main></body></html>`;
    await page.goto(`data:text/html,${encodeURIComponent(broken)}`);
    const violations = await checkA11y(page);
    assert.ok(
      violations.some((v) => v.startsWith("button-name (critical)")),
      violations.join("\n"),
    );
    assert.ok(violations.some((v) => v.startsWith("image-alt (critical)")), violations.join("\n"));

    // Rules of other impacts are not run, and that loses nothing: axe's own full run, filtered
    // to serious and critical, finds the same; asked for moderate ones, they are found.
    const mixed = `<!doctype html><html lang="en"><head><title>Mixed</title>
      <meta name="viewport" content="width=device-width, user-scalable=no"></head>
      <body><h1>Hi</h1><h4>Skipped levels</h4><p>Outside any landmark</p>
      <p style="color:#aaa;background:#fff">Faint</p><button></button></body></html>`;
    await page.goto(`data:text/html,${encodeURIComponent(mixed)}`);
    const ids = (found: string[]) => found.map((v) => v.slice(0, v.indexOf(":"))).sort();
    const found = ids(await checkA11y(page));
    const full = await page.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const result = await (globalThis as any).axe.run(document, { resultTypes: ["violations"] });
      // deno-lint-ignore no-explicit-any
      return result.violations.map((v: any) => `${v.id} (${v.impact})`);
    });
    const serious = full.filter((v: string) => / \((serious|critical)\)$/.test(v)).sort();
    assert.deepEqual(found, serious);
    assert.deepEqual(serious, ["button-name (critical)", "color-contrast (serious)"]);
    const moderate = ids(await checkA11y(page, { impacts: ["moderate"] }));
    for (const id of ["heading-order", "landmark-one-main", "meta-viewport", "region"]) {
      assert.ok(moderate.includes(`${id} (moderate)`), moderate.join("\n"));
    }

    const path = await saveScreenshot(page, "harness self-test");
    assert.ok(path.endsWith(join("test-results", "screenshots", "harness-self-test.png")));
    assert.ok((await Deno.stat(path)).size > 0);
  } finally {
    await browser.close();
  }
});

Deno.test("checkA11y and sidewaysScroll: judge a page once its stylesheets have arrived, as a person first sees it", async () => {
  // A page reached by a click (a form sent before the scripts run) has its elements before its
  // styles; the browser paints nothing until they arrive. Here the heading is faint (2.3:1) and
  // wider than the screen until the late stylesheet makes it black and fit.
  const browser = await launchBrowser();
  try {
    for (const javaScriptEnabled of [true, false]) {
      const ctx = await browser.newContext({ javaScriptEnabled });
      await ctx.route("http://styles.test/late.css", async (route) => {
        await new Promise((r) => setTimeout(r, 2_000)); // a slow network, as slowScripts makes one
        await route.fulfill({
          contentType: "text/css",
          body: ".t { color: #000 !important; width: auto !important }",
        });
      });
      await ctx.route("http://styles.test/", (route) =>
        route.fulfill({
          contentType: "text/html",
          body: `<!doctype html><html lang="en"><head><title>Late styles</title>
          <link rel="stylesheet" href="/late.css"></head>
          <body><main><h1 class="t" style="color:#aaa;width:2000px">Booked</h1></main></body></html>`,
        }));
      const page = await ctx.newPage();
      await page.goto("http://styles.test/", { waitUntil: "commit" });
      await page.locator("h1").waitFor({ state: "attached" });
      // Without scripts too (a guest who blocks them): the page is measured as it is painted.
      assert.equal(await sidewaysScroll(page), "", `javaScriptEnabled: ${javaScriptEnabled}`);
      if (javaScriptEnabled) assert.deepEqual(await checkA11y(page), []);
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
});

Deno.test("loginViaDevInteractions: signs in through the IdP's pages in Chromium, with and without consent", async () => {
  const appPort = freePort();
  const redirectUri = oidcRedirectUri(appPort);
  // stands in for the app's callback route
  const callbacks: string[] = [];
  const fakeApp = Deno.serve({ hostname: "127.0.0.1", port: appPort, onListen() {} }, (req) => {
    if (new URL(req.url).pathname === "/auth/callback/oidc") callbacks.push(req.url);
    return new Response("<!doctype html><title>cb</title><p>callback reached</p>", {
      headers: { "content-type": "text/html" },
    });
  });
  const withConsent = await startOidc({ redirectUris: [redirectUri] });
  const autoConsent = await startOidc({ redirectUris: [redirectUri], autoConsent: true });
  const browser = await launchBrowser();
  try {
    for (const oidc of [withConsent, autoConsent]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const authorize = new URL(`${oidc.issuer}/auth`);
      authorize.search = new URLSearchParams({
        client_id: oidc.clientId,
        response_type: "code",
        scope: "openid email profile",
        redirect_uri: redirectUri,
        state: "s",
      }).toString();
      await page.goto(authorize.href);
      await loginViaDevInteractions(page, { login: "bob" });
      const url = new URL(page.url());
      assert.equal(`${url.origin}${url.pathname}`, redirectUri);
      assert.ok(url.searchParams.get("code"));
      assert.equal(await page.locator("p").textContent(), "callback reached");
      await context.close();
    }
    assert.equal(callbacks.length, 2);
  } finally {
    await browser.close();
    await withConsent.close();
    await autoConsent.close();
    await fakeApp.shutdown();
  }
});

const STAND_IN = `
const addr = Deno.env.get("INVITO_LISTEN_ADDR") ?? ":8080";
const [host, port] = addr.split(":");
console.log("stand-in db", Deno.env.get("INVITO_DB_PATH"), "rate", Deno.env.get("INVITO_RATE_LIMIT"));
Deno.serve({
  hostname: host || "0.0.0.0",
  port: Number(port),
  // The line the real server prints once bound (startApp waits for it).
  onListen: () => console.log(\`Invito listening on http://\${addr} — stand-in\`),
}, (req) => {
  const url = new URL(req.url);
  if (url.pathname === "/healthz") return Response.json({ ok: true });
  if (url.pathname === "/log") console.log(url.searchParams.get("msg"));
  return new Response("stand-in");
});
`;

Deno.test("startApp: runs the server on its own port and data dir, captures logs, restarts and survives kill -9", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-stand-in-" });
  const entry = join(dir, "stand-in.ts");
  await Deno.writeTextFile(entry, STAND_IN);
  const app = await startApp({ entry, env: { INVITO_BOOKING_TTL: "1h" } });
  try {
    assert.equal(app.baseUrl, `http://127.0.0.1:${app.port}`);
    assert.equal(app.env.INVITO_BASE_URL, app.baseUrl);
    assert.equal(app.env.INVITO_BOOKING_TTL, "1h");
    assert.equal(app.env.INVITO_SESSION_SECRET.length, 64);
    assert.ok(app.dbPath.startsWith(app.dataDir));
    assert.match(app.logs(), new RegExp(`stand-in db ${app.dbPath} rate off`));

    const mark = app.logs().length;
    await (await fetch(app.url("/log?msg=link: http://x/auth/callback/nodemailer?token=abc")))
      .text();
    const m = await app.waitForLog(/link: (\S+)/, { since: mark });
    assert.equal(m[1], "http://x/auth/callback/nodemailer?token=abc");

    const pid = app.pid();
    await app.restart();
    assert.notEqual(app.pid(), pid);
    assert.equal((await (await fetch(app.url("/healthz"))).json()).ok, true);

    await app.kill9();
    assert.equal(app.pid(), null);
    await assert.rejects(fetch(app.url("/healthz")));
    await app.restart();
    assert.equal((await fetch(app.url("/healthz"))).status, 200);
  } finally {
    await app.stop();
    await Deno.remove(dir, { recursive: true });
  }
  await assert.rejects(Deno.stat(app.dataDir), Deno.errors.NotFound);
});

Deno.test("startApp: a server that crashes at startup fails fast with its output", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-stand-in-" });
  const entry = join(dir, "crash.ts");
  await Deno.writeTextFile(
    entry,
    `console.error("config: INVITO_SMTP_HOST is missing"); Deno.exit(3);`,
  );
  const t0 = Date.now();
  try {
    await assert.rejects(startApp({ entry }), (e: Error) => {
      assert.match(e.message, /exited during startup \(code 3\)/);
      assert.match(e.message, /INVITO_SMTP_HOST is missing/);
      return true;
    });
    assert.ok(Date.now() - t0 < 10_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startApp: another process answering /healthz on its port is not taken for the app", async () => {
  // Seen in CI: the other test shard's server held the chosen port, answered the health check,
  // and the test then signed in on that server while its own had died of AddrInUse.
  const other = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("ok"),
  );
  try {
    await assert.rejects(startApp({ port: other.addr.port }), /AddrInUse|already in use/i);
    // Without a fixed port the harness moves on and the handle names its own server.
    await using app = await startApp();
    assert.notEqual(app.port, other.addr.port);
    assert.match(app.logs(), new RegExp(`listening on http://127\\.0\\.0\\.1:${app.port}`));
  } finally {
    await other.shutdown();
  }
});

Deno.test("createClient: keeps cookies across hops, sends origin and accept on POST, follows only when asked", async () => {
  const seen: { method: string; path: string; cookie: string; origin: string; accept: string }[] =
    [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    seen.push({
      method: req.method,
      path: url.pathname,
      cookie: req.headers.get("cookie") ?? "",
      origin: req.headers.get("origin") ?? "",
      accept: req.headers.get("accept") ?? "",
    });
    if (url.pathname === "/login" && req.method === "POST") {
      const form = await req.formData();
      const headers = new Headers({ location: "/home" });
      headers.append("set-cookie", `session=${form.get("user")}; Path=/; HttpOnly; SameSite=Lax`);
      headers.append("set-cookie", "flash=hi; Path=/home; Max-Age=60");
      return new Response(null, { status: 303, headers });
    }
    if (url.pathname === "/logout") {
      return new Response("bye", {
        headers: { "set-cookie": "session=; Path=/; Max-Age=0" },
      });
    }
    return new Response(`page ${url.pathname}`);
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const c = createClient(base);
    const res = await c.post("/login", { user: "alice" });
    assert.equal(res.status, 303);
    assert.equal(res.location, `${base}/home`);
    assert.equal(c.cookie("session"), "alice");
    assert.equal(seen[0].origin, base);
    assert.equal(seen[0].accept, "text/html");

    const followed = await c.post("/login", { user: "bob" }, { follow: true });
    assert.equal(followed.status, 200);
    assert.equal(followed.body, "page /home");
    assert.deepEqual(followed.hops, [`${base}/login`, `${base}/home`]);
    assert.equal(seen.at(-1)!.method, "GET");
    assert.equal(seen.at(-1)!.cookie, "flash=hi; session=bob");
    assert.equal(c.cookies().find((x) => x.name === "session")?.httpOnly, true);

    await c.get("/logout");
    assert.equal(c.cookie("session"), undefined);
  } finally {
    await server.shutdown();
  }
});
