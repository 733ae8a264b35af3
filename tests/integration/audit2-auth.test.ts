/**
 * The sign-in and account findings of the second outside audit (issue 22), against the built
 * server: path spellings of the magic-link callback, credentials that outlive a closed account
 * or a team membership, names freed too early, closed sign-up answers, the per-address limit.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { bearerApi, createClient } from "../support/http.ts";
import { finishMagicLink, signInByLink, verifyLinkIn } from "../support/auth.ts";
import { serveLocal } from "../support/local-server.ts";
import { launchBrowser } from "../support/browser.ts";
import { waitFor } from "../support/wait.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { METRICS_ENV, outboxJobs } from "../support/metrics.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

type RawAnswer = { status: number; headers: [string, string][]; body: string };

/**
 * One HTTP/1.1 request written byte for byte: `fetch` and `new URL` would tidy the path (dot
 * segments), and the spelling is what is under test.
 */
async function rawRequest(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const lines = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(16_384);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    const text = new TextDecoder().decode(
      chunks.reduce((a, b) => {
        const out = new Uint8Array(a.length + b.length);
        out.set(a);
        out.set(b, a.length);
        return out;
      }, new Uint8Array()),
    );
    const [head, ...rest] = text.split("\r\n\r\n");
    const [statusLine, ...headerLines] = head.split("\r\n");
    return {
      status: Number(statusLine.split(" ")[1]),
      headers: headerLines.map((l) => {
        const i = l.indexOf(":");
        return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as [string, string];
      }),
      body: rest.join("\r\n\r\n"),
    };
  } finally {
    try {
      conn.close();
    } catch { /* already closed by the server */ }
  }
}

Deno.test({
  ...opts,
  name:
    "login CSRF (issue 22): no spelling of the magic-link callback — trailing or doubled slash, %2F, case, dot segments, a data suffix — signs a visitor in by GET",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      smtp,
      env: { INVITO_RATE_LIMIT: "signin=1000/15m,signin_email=1000/1h" },
    });
    // The attacker's account exists; each spelling gets a fresh, unused link to it.
    await signInByLink(app, "attacker@example.test", { smtp });
    const freshLink = async () => {
      const sent = smtp.mails.length;
      await createClient(app.baseUrl).post("/signin?/email", {
        providerId: "email",
        email: "attacker@example.test",
        next: "/dashboard",
      });
      const mail = await smtp.waitForMail((m) => smtp.mails.indexOf(m) >= sent);
      return new URL(verifyLinkIn(mail.text));
    };
    const spellings = [
      "/auth/callback/email/",
      "/auth/callback/email//",
      "/auth/callback//email",
      "/auth//callback/email",
      "//auth/callback/email",
      "/auth/callback/email%2F",
      "/auth/callback%2Femail",
      "/auth%2Fcallback%2Femail",
      "/auth/callback/EMAIL",
      "/auth/CALLBACK/email",
      "/AUTH/callback/email",
      "/auth/callback/%65mail",
      "/%61uth/callback/email",
      "/auth/callback/./email",
      "/auth/x/../callback/email",
      "/auth/callback/email/.",
      "/auth/callback/email/x/..",
      "/auth/callback/%2e/email",
      "/auth/callback/email/%2E",
      "/auth/callback/email/__data.json",
      "/auth/callback/email%5C",
      "/auth/./callback/email/",
    ];
    for (const spelling of spellings) {
      const link = await freshLink();
      const q = new URLSearchParams({
        token: link.searchParams.get("token")!,
        email: link.searchParams.get("email")!,
        callbackUrl: "/dashboard",
      });
      const res = await rawRequest(app.port, "GET", `${spelling}?${q}`, { accept: "text/html" });
      const cookies = res.headers.filter(([k]) => k === "set-cookie").map(([, v]) => v);
      assert.ok(
        !cookies.some((c) => /authjs\.session-token=[^;]/.test(c)),
        `${spelling}: answered ${res.status} with a session`,
      );
      const location = res.headers.find(([k]) => k === "location")?.[1] ?? "";
      assert.ok(
        res.status === 404 || (res.status === 303 && location.startsWith("/signin/verify?")),
        `${spelling}: ${res.status} ${location}`,
      );
      assert.ok(res.status < 500, `${spelling}: ${res.status}`);
    }
    // The plain spelling still leads to the page with the button (and so does the link itself).
    const link = await freshLink();
    const plain = await rawRequest(
      app.port,
      "GET",
      `/auth/callback/email?token=${link.searchParams.get("token")}&email=attacker%40example.test`,
    );
    assert.equal(plain.status, 303);
    assert.match(plain.headers.find(([k]) => k === "location")![1], /^\/signin\/verify\?/);
    // Auth.js's other endpoints answer in their plain spelling only.
    assert.equal((await rawRequest(app.port, "GET", "/auth/session")).status, 200);
    assert.equal((await rawRequest(app.port, "GET", "/auth/session/")).status, 404);
    assert.equal((await rawRequest(app.port, "GET", "/Auth/session")).status, 404);
    // Each refused spelling, and a name too long to be anyone's, is the 404 of a page that does
    // not exist: the app's own page in the reader's language, and nothing that tells the
    // refused route apart from a path of the same depth that no route has (random values aside).
    const page = async (path: string) => {
      const res = await fetch(app.baseUrl + path, {
        headers: { accept: "text/html", "accept-language": "de" },
      });
      assert.equal(res.status, 404, path);
      return (await res.text()).replace(/nonce="[^"]*"/g, "").replace(/[0-9a-f]{16,}/g, "");
    };
    for (
      const [refused, none] of [
        ["/auth/session/", "/nope/session/"],
        ["/Auth/session", "/nope/session"],
        ["/auth//signin", "/nope//signin"],
        [`/calendar/${"a".repeat(300)}`, `/nope/${"a".repeat(300)}`],
      ]
    ) {
      const body = await page(refused);
      assert.match(body, /<html lang="de"/, refused);
      assert.equal(body, await page(none), refused);
    }
  },
});

