/**
 * Which account an identity at the issuer opens, against real peers (oidc-provider, smtp-server):
 * an identity is linked to an existing account only by that account's own deliberate Connect on
 * its profile, and only when the issuer vouches for the account's address (ADR 007).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { oidcLoginWithClient, oidcRedirectUri, startOidc } from "../support/oidc.ts";
import { type Client, createClient, type HttpResult } from "../support/http.ts";
import { freePort } from "../support/ports.ts";
import { formsOf, signInByLink, submitForm } from "../support/auth.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const IDP = "Example ID";
const ADMIN = "ops@example.test";

/** The address of the account this client is signed in to (Auth.js's session), or null. */
async function sessionEmail(c: Client): Promise<string | null> {
  const res = await c.get("/auth/session");
  const s = res.json<{ user?: { email?: string } } | null>();
  return s?.user?.email ?? null;
}

/** The page's visible text, tags dropped and entities of quotes undone (for messages). */
const text = (page: HttpResult) =>
  page.body.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ")
    .replace(/&#39;|&#x27;|&rsquo;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

async function startPeers() {
  const smtp = await startSmtp();
  const port = freePort();
  const idp = await startOidc({
    redirectUris: [oidcRedirectUri(port)],
    users: [
      { sub: "dora-caps", email: "DORA@Example.TEST", name: "Dora Caps" },
      { sub: "dora-unverified", email: "dora@example.test", email_verified: false },
    ],
  });
  const app = await startApp({
    port,
    smtp,
    oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, name: IDP },
    // Many sign-in posts from one address in one test.
    env: { INVITO_RATE_LIMIT: "signin=500/15m", INVITO_ADMINS: ADMIN },
  });
  return {
    smtp,
    idp,
    app,
    async [Symbol.asyncDispose]() {
      await app.stop();
      await idp.close();
      await smtp.close();
    },
  };
}

/** A fresh browser signs in at the issuer as `login`: the page it ends on. */
async function signInAtIssuer(baseUrl: string, login: string) {
  const c = createClient(baseUrl);
  const start = await c.post("/signin?/oidc", { providerId: "oidc", next: "/dashboard" });
  const callback = await oidcLoginWithClient(c, start.location!, { login });
  const done = await c.get(callback, { follow: true });
  return { c, done };
}

/** The page a press leads to: at the issuer, log in as `login` (when it goes there) and come back. */
async function throughIssuer(c: Client, res: HttpResult, issuer: string, login: string) {
  assert.ok(res.location, `a redirect, got ${res.status}`);
  if (!res.location.startsWith(issuer)) return await c.get(res.location, { follow: true });
  const callback = await oidcLoginWithClient(c, res.location, { login });
  return await c.get(callback, { follow: true });
}

/** The admin's audit page's rows: each entry's kind and its cells' text after "When". */
const auditRows = (page: HttpResult) =>
  [...page.body.matchAll(/<tr[^>]*data-kind="(\w+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => [
    m[1],
    ...[...m[2].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].slice(1)
      .map((c) => c[1].replace(/<[^>]+>/g, "").trim()),
  ]);

const connectForm = (page: HttpResult) =>
  formsOf(page).find((f) => new URL(f.action).search === "?/connect");

Deno.test({
  ...opts,
  name:
    "OIDC linking (#2): the issuer's button pressed in a signed-in browser links nothing — another person's identity stays theirs, the page says why, and the session stays as it was",
  async fn() {
    await using peers = await startPeers();
    const { app, smtp, idp } = peers;

    // Olga is signed in by link; someone with her browser posts the issuer's button and logs in
    // at the issuer as Carol.
    const olga = await signInByLink(app, "olga@example.test", { smtp });
    const start = await olga.post("/signin?/oidc", { providerId: "oidc", next: "/dashboard" });
    const page = await throughIssuer(olga, start, idp.issuer, "carol");
    assert.equal(await sessionEmail(olga), "olga@example.test", "still Olga's session");
    // Later, in a fresh browser, Carol's identity opens Carol's own new account, not Olga's.
    const carol = await signInAtIssuer(app.baseUrl, "carol");
    assert.equal(await sessionEmail(carol.c), "carol@example.test");
    assert.match(text(page), /already signed in as olga@example\.test/, page.url);

    // Olga's profile shows no identity connected, and offers to connect one.
    const profile = await olga.get("/dashboard/profile");
    assert.ok(connectForm(profile), "a Connect button");
    assert.doesNotMatch(text(profile), /Connected to Example ID/);
    // Carol's account, made by the issuer, shows its identity.
    const carolProfile = await carol.c.get("/dashboard/profile");
    assert.match(text(carolProfile), /Connected to Example ID as carol/);
    assert.equal(connectForm(carolProfile), undefined);
  },
});

