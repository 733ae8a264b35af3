/**
 * The sign-in findings of the outside audit (issue 10), against the built server with real peers:
 * oidc-provider as the issuer, smtp-server for magic links, Chromium for login CSRF.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { oidcLoginWithClient, oidcRedirectUri, startOidc } from "../support/oidc.ts";
import { type Client, createClient } from "../support/http.ts";
import { freePort } from "../support/ports.ts";
import { serveLocal } from "../support/local-server.ts";
import { launchBrowser } from "../support/browser.ts";
import {
  finishMagicLink,
  formsOf,
  signInByLink,
  submitForm,
  verifyLinkIn,
} from "../support/auth.ts";
import { readStore } from "../reliability/harness.ts";
import { waitFor } from "../support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/**
 * Who this client is signed in as: the display name on the profile page (a new account's
 * dashboard home sends it to the first-run setup first), or null when signed out.
 */
const welcome = async (c: Client) => {
  const r = await c.get("/dashboard/profile");
  if (r.status !== 200) return null;
  return /<input[^>]*\bname="name"[^>]*\bvalue="([^"]*)"/.exec(r.body)?.[1].trim() ?? "?";
};

Deno.test({
  ...opts,
  name:
    "OIDC (#1): an identity whose address the issuer has not verified never creates or joins an account by that address; accounts follow the issuer's sub",
  async fn() {
    await using smtp = await startSmtp();
    const port = freePort();
    await using idp = await startOidc({
      redirectUris: [oidcRedirectUri(port)],
      users: [
        {
          sub: "mallory",
          email: "victim@example.test",
          email_verified: false,
          name: "Mallory",
          preferred_username: "mallory",
        },
        { sub: "victor", email: "victor@example.test", name: "Victor", preferred_username: "vic" },
      ],
    });
    await using app = await startApp({
      port,
      smtp,
      oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
    });
    const viaIssuer = async (login: string) => {
      const c = createClient(app.baseUrl);
      const start = await c.post("/signin?/oidc", { providerId: "oidc", next: "/dashboard" });
      const callback = await oidcLoginWithClient(c, start.location!, { login });
      const done = await c.get(callback, { follow: true });
      return { c, done };
    };

    // Mallory's identity claims the victim's address without the issuer vouching for it.
    const first = await viaIssuer("mallory");
    assert.equal(await welcome(first.c), null, "no session for an unverified address");
    assert.match(
      first.done.body,
      /not verified/i,
      `the page says why: ${first.done.hops.join(" → ")}`,
    );
    assert.doesNotMatch(first.done.body, /Something went wrong/);

    // The owner of the address signs in by link: their own fresh account, nobody else's.
    const victim = await signInByLink(app, "victim@example.test", { smtp });
    assert.equal(await welcome(victim), "victim");

    // Mallory again: still nothing, the account with that address is not reachable by it.
    const again = await viaIssuer("mallory");
    assert.equal(await welcome(again.c), null);

    // A verified identity gets an account; the link is its sub, so a later change of the
    // address's status at the issuer still opens the same account, and nothing else.
    const v1 = await viaIssuer("victor");
    assert.equal(await welcome(v1.c), "Victor");
    idp.addUser({
      sub: "victor",
      email: "victim@example.test",
      email_verified: false,
      name: "Victor",
    });
    const v2 = await viaIssuer("victor");
    assert.equal(await welcome(v2.c), "Victor", "linked by sub, not by the (new) address");
    const victimAgain = await signInByLink(app, "victim@example.test", { smtp });
    assert.equal(await welcome(victimAgain), "victim", "the victim's account is untouched");
  },
});