Deno.test({
  ...opts,
  name:
    "closing an account (issue 22) ends every credential at once: session, API key (GET /me, GET /bookings, POST /event-types → 401), calendar feed (404), webhook deliveries",
  async fn() {
    const hits: { type: string }[] = [];
    await using rx = serveLocal(async (req) => {
      hits.push(JSON.parse(await req.text()));
      return new Response("ok");
    });
    await using app = await startApp({
      demo: true,
      env: {
        INVITO_RATE_LIMIT: "off",
        INVITO_ALLOW_PRIVATE_WEBHOOKS: "true",
        ...METRICS_ENV,
      },
    });
    const host = await signInByLink(app, DEMO_EMAIL);
    const made = await host.post("/dashboard/developers?/createKey", {
      name: "laptop",
      write: "on",
      expires: "never",
    });
    const apiKey = /inv_[A-Za-z0-9_-]{43}/.exec(made.body)![0];
    assert.equal((await host.post("/dashboard/profile?/feed", {})).status, 200);
    const feedPath = /\/feed\/[A-Za-z0-9_-]{43}\.ics/.exec(
      (await host.get("/dashboard/profile")).body,
    )![0];
    const hook = await host.post("/dashboard/developers?/createWebhook", {
      url: `${rx.base}/hooks`,
      events: ["booking.requested", "booking.confirmed", "booking.cancelled"],
      description: "crm",
    });
    assert.equal(hook.status, 200, hook.body.slice(0, 300));

    const api = bearerApi(app.baseUrl, apiKey);

    const feedStatus = async () => {
      const r = await fetch(`${app.baseUrl}${feedPath}`);
      await r.body?.cancel();
      return r.status;
    };

    // Everything works while the account is open; a guest's booking reaches the webhook.
    assert.equal((await api("GET", "/me")).status, 200);
    assert.equal(await feedStatus(), 200);
    const [start] = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
    const guest = createClient(app.baseUrl);
    const booked = await guest.post("/calendar/demo/quick-chat?/book", {
      name: "Gil",
      email: "gil@example.test",
      note: "",
      start,
      tz: "UTC",
    });
    assert.equal(booked.status, 303);
    await waitFor(() => hits.length >= 1, { message: "the booking's webhook" });

    const since = app.logs().length;
    const done = await host.post("/dashboard/profile?/deleteAccount", { username: "demo" });
    assert.equal(done.status, 303);

    // The meeting ahead was cancelled (the guest is told) — and nothing reaches the closed
    // account's webhook, once every queued job has run.
    await app.waitForLog(/To: gil@example\.test[\s\S]*?closed their Invito account/, { since });
    await waitFor(async () => (await outboxJobs(app.baseUrl)) === 0, {
      message: "an empty outbox",
    });
    assert.deepEqual(
      hits.filter((h) => h.type === "booking.cancelled"),
      [],
      "the cancellation that followed the closing is not delivered to the closed account",
    );

    assert.equal((await api("GET", "/me")).status, 401);
    assert.equal((await api("GET", "/bookings")).status, 401);
    const created = await api("POST", "/event-types", {
      title: "Backdoor",
      slug: "backdoor",
      durationMin: 30,
    });
    assert.equal(created.status, 401, created.body.slice(0, 200));
    assert.equal(await feedStatus(), 404);
    const dash = await host.get("/dashboard");
    assert.equal(dash.status, 303);
    assert.match(dash.location ?? "", /\/signin/);
  },
});