Deno.test({
  ...opts,
  name:
    "OIDC linking (#2): a sign-in at the issuer begun while signed out and finished after signing in by link in another tab links nothing and leaves the session as it was",
  async fn() {
    await using peers = await startPeers();
    const { app, smtp, idp } = peers;
    // The callback arrives with Olga's session and without her pressing Connect.
    const tab = createClient(app.baseUrl);
    const early = await tab.post("/signin?/oidc", { providerId: "oidc", next: "/dashboard" });
    assert.ok(early.location?.startsWith(idp.issuer), early.location ?? String(early.status));
    await signInByLink(app, "olga@example.test", { smtp, client: tab });
    const callback = await oidcLoginWithClient(tab, early.location!, { login: "dave" });
    const late = await tab.get(callback, { follow: true });
    assert.equal(await sessionEmail(tab), "olga@example.test", "still Olga's session");
    const dave = await signInAtIssuer(app.baseUrl, "dave");
    assert.equal(await sessionEmail(dave.c), "dave@example.test");
    assert.match(text(late), /already signed in as olga@example\.test/, late.url);
  },
});

Deno.test({
  ...opts,
  name:
    "OIDC linking (#2, #3): 'sign in with the link first' names the way — Profile → Connect, which links only an identity whose verified address is the account's (in any case), shows it and can disconnect it",
  async fn() {
    await using peers = await startPeers();
    const { app, smtp, idp } = peers;
    // Carol's account was made by the issuer; Dora's by an email link.
    const carol = await signInAtIssuer(app.baseUrl, "carol");
    assert.equal(await sessionEmail(carol.c), "carol@example.test");
    await signInByLink(app, "dora@example.test", { smtp });

    // Dora tries the issuer: refused, with the way to connect it.
    const refused = await signInAtIssuer(app.baseUrl, "dora");
    assert.equal(await sessionEmail(refused.c), null);
    assert.match(
      text(refused.done),
      /Sign in with an email link below, then open Profile and press .Connect Example ID./,
    );

    // She follows it.
    const dora = await signInByLink(app, "dora@example.test", { smtp });
    const connect = async (login: string) => {
      // Each time in a browser not yet signed in at the issuer (its jar holds Dora's session).
      const b = createClient(app.baseUrl);
      b.setCookie("authjs.session-token", dora.cookie("authjs.session-token")!);
      const form = connectForm(await b.get("/dashboard/profile"));
      assert.ok(form, "a Connect button on the profile");
      const page = await throughIssuer(b, await submitForm(b, form), idp.issuer, login);
      assert.equal(new URL(page.url).pathname, "/dashboard/profile");
      assert.equal(await sessionEmail(b), "dora@example.test", `${login}: still Dora`);
      return text(page);
    };
    // Erin's identity (another address): not connected.
    assert.match(
      await connect("erin"),
      /its verified address is not this account’s \(dora@example\.test\)/,
    );
    const erin = await signInAtIssuer(app.baseUrl, "erin");
    assert.equal(await sessionEmail(erin.c), "erin@example.test", "Erin's identity is hers");
    // An identity whose address the issuer has not verified: not connected.
    assert.match(await connect("dora-unverified"), /has not verified/);
    // Carol's identity while the issuer says it has Dora's address: it opens Carol's account.
    idp.addUser({ sub: "carol", email: "dora@example.test" });
    assert.match(await connect("carol"), /already connected to another Invito account/);
    idp.addUser({ sub: "carol", email: "carol@example.test" });
    const carolAgain = await signInAtIssuer(app.baseUrl, "carol");
    assert.equal(await sessionEmail(carolAgain.c), "carol@example.test");
    // The same address in other letters: connected, and shown.
    const connected = await connect("dora-caps");
    assert.match(connected, /Example ID is connected/);
    assert.match(connected, /Connected to Example ID as dora-caps/);

    // The identity now signs Dora in, in a fresh browser; the others still do not.
    const viaIdp = await signInAtIssuer(app.baseUrl, "dora-caps");
    assert.equal(await sessionEmail(viaIdp.c), "dora@example.test");
    assert.equal(await sessionEmail((await signInAtIssuer(app.baseUrl, "dora")).c), null);

    // Disconnect: the identity no longer opens the account; Connect is offered again.
    const profile = await dora.get("/dashboard/profile");
    assert.equal(connectForm(profile), undefined, "no second identity");
    const disconnect = formsOf(profile).find((f) => f.action.endsWith("?/disconnectIdentity"));
    assert.ok(disconnect, "a Disconnect button");
    const after = await submitForm(dora, disconnect);
    const shown = after.location ? await dora.get(after.location, { follow: true }) : after;
    assert.match(text(shown), /Example ID is no longer connected/);
    assert.ok(connectForm(await dora.get("/dashboard/profile")));
    const gone = await signInAtIssuer(app.baseUrl, "dora-caps");
    assert.equal(await sessionEmail(gone.c), null);
    assert.match(text(gone.done), /press .Connect Example ID./);
    assert.equal(await sessionEmail(viaIdp.c), "dora@example.test", "sessions stay");
  },
});