Deno.test({
  ...opts,
  name:
    "login CSRF (#4): a foreign page cannot sign a visitor in as someone else, by GET or by POST; an existing session is never silently replaced",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp });
    const linkFor = async (email: string) => {
      const sent = smtp.mails.length;
      await createClient(app.baseUrl).post("/signin?/email", {
        providerId: "email",
        email,
        next: "/dashboard/calendars",
      });
      const mail = await smtp.waitForMail((m) =>
        smtp.mails.indexOf(m) >= sent && m.to.includes(email)
      );
      return new URL(verifyLinkIn(mail.text));
    };
    const victim = await signInByLink(app, "victim@example.test", { smtp });
    // The attacker makes an account and asks for fresh links to it.
    await signInByLink(app, "attacker@example.test", { smtp });
    const viaGet = await linkFor("attacker@example.test");
    const viaPost = await linkFor("attacker@example.test");
    const callbackUrl = (l: URL) =>
      `${app.baseUrl}/auth/callback/email?token=${l.searchParams.get("token")}&email=${
        encodeURIComponent(l.searchParams.get("email")!)
      }&callbackUrl=%2Fdashboard%2Fcalendars`;

    // The attacker's site: another site (localhost, not 127.0.0.1) that sends the visitor on.
    await using evil = serveLocal((req) => {
      const u = new URL(req.url);
      const html = u.pathname === "/get"
        ? `<script>location.href = ${JSON.stringify(callbackUrl(viaGet))};</script>`
        : `<form id="f" method="POST" action="${callbackUrl(viaPost)}"></form>
           <script>document.getElementById("f").submit();</script>`;
      return new Response(`<!doctype html><html><body>${html}</body></html>`, {
        headers: { "content-type": "text/html" },
      });
    });
    const evilBase = evil.base.replace("127.0.0.1", "localhost");

    const browser = await launchBrowser();
    try {
      const ctx = await browser.newContext();
      const cookie = victim.cookie("authjs.session-token")!;
      await ctx.addCookies([{ name: "authjs.session-token", value: cookie, url: app.baseUrl }]);
      const page = await ctx.newPage();
      const whoInBrowser = async () => {
        await page.goto(`${app.baseUrl}/dashboard/profile`);
        return (await page.inputValue('input[name="name"]')).trim();
      };
      assert.match((await whoInBrowser())!, /victim/);
      for (const path of ["/get", "/post"]) {
        await page.goto(`${evilBase}${path}`);
        await page.waitForURL((u) => u.origin === app.baseUrl, { waitUntil: "load" });
        assert.match((await whoInBrowser())!, /victim/, `${path}: still the victim`);
      }
      assert.equal(await welcome(victim), "victim", "the victim's session was not revoked");

      // The victim opens the attacker's link themselves (it was pasted into a chat): the page
      // says who they are and who the link is for, and staying is the default.
      await page.goto(viaGet.href);
      const body = (await page.textContent("main"))!;
      assert.match(body, /victim@example\.test/);
      assert.match(body, /attacker@example\.test/);
      await page.getByRole("button", { name: /Stay signed in/i }).click();
      await page.waitForURL((u) => u.pathname.startsWith("/dashboard"));
      assert.match((await whoInBrowser())!, /victim/);
    } finally {
      await browser.close();
    }

    // Without a browser: GET completion never signs in; a POST from our own verify page does.
    const c = createClient(app.baseUrl);
    const fresh = await linkFor("attacker@example.test");
    const got = await c.get(callbackUrl(fresh));
    assert.equal(c.cookie("authjs.session-token"), undefined, `GET answered ${got.status}`);
    const pressed = await finishMagicLink(c, fresh.href);
    assert.ok(c.cookie("authjs.session-token"), `the button signs in (${pressed.status})`);
    assert.equal(pressed.location, `${app.baseUrl}/dashboard/calendars`);

    // Over the victim's session, a same-origin POST that did not choose to switch goes back to
    // the question; choosing to switch (the second button) does switch.
    const another = await linkFor("attacker@example.test");
    const plainPost = await victim.post(callbackUrl(another), {});
    assert.equal(plainPost.status, 303);
    assert.match(plainPost.location!, /\/signin\/verify\?/);
    assert.equal(await welcome(victim), "victim");
    await finishMagicLink(victim, another.href);
    assert.equal(await welcome(victim), "attacker", "an explicit switch is honoured");
  },
});

Deno.test({
  ...opts,
  name:
    "logout (#10): a cross-site POST to /auth/signout or /signout, with or without a content type, leaves the session alone",
  async fn() {
    await using app = await startApp();
    const c = await signInByLink(app, "host@example.test");
    const cookie = `authjs.session-token=${c.cookie("authjs.session-token")}`;
    const forged: { path: string; headers: Record<string, string> }[] = [
      { path: "/auth/signout", headers: { origin: "https://evil.example" } },
      {
        path: "/auth/signout",
        headers: { origin: "https://evil.example", "content-type": "text/plain" },
      },
      { path: "/auth/signout", headers: { origin: "null" } },
      { path: "/signout", headers: { origin: "https://evil.example" } },
      { path: "/auth/signout", headers: { "sec-fetch-site": "same-site" } },
      { path: "/signout", headers: { "sec-fetch-site": "cross-site" } },
    ];
    for (const f of forged) {
      const res = await fetch(app.url(f.path), {
        method: "POST",
        headers: { ...f.headers, cookie, accept: "text/html" },
        redirect: "manual",
      });
      await res.body?.cancel();
      assert.equal(res.status, 403, `${f.path} ${JSON.stringify(f.headers)}`);
      assert.equal(await welcome(c), "host", `${f.path} ${JSON.stringify(f.headers)}`);
    }
    // Our own sign-out button still works.
    const dash = await c.get("/dashboard/profile");
    const form = formsOf(dash).find((f) => f.action.endsWith("/signout"))!;
    await submitForm(c, form);
    assert.equal(await welcome(c), null);
  },
});