const INVITE = /https?:\/\/\S+\/team-invitation\/([A-Za-z0-9_-]+)/;

Deno.test({
  ...opts,
  name:
    "teams (issue 22): a removed member loses the team's pages at once, and the invitations a removed owner or a closed account sent no longer let anyone in",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp, env: { INVITO_RATE_LIMIT: "off" } });
    const owner = await signInByLink(app, "owner@example.test", { smtp });
    const rogue = await signInByLink(app, "rogue@example.test", { smtp });
    const pal = await signInByLink(app, "pal@example.test", { smtp });
    const created = await owner.post("/dashboard/teams?/create", {
      name: "Crew",
      slug: "crew",
      timeZone: "UTC",
    });
    assert.equal(created.status, 303, created.body.slice(0, 300));
    const teamId = /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(created.location!)![1];
    const base = `/dashboard/teams/${teamId}`;
    const inviteLink = async (by: typeof owner, email: string, role?: string) => {
      const sent = smtp.mails.length;
      const res = await by.post(`${base}?/invite`, { email, ...(role ? { role } : {}) });
      assert.equal(res.status, 200, res.body.slice(0, 300));
      const mail = await smtp.waitForMail((m) =>
        smtp.mails.indexOf(m) >= sent && m.to.includes(email) && INVITE.test(m.text)
      );
      return `/team-invitation/${INVITE.exec(mail.text)![1]}`;
    };
    // The rogue joins as a second owner and, before being removed, invites a friend.
    const rogueLink = await inviteLink(owner, "rogue@example.test", "owner");
    assert.equal((await rogue.post(rogueLink, { accept: "1" })).status, 303);
    assert.equal((await rogue.get(base)).status, 200);
    assert.equal((await rogue.get(`${base}/bookings`)).status, 200);
    const palLink = await inviteLink(rogue, "pal@example.test");
    assert.equal((await pal.get(palLink)).status, 200);

    const page = (await owner.get(base)).body;
    const rogueItem = page.slice(page.indexOf('data-member="rogue@example.test"'));
    const rogueId = /name="member" value="([0-9A-Z]{26})"/.exec(rogueItem)![1];
    assert.equal((await owner.post(`${base}?/remove`, { member: rogueId })).status, 200);
    // No more access to anything of the team's.
    for (const p of [base, `${base}/bookings`, `${base}/event-types`]) {
      assert.equal((await rogue.get(p)).status, 404, p);
    }
    // The friend's invitation spoke for the rogue: it is gone, and cannot be accepted.
    assert.equal((await pal.get(palLink)).status, 404);
    const accepted = await pal.post(palLink, { accept: "1" });
    assert.notEqual(accepted.status, 303);
    assert.equal((await pal.get(base)).status, 404, "the friend is not a member");

    // An owner who closes their account: their pending invitation ends with it.
    const teamB = await rogue.post("/dashboard/teams?/create", {
      name: "Solo",
      slug: "solo",
      timeZone: "UTC",
    });
    const soloId = /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(teamB.location!)![1];
    const sent = smtp.mails.length;
    assert.equal(
      (await rogue.post(`/dashboard/teams/${soloId}?/invite`, { email: "pal@example.test" }))
        .status,
      200,
    );
    const soloMail = await smtp.waitForMail((m) =>
      smtp.mails.indexOf(m) >= sent && m.to.includes("pal@example.test") && INVITE.test(m.text)
    );
    const soloLink = `/team-invitation/${INVITE.exec(soloMail.text)![1]}`;
    assert.equal((await pal.get(soloLink)).status, 200);
    const closed = await rogue.post("/dashboard/profile?/deleteAccount", { username: "rogue" });
    assert.equal(closed.status, 303);
    assert.equal((await pal.get(soloLink)).status, 404);
    assert.notEqual((await pal.post(soloLink, { accept: "1" })).status, 303);
    assert.equal((await pal.get(`/dashboard/teams/${soloId}`)).status, 404);
  },
});