Deno.test({
  ...opts,
  name: "OIDC linking: without an issuer configured the profile offers no Connect",
  async fn() {
    await using app = await startApp();
    const c = await signInByLink(app, "pia@example.test");
    const profile = await c.get("/dashboard/profile");
    assert.equal(profile.status, 200);
    assert.equal(connectForm(profile), undefined);
    // Posted anyway: nothing happens, no issuer is asked.
    const res = await c.post("/signin?/connect", {});
    assert.ok(!res.location?.includes("/auth/"), String(res.location));
    assert.equal(await sessionEmail(c), "pia@example.test");
  },
});

Deno.test({
  ...opts,
  name:
    "OIDC linking (#2): Connect and Disconnect are in the admin's audit log — actor the account, the issuer's name as detail, in the page's language and in the CSV, the identity's sub nowhere; a refused Connect and an account the issuer made are not linkings",
  async fn() {
    await using peers = await startPeers();
    const { app, smtp, idp } = peers;
    // Carol's account is made by the issuer (its identity joins a new account: a sign-in).
    const carol = await signInAtIssuer(app.baseUrl, "carol");
    assert.equal(await sessionEmail(carol.c), "carol@example.test");

    const dora = await signInByLink(app, "dora@example.test", { smtp });
    const connect = async (login: string) => {
      const b = createClient(app.baseUrl);
      b.setCookie("authjs.session-token", dora.cookie("authjs.session-token")!);
      const form = connectForm(await b.get("/dashboard/profile"));
      assert.ok(form, "a Connect button on the profile");
      return text(await throughIssuer(b, await submitForm(b, form), idp.issuer, login));
    };
    assert.match(await connect("dora-unverified"), /has not verified/);
    assert.match(await connect("dora-caps"), /Example ID is connected/);
    const viaIdp = await signInAtIssuer(app.baseUrl, "dora-caps");
    assert.equal(await sessionEmail(viaIdp.c), "dora@example.test");
    const disconnect = formsOf(await dora.get("/dashboard/profile"))
      .find((f) => f.action.endsWith("?/disconnectIdentity"));
    assert.ok(disconnect, "a Disconnect button");
    await submitForm(dora, disconnect);
    assert.ok(connectForm(await dora.get("/dashboard/profile")), "disconnected");

    const admin = await signInByLink(app, ADMIN, { smtp });
    const kinds: Record<string, [string, string]> = {
      en: ["Identity connected", "Identity disconnected"],
      de: ["Identität verbunden", "Identität getrennt"],
      fr: ["Identité associée", "Identité dissociée"],
      es: ["Identidad conectada", "Identidad desconectada"],
    };
    for (const [lang, [linked, unlinked]] of Object.entries(kinds)) {
      for (const [kind, words] of [["identity_linked", linked], ["identity_unlinked", unlinked]]) {
        const page = await admin.get(`/admin/audit?kind=${kind}&lang=${lang}`);
        assert.equal(page.status, 200);
        // The filter offers the kind in the page's language, and it is the one chosen.
        assert.match(
          page.body,
          new RegExp(`<option value="${kind}"[^>]*selected[^>]*>${words}</option>`),
          `${lang}: ${kind} in the filter`,
        );
        const rows = auditRows(page);
        assert.deepEqual(
          rows,
          [[kind, words, "dora@example.test", "dora", rows[0]?.[4] ?? "", IDP]],
          `${lang}: ${kind}`,
        );
        assert.match(rows[0][4], /^[0-9a-f]{16}$/, "from where, hashed");
      }
    }

    const csv = await admin.get("/admin/audit.csv");
    assert.equal(csv.status, 200);
    const entries = parseCsv(csv.body).slice(1);
    const of = (kind: string) =>
      entries.filter((r) => r[1] === kind).map((r) => [r[2], r[4], r[7]].map(String));
    assert.deepEqual(of("identity_linked"), [["dora@example.test", "dora", IDP]]);
    assert.deepEqual(of("identity_unlinked"), [["dora@example.test", "dora", IDP]]);
    // A sign-in at the issuer names the issuer, as the linkings do.
    assert.ok(
      of("sign_in").some(([actor, , detail]) => actor === "dora@example.test" && detail === IDP),
      JSON.stringify(of("sign_in")),
    );
    // The identity's subject at the issuer is in no entry.
    assert.doesNotMatch(csv.body, /dora-caps|dora-unverified/);
  },
});

