/**
 * Host sign-in against real peers: oidc-provider as the issuer, smtp-server for magic links.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { oidcLoginWithClient, oidcRedirectUri, startOidc } from "../support/oidc.ts";
import { createClient } from "../support/http.ts";
import { freePort } from "../support/ports.ts";
import { finishMagicLink, verifyLinkIn } from "../support/auth.ts";
import { fullDay } from "../support/slots.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "OIDC: a host signs in at the issuer, lands on the dashboard with a username from preferred_username, and sign-out revokes the session",
  async fn() {
    const port = freePort();
    await using idp = await startOidc({
      redirectUris: [oidcRedirectUri(port)],
      users: [{
        sub: "alice",
        email: "alice@example.test",
        name: "Alice Example",
        preferred_username: "Alice",
      }],
    });
    await using app = await startApp({
      port,
      oidc: {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        name: "Example ID",
      },
    });
    const c = createClient(app.baseUrl);
    const page = await c.get("/signin");
    assert.match(page.body, /Sign in with Example ID/);
    const start = await c.post("/signin?/oidc", {
      providerId: "oidc",
      redirectTo: "/dashboard",
      next: "/dashboard",
    });
    assert.ok(
      start.location?.startsWith(idp.issuer),
      `redirected to the issuer, got ${start.status} ${start.location}`,
    );
    const authorize = new URL(start.location!);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    assert.ok(authorize.searchParams.get("state") && authorize.searchParams.get("nonce"));
    const callback = await oidcLoginWithClient(c, start.location!, { login: "alice" });
    const done = await c.get(callback);
    assert.equal(done.location, `${app.baseUrl}/dashboard`);
    // A new host is offered the first-run setup, filled in from the identity provider.
    const first = await c.get("/dashboard");
    assert.equal(first.status, 303);
    assert.equal(new URL(first.location!).pathname, "/dashboard/setup");
    const setup = await c.get("/dashboard/setup");
    assert.match(setup.body, /value="Alice Example"/);
    assert.match(setup.body, /value="alice"/);
    // Skipping it leads to the dashboard, which no longer sends the host to the setup.
    const skipped = await c.post("/dashboard/setup?/skip", {});
    assert.equal(new URL(skipped.location!).pathname, "/dashboard");
    const dash = await c.get("/dashboard");
    assert.equal(dash.status, 200);
    assert.match(dash.body, /Welcome, Alice Example/);
    assert.ok(
      dash.body.replace(/<wbr\s*\/?>/g, "").includes(`${app.baseUrl}/calendar/alice/`),
      "the public link is shown",
    );
    const cookie = c.cookies().find((k) => k.name === "authjs.session-token")!;
    assert.ok(cookie.httpOnly && cookie.sameSite?.toLowerCase() === "lax");
    // The browser-facing session carries only id, name and email.
    const session = await c.get("/auth/session");
    const s = session.json<{ user: Record<string, unknown> }>();
    assert.deepEqual(Object.keys(s.user).sort(), ["email", "id", "name"]);
    assert.doesNotMatch(session.body, /sessionToken/);
    // Sign out, then replay the old cookie: it no longer works.
    const old = cookie.value;
    await c.post("/signout", { redirectTo: "/" });
    const replay = createClient(app.baseUrl);
    replay.setCookie("authjs.session-token", old);
    const r = await replay.get("/dashboard");
    assert.equal(r.status, 303);
    assert.match(r.location!, /\/signin\?next=%2Fdashboard/);
  },
});

Deno.test({
  ...opts,
  name:
    "magic link: the mail arrives by SMTP, scanners' GETs do not burn it, the button signs in once, and a second sign-in rotates the session",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp: { host: smtp.host, port: smtp.port } });
    const c = createClient(app.baseUrl);
    // Host-header poisoning must not redirect the link elsewhere.
    const sent = await c.post("/signin?/email", {
      providerId: "email",
      email: "Bob@Example.test",
      next: "/dashboard/bookings",
    }, {
      headers: { "x-forwarded-host": "evil.example" },
    });
    assert.ok(sent.status === 302 || sent.status === 303, String(sent.status));
    assert.match(sent.location!, /\/signin\/check-email/, sent.location!);
    const mail = await smtp.waitForMail((m) => m.to.includes("bob@example.test"));
    const link = mail.text.match(/https?:\/\/\S+\/signin\/verify\?\S+/)![0];
    assert.ok(link.startsWith(`${app.baseUrl}/signin/verify?`), link);
    assert.doesNotMatch(mail.text + mail.html, /evil\.example/);
    // A mail scanner fetches the link three times: nothing is consumed.
    for (let i = 0; i < 3; i++) assert.equal((await fetch(link)).status, 200);
    const verify = await c.get(link);
    assert.match(verify.body, /Finish signing in/);
    const done = await finishMagicLink(c, link);
    assert.equal(done.location, `${app.baseUrl}/dashboard/bookings`);
    const first = c.cookie("authjs.session-token")!;
    assert.equal((await c.get("/dashboard/profile")).status, 200);
    // The same link again is refused with a readable message.
    const other = createClient(app.baseUrl);
    const again = await finishMagicLink(other, link);
    assert.match(
      (await other.get(again.location!, { follow: true })).body,
      /expired or was already used/,
    );

    // Second sign-in of the same user: a new session id, and the old one is dead.
    await c.post("/signin?/email", {
      providerId: "email",
      email: "bob@example.test",
      next: "/dashboard",
    });
    const mail2 = await smtp.waitForMail((m) => m.to.includes("bob@example.test") && m !== mail);
    const c2 = createClient(app.baseUrl);
    c2.setCookie("authjs.session-token", first);
    await finishMagicLink(c2, verifyLinkIn(mail2.text));
    const second = c2.cookie("authjs.session-token")!;
    assert.notEqual(second, first);
    const stale = createClient(app.baseUrl);
    stale.setCookie("authjs.session-token", first);
    assert.equal((await stale.get("/dashboard")).status, 303, "the old session was deleted");
  },
});

Deno.test({
  ...opts,
  name:
    "sign-in: a bad email gives a clear message; a mail server that is down delays the mail (queued), never a 500",
  async fn() {
    const deadPort = freePort();
    await using app = await startApp({ smtp: { host: "127.0.0.1", port: deadPort } });
    const c = createClient(app.baseUrl);
    const bad = await c.post("/signin?/email", { providerId: "email", email: "not-an-address" });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /Enter a valid email address/);
    const down = await c.post("/signin?/email", {
      providerId: "email",
      email: "carol@example.test",
    });
    // The mail is queued and retried by the outbox (services/sign-in-mail.ts): the answer does
    // not wait for the mail server, up or down.
    assert.equal(down.status, 303);
    assert.equal(new URL(down.location!, app.baseUrl).pathname, "/signin/check-email");
    await app.waitForLog(/\(sealed_mail\) failed, retry in/);
    const noSso = await c.post("/signin?/oidc", { providerId: "oidc" });
    assert.equal(noSso.status, 400);
  },
});

Deno.test({
  ...opts,
  name:
    "sign-in redirects only to our own pages: //evil.example, https://evil.example and /\\evil.example land on the dashboard",
  async fn() {
    await using app = await startApp();
    for (
      const next of [
        "//evil.example",
        "https://evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
      ]
    ) {
      const c = createClient(app.baseUrl);
      const since = app.logs().length;
      await c.post("/signin?/email", {
        providerId: "email",
        email: "dora@example.test",
        next,
        redirectTo: next,
      });
      const m = await app.waitForLog(/https?:\/\/\S+\/signin\/verify\?\S+/, { since });
      const link = new URL(m[0], app.baseUrl);
      assert.equal(link.searchParams.get("next"), "/dashboard", next);
      // Even a verify link whose `next` was edited by hand leads only to our own pages.
      link.searchParams.set("next", next);
      const pressed = await finishMagicLink(c, link.href);
      const cb = await c.get(pressed.location!, { follow: true });
      // Our dashboard (a first sign-in goes on to the setup there), never another site.
      assert.ok(
        cb.hops.slice(0, -1).every((h) => h.startsWith(app.baseUrl)) &&
          [`${app.baseUrl}/dashboard`, `${app.baseUrl}/dashboard/setup`].includes(cb.url),
        `${next}: ${cb.hops.join(" → ")}`,
      );
      assert.equal(cb.status, 200);
    }
  },
});

Deno.test({
  ...opts,
  name: "dashboard: signed-out GETs and POSTs go to sign-in, and another host's data answers 404",
  async fn() {
    await using app = await startApp({ demo: true });
    const anon = createClient(app.baseUrl);
    const g = await anon.get("/dashboard/bookings");
    assert.equal(g.status, 303);
    assert.equal(g.location, `${app.baseUrl}/signin?next=%2Fdashboard%2Fbookings`);
    const p = await anon.post("/dashboard/bookings?/cancel", { id: "01M7YHX3001J0X8C61J7ETT0RT" });
    assert.equal(p.status, 303);
    // A signed-in host cannot cancel the demo host's booking.
    // From tomorrow on: today's last time could pass before the post.
    const [slot] = (await fullDay(app.baseUrl, "/calendar/demo/quick-chat", { min: 1 })).slots;
    const booked = await anon.post("/calendar/demo/quick-chat?/book", {
      name: "Ann",
      email: "ann@example.test",
      start: slot,
      tz: "UTC",
    });
    assert.equal(booked.status, 303);
    const c = createClient(app.baseUrl);
    const since = app.logs().length;
    await c.post("/signin?/email", { providerId: "email", email: "eve@example.test" });
    const link = (await app.waitForLog(/https?:\/\/\S+\/signin\/verify\?\S+/, { since }))[0];
    await finishMagicLink(c, link);
    const list = await c.get("/dashboard/bookings");
    assert.equal(list.status, 200);
    assert.doesNotMatch(list.body, /Ann/);
    const ids = [...app.logs().matchAll(/booking\/([A-Za-z0-9_-]{40,})/g)];
    assert.ok(ids.length > 0);
    const hostPage = await c.post("/dashboard/bookings?/cancel", {
      id: "01M7YHX3001J0X8C61J7ETT0RT",
    });
    assert.equal(hostPage.status, 404);
    // The demo host's real booking (its id opens the guest's link, ADR 054) is as unknown to Eve.
    const guestLink = new URL(booked.location!, app.baseUrl).pathname;
    const demoBookingId = guestLink.split("/")[2].slice(0, 26);
    assert.match(demoBookingId, /^[0-9A-Z]{26}$/);
    for (const action of ["cancel", "confirm", "reject", "request"]) {
      const theirs = await c.post(`/dashboard/bookings?/${action}`, { id: demoBookingId });
      assert.equal(theirs.status, 404, `${action} of another host's booking`);
    }
    const theirMove = await c.post(`/dashboard/bookings/${demoBookingId}/reschedule?/move`, {
      start: slot,
    });
    assert.equal(theirMove.status, 404, "moving another host's booking");
    // What the page says, not its scripts (whose comments may use the word).
    const guestPage = (await anon.get(guestLink)).body.replace(/<script\b[\s\S]*?<\/script>/g, "");
    assert.match(guestPage, /Ann/);
    assert.doesNotMatch(guestPage, /cancelled|canceled/i);
  },
});

Deno.test({
  ...opts,
  name:
    "sign-up policy: a closed server mails no link to a stranger (answering as it answers everyone, with who may sign in), lets listed addresses and @domains in, and never locks out an existing account",
  async fn() {
    await using smtp = await startSmtp();
    const port = freePort();
    await using idp = await startOidc({
      redirectUris: [oidcRedirectUri(port)],
      users: [
        { sub: "eve", email: "eve@elsewhere.test", name: "Eve", preferred_username: "eve" },
        { sub: "tom", email: "tom@team.example", name: "Tom", preferred_username: "tom" },
      ],
    });
    const dataDir = await Deno.makeTempDir({ prefix: "invito-signup-" });
    const oidc = { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret };
    const requestLink = (base: string, email: string) =>
      createClient(base).post("/signin?/email", { providerId: "email", email, next: "/dashboard" });
    try {
      // Bob made his account while sign-up was open.
      {
        await using open = await startApp({ port, dataDir, smtp, oidc });
        const c = createClient(open.baseUrl);
        await c.post("/signin?/email", { providerId: "email", email: "bob@example.test" });
        const mail = await smtp.waitForMail((m) => m.to.includes("bob@example.test"));
        await finishMagicLink(c, verifyLinkIn(mail.text));
        assert.equal((await c.get("/dashboard/profile")).status, 200);
      }
      smtp.clear();

      await using app = await startApp({
        port,
        dataDir,
        smtp,
        oidc,
        env: { INVITO_SIGNUP: "ann@example.test, @team.example" },
      });
      // The answer does not tell a stranger's address from an account holder's (issue 10, #13);
      // the page it leads to says who may sign in.
      const stranger = await requestLink(app.baseUrl, "mallory@example.test");
      assert.equal(stranger.status, 303);
      assert.equal(stranger.location, `${app.baseUrl}/signin/check-email`);
      const told = await createClient(app.baseUrl).get(stranger.location!);
      assert.match(told.body, /for invited people only/);

      for (const email of ["ann@example.test", "bob@example.test", "zoe@team.example"]) {
        const r = await requestLink(app.baseUrl, email);
        assert.ok(r.status === 303 || r.status === 302, `${email}: ${r.status}`);
        await smtp.waitForMail((m) => m.to.includes(email));
      }
      assert.ok(
        !smtp.mails.some((m) => m.to.includes("mallory@example.test")),
        "no link was mailed to the stranger",
      );

      // Single sign-on: an identity outside the list is turned away with the same reason…
      const signInWith = async (login: string) => {
        const c = createClient(app.baseUrl);
        const start = await c.post("/signin?/oidc", {
          providerId: "oidc",
          redirectTo: "/dashboard",
          next: "/dashboard",
        });
        const callback = await oidcLoginWithClient(c, start.location!, { login });
        const done = await c.get(callback, { follow: true });
        return { c, done };
      };
      const eve = await signInWith("eve");
      assert.match(eve.done.body, /for invited people only/);
      assert.equal((await eve.c.get("/dashboard")).status, 303, "Eve has no session");
      // …one inside it gets an account.
      const tom = await signInWith("tom");
      // A new account: the dashboard starts with the first-run setup.
      assert.equal(tom.done.url, `${app.baseUrl}/dashboard/setup`);
      assert.equal((await tom.c.get("/dashboard/profile")).status, 200);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