Deno.test({
  ...opts,
  name:
    "names (issue 22): a closed account's username and a renamed team's old slug are held — nobody else takes them at once, and the team's old links forward",
  async fn() {
    await using app = await startApp({ env: { INVITO_RATE_LIMIT: "off" } });
    const usernameOf = async (c: Awaited<ReturnType<typeof signInByLink>>) =>
      /<input[^>]*\bname="username"[^>]*\bvalue="([^"]*)"/.exec(
        (await c.get("/dashboard/profile")).body,
      )?.[1];
    const rename = (c: Awaited<ReturnType<typeof signInByLink>>, username: string) =>
      c.post("/dashboard/profile?/save", {
        name: "Bob",
        username,
        timeZone: "UTC",
        clock: "24h",
        locale: "en",
      });
    const newTeam = (c: Awaited<ReturnType<typeof signInByLink>>, slug: string) =>
      c.post("/dashboard/teams?/create", { name: "Team", slug, timeZone: "UTC" });

    // Ann closes her account; her name stays hers (held), so her old links answer 404.
    const ann = await signInByLink(app, "ann@example.test");
    assert.equal(await usernameOf(ann), "ann");
    assert.equal(
      (await ann.post("/dashboard/profile?/deleteAccount", { username: "ann" })).status,
      303,
    );
    const bob = await signInByLink(app, "bob@example.test");
    const taken = await rename(bob, "ann");
    assert.equal(taken.status, 400, "a rename to a closed account's name is refused");
    assert.match(taken.body, /already taken|taken/i);
    assert.equal(await usernameOf(bob), "bob");
    assert.equal((await newTeam(bob, "ann")).status, 400, "no team takes it either");
    const another = await signInByLink(app, "ann@elsewhere.test");
    assert.notEqual(await usernameOf(another), "ann", "a new account gets another name");
    assert.equal((await createClient(app.baseUrl).get("/calendar/ann")).status, 404);
    // A host who renamed and then closed: neither name forwards, neither is free.
    const carl = await signInByLink(app, "carl@example.test");
    assert.equal((await rename(carl, "carlos")).status, 200);
    assert.equal((await createClient(app.baseUrl).get("/calendar/carl")).status, 301);
    assert.equal(
      (await carl.post("/dashboard/profile?/deleteAccount", { username: "carlos" })).status,
      303,
    );
    for (const name of ["carl", "carlos"]) {
      assert.equal((await createClient(app.baseUrl).get(`/calendar/${name}`)).status, 404, name);
      assert.equal((await rename(bob, name)).status, 400, name);
    }

    // A team renames its slug: the old one forwards and is held for the team.
    const owner = await signInByLink(app, "owner@example.test");
    const made = await newTeam(owner, "crew");
    assert.equal(made.status, 303, made.body.slice(0, 300));
    const teamId = /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(made.location!)![1];
    const settings = (slug: string) =>
      owner.post(`/dashboard/teams/${teamId}?/settings`, { name: "Crew", slug, timeZone: "UTC" });
    assert.equal((await settings("crew-two")).status, 200);
    const old = await createClient(app.baseUrl).get("/team/crew");
    assert.equal(old.status, 301);
    assert.equal(new URL(old.location!).pathname, "/team/crew-two");
    const squat = await newTeam(bob, "crew");
    assert.equal(squat.status, 400, "another team cannot take the old slug");
    assert.equal((await rename(bob, "crew")).status, 400, "nor can a person");
    assert.equal(await usernameOf(bob), "bob");
    // The team itself may take it back.
    assert.equal((await settings("crew")).status, 200);
    assert.equal((await createClient(app.baseUrl).get("/team/crew")).status, 200);
  },
});