Deno.test({
  ...opts,
  name:
    "OIDC linking (#2): an account's deletion disconnects its identities, each an identity_unlinked entry — by the person deleting their own account, and by an admin deleting another's",
  async fn() {
    await using peers = await startPeers();
    const { app, smtp, idp } = peers;
    // Carol's account is made by the issuer; Dora connects her identity to hers.
    const carol = await signInAtIssuer(app.baseUrl, "carol");
    assert.equal(await sessionEmail(carol.c), "carol@example.test");
    const dora = await signInByLink(app, "dora@example.test", { smtp });
    const b = createClient(app.baseUrl);
    b.setCookie("authjs.session-token", dora.cookie("authjs.session-token")!);
    const form = connectForm(await b.get("/dashboard/profile"));
    assert.ok(form, "a Connect button on the profile");
    const connected = await throughIssuer(b, await submitForm(b, form), idp.issuer, "dora-caps");
    assert.match(text(connected), /Example ID is connected/);

    // Dora deletes her account from her profile.
    const closed = await dora.post("/dashboard/profile?/deleteAccount", { username: "dora" });
    assert.equal(closed.status, 303, closed.body.slice(0, 300));
    // An admin deletes Carol's.
    const admin = await signInByLink(app, ADMIN, { smtp });
    const carolId = /data-user="carol"[\s\S]*?name="userId" value="([0-9A-Z]{26})"/
      .exec((await admin.get("/admin?q=carol")).body)![1];
    const deleted = await admin.post("/admin?/delete", { userId: carolId, confirm: "carol" });
    assert.equal(deleted.status, 200, deleted.body.slice(0, 300));

    // Who removed each identity, from which account, at which issuer; oldest first.
    const csv = await admin.get("/admin/audit.csv?kind=identity_unlinked");
    assert.equal(csv.status, 200);
    const rows = parseCsv(csv.body).slice(1).map((r) => [r[2], r[4], r[7]].map(String));
    assert.deepEqual(rows.reverse(), [
      ["dora@example.test", "dora", IDP],
      [ADMIN, "carol", IDP],
    ]);
    assert.doesNotMatch(csv.body, /dora-caps/, "the identity's sub is in no entry");
    const page = auditRows(await admin.get("/admin/audit?kind=identity_unlinked"));
    assert.deepEqual(page.map((r) => [r[0], r[2], r[3], r[5]]), [
      ["identity_unlinked", ADMIN, "carol", IDP],
      ["identity_unlinked", "dora@example.test", "dora", IDP],
    ]);
  },
});