Deno.test({
  ...opts,
  name:
    "closed sign-up (#13): an existing and an unknown address get the same answer, the same limits, and only the account holder gets mail",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp,
      env: { INVITO_SIGNUP: "closed", INVITO_RATE_LIMIT: "signin=100/15m,signin_email=2/1h" },
    });
    const ask = async (email: string) => {
      const c = createClient(app.baseUrl);
      const res = await c.post("/signin?/email", {
        providerId: "email",
        email,
        next: "/dashboard",
      });
      const page = res.location ? await c.get(res.location) : res;
      return {
        status: res.status,
        location: res.location,
        // The page echoes the address typed; everything else must be the same.
        page: page.body.replaceAll(email, "…").replace(
          /nonce-[^'"]+|nonce="[^"]+"|data-sveltekit[^ >]*/g,
          "",
        ),
        retry: res.headers.get("retry-after") !== null,
      };
    };
    const answers = { known: [] as unknown[], unknown: [] as unknown[] };
    for (let i = 0; i < 3; i++) {
      answers.known.push(await ask("demo@invito.example"));
      answers.unknown.push(await ask("stranger@example.test"));
    }
    assert.deepEqual(answers.unknown, answers.known);
    assert.equal((answers.known[0] as { status: number }).status, 303);
    assert.equal((answers.known[2] as { status: number }).status, 429, "the per-address limit");
    // Links leave in the background under a closed policy (the answer must not wait for SMTP).
    await waitFor(() => smtp.mails.length >= 2, { message: "two links for the account holder" });
    assert.deepEqual(
      [...new Set(smtp.mails.flatMap((m) => m.to))],
      ["demo@invito.example"],
      "no mail to an address without an account",
    );
    assert.equal(smtp.mails.length, 2, "one mail per allowed request");
    // The sign-in page says who may sign in before anyone asks.
    assert.match((await createClient(app.baseUrl).get("/signin")).body, /for invited people/);
  },
});

Deno.test({
  ...opts,
  name:
    "at rest (#12): session and sign-in tokens are stored only as hashes, the data files are 0600, and sessions from before the upgrade keep working",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp });
    const c = await signInByLink(app, "hana@example.test", { smtp });
    const session = c.cookie("authjs.session-token")!;
    // A link requested and not used yet.
    await createClient(app.baseUrl).post("/signin?/email", {
      providerId: "email",
      email: "hana@example.test",
    });
    const mail = await smtp.waitForMail((m) =>
      m.to.includes("hana@example.test") && smtp.mails.indexOf(m) > 0
    );
    const token = new URL(verifyLinkIn(mail.text)).searchParams.get("token")!;
    await app.stop({ keepData: true });
    const dump = JSON.stringify(
      (await readStore(app.dbPath)).map((e) => [e.key, e.value]),
      (_k, v) => typeof v === "bigint" ? String(v) : v,
    );
    assert.ok(!dump.includes(session), "the session token is not stored as it is");
    assert.ok(!dump.includes(token), "the sign-in token is not stored as it is");
    const modes = async () => {
      const out: Record<string, string> = {};
      for await (const e of Deno.readDir(app.dataDir)) {
        if (e.name.startsWith("invito.kv")) {
          out[e.name] = ((await Deno.stat(`${app.dataDir}/${e.name}`)).mode! & 0o777).toString(8);
        }
      }
      return out;
    };
    for (const [name, mode] of Object.entries(await modes())) assert.equal(mode, "600", name);
    // Files made readable by an older version are fixed at start.
    for (const name of Object.keys(await modes())) {
      await Deno.chmod(`${app.dataDir}/${name}`, 0o644);
    }
    await app.restart();
    assert.equal(await welcome(c), "hana", "the session survives the restart");
    const after = await modes();
    assert.ok(Object.keys(after).length >= 1);
    for (const [name, mode] of Object.entries(after)) assert.equal(mode, "600", name);
  },
});