Deno.test({
  ...opts,
  name:
    "closed sign-up (issue 22): asking a link for a known and an unknown address gets byte-identical answers — status, every header, every cookie, the body — apart from random values",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp,
      env: { INVITO_SIGNUP: "closed", INVITO_RATE_LIMIT: "signin=100/15m,signin_email=100/1h" },
    });
    const ask = async (email: string, path: string, accept: string) => {
      const res = await fetch(app.url(path), {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          "content-type": "application/x-www-form-urlencoded",
          accept,
          ...(accept === "application/json" ? { "x-sveltekit-action": "true" } : {}),
        },
        body: new URLSearchParams({ providerId: "email", email, next: "/dashboard/calendars" }),
        redirect: "manual",
      });
      const random = /nonce-[A-Za-z0-9+/=_-]+|[0-9A-HJKMNP-TV-Z]{26}/g;
      const headers = [...res.headers]
        // The date and the request's own id differ for every answer, whoever asks.
        .filter(([k]) => k !== "date" && k !== "x-request-id")
        .map(([k, v]) => [k, k === "set-cookie" ? v.replace(/=[^;]*/, "=<random>") : v])
        .map(([k, v]) => `${k}: ${v.replace(random, "<random>")}`)
        .sort();
      const body = (await res.text()).replaceAll(email, "<address>").replace(random, "<random>");
      return { status: res.status, headers, body };
    };
    for (
      const [path, accept] of [
        ["/signin?/email", "text/html"],
        ["/signin?/email", "application/json"],
      ]
    ) {
      const known = await ask(DEMO_EMAIL, path, accept);
      const unknown = await ask("stranger@example.test", path, accept);
      assert.deepEqual(unknown, known, `${path} (${accept})`);
      assert.ok(known.status === 303 || known.status === 200, `${known.status}`);
    }
    // Only the account holder gets mail, and the link still leads where they asked to go.
    const mail = await smtp.waitForMail((m) => m.to.includes(DEMO_EMAIL));
    const link = new URL(verifyLinkIn(mail.text));
    assert.equal(link.searchParams.get("next"), "/dashboard/calendars");
    const c = createClient(app.baseUrl);
    await finishMagicLink(c, link.href).then((r) =>
      assert.equal(r.location, `${app.baseUrl}/dashboard/calendars`)
    );
    assert.ok(!smtp.mails.some((m) => m.to.includes("stranger@example.test")));
  },
});

Deno.test({
  ...opts,
  name:
    "sign-in mail limit (issue 22): ann+1@, ANN+2@, ann@ … count as one mailbox (5 links an hour), and so do Gmail's dotted spellings",
  async fn() {
    await using app = await startApp({ env: { INVITO_RATE_LIMIT: "signin=1000/15m" } });
    const ask = async (email: string) => {
      const res = await createClient(app.baseUrl).post("/signin?/email", {
        providerId: "email",
        email,
        next: "/dashboard",
      });
      return res.status;
    };
    const spellings = [
      "ann@example.test",
      "ann+1@example.test",
      "ANN+2@example.test",
      "ann+news@Example.Test",
      "Ann+x+y@example.test",
    ];
    for (const s of spellings) assert.equal(await ask(s), 303, s);
    assert.equal(await ask("ann+6@example.test"), 429, "the sixth link to one mailbox");
    assert.equal(await ask("ann@example.test"), 429);
    // Another mailbox at the same domain has its own limit (dots elsewhere than Gmail count).
    assert.equal(await ask("a.nn@example.test"), 303);

    const gmail = [
      "bea@gmail.com",
      "b.ea@gmail.com",
      "B.E.A@gmail.com",
      "bea+1@googlemail.com",
      "be.a+2@gmail.com",
    ];
    for (const s of gmail) assert.equal(await ask(s), 303, s);
    assert.equal(await ask("bea+3@gmail.com"), 429, "Gmail ignores dots and +tags");
  },
});

Deno.test({
  ...opts,
  name:
    "login CSRF in Chromium (issue 22): a cross-site link to the callback with a trailing or doubled slash, %2F or another case leaves the visitor signed out",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      smtp,
      env: { INVITO_RATE_LIMIT: "signin=1000/15m,signin_email=1000/1h" },
    });
    await signInByLink(app, "attacker@example.test", { smtp });
    const callbacks: string[] = [];
    for (
      const spelling of [
        "/auth/callback/email/",
        "/auth/callback//email",
        "/auth/callback%2Femail",
        "/auth/callback/Email",
      ]
    ) {
      const sent = smtp.mails.length;
      await createClient(app.baseUrl).post("/signin?/email", {
        providerId: "email",
        email: "attacker@example.test",
        next: "/dashboard",
      });
      const mail = await smtp.waitForMail((m) => smtp.mails.indexOf(m) >= sent);
      const link = new URL(verifyLinkIn(mail.text));
      callbacks.push(
        `${app.baseUrl}${spelling}?token=${link.searchParams.get("token")}&email=${
          encodeURIComponent("attacker@example.test")
        }&callbackUrl=%2Fdashboard`,
      );
    }
    // The attacker's site (localhost, not 127.0.0.1: another site) sends the visitor on.
    await using evil = serveLocal((req) => {
      const i = Number(new URL(req.url).searchParams.get("i"));
      return new Response(
        `<!doctype html><script>location.href = ${JSON.stringify(callbacks[i])};</script>`,
        { headers: { "content-type": "text/html" } },
      );
    });
    const evilBase = evil.base.replace("127.0.0.1", "localhost");
    const browser = await launchBrowser();
    try {
      for (let i = 0; i < callbacks.length; i++) {
        const ctx = await browser.newContext();
        const page = await ctx.newPage();
        await page.goto(`${evilBase}/?i=${i}`);
        await page.waitForURL((u) => u.origin === app.baseUrl, { waitUntil: "load" });
        const cookies = await ctx.cookies(app.baseUrl);
        assert.ok(
          !cookies.some((c) => c.name.endsWith("authjs.session-token")),
          `${callbacks[i].split("?")[0]} signed the visitor in (landed on ${page.url()})`,
        );
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});
