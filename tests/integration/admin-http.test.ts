/**
 * The admin area (issue 32) over HTTP against the built server: who reaches it, and what
 * suspending, reactivating and deleting an account do to every credential and public page.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { bearerApi, type Client, createClient } from "../support/http.ts";
import { finishMagicLink, signInByLink, verifyLinkIn } from "../support/auth.ts";
import { serveLocal } from "../support/local-server.ts";
import { waitFor } from "../support/wait.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { startSmtp } from "../support/smtp.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";
import { METRICS_ENV, outboxJobs } from "../support/metrics.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const ADMIN = "ops@example.test";

/** The id of a user on the admin's list (from the form the page renders). */
async function userIdOf(admin: Client, username: string): Promise<string> {
  const page = await admin.get(`/admin?q=${encodeURIComponent(username)}`);
  assert.equal(page.status, 200);
  const m = new RegExp(
    `data-user="${username}"[\\s\\S]*?name="userId" value="([0-9A-Z]{26})"`,
  ).exec(page.body);
  assert.ok(m, `no ${username} on the admin's list`);
  return m[1];
}

Deno.test({
  ...opts,
  name:
    "admin area (issue 32): signed out or signed in as a host, every admin page and action answers 404 in every spelling, and nothing changes; the listed admin gets the pages",
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    const admin = await signInByLink(app, ADMIN);
    const host = await signInByLink(app, DEMO_EMAIL);
    const anon = createClient(app.baseUrl);
    const demoId = await userIdOf(admin, "demo");

    const pages = [
      "/admin",
      "/admin/",
      "/admin/instance",
      "/admin/audit",
      "/admin/audit.csv",
      "/admin/__data.json",
      "/admin/instance/__data.json",
      "/%61dmin",
      "/%61dmin/%69nstance",
      "/admin/%61udit",
      "/admin/audit%2Ecsv",
      "/admin/instance/",
      "/ADMIN",
      "/%2561dmin",
    ];
    const actions = [
      "/admin?/suspend",
      "/admin?%2Fsuspend",
      "/%61dmin?/suspend",
      "/admin/?/suspend",
      "/admin?/delete",
      "/admin?/reactivate",
      "/admin/instance?/mailTest",
      "/admin/instance?/backup",
    ];
    for (const [who, c] of [["signed out", anon], ["a host", host]] as const) {
      for (const p of pages) {
        const r = await c.get(p);
        assert.equal(r.status, 404, `${who}: GET ${p} → ${r.status}`);
        assert.doesNotMatch(r.body, /suspend|audit log|admin\.|INVITO_/i, `${who}: ${p} tells`);
      }
      for (const p of actions) {
        const r = await c.post(p, { userId: demoId, confirm: "demo", to: "x@example.test" });
        assert.equal(r.status, 404, `${who}: POST ${p} → ${r.status}`);
      }
    }
    // Every answer a stranger gets is the answer of a path no route has, byte for byte once
    // decoded (random values aside: nonces, request ids, the ETag over them), headers included:
    // pages, data requests, actions by name (the area's own, unknown ones, none at all, a
    // prototype member's), plain and enhanced posts, other methods, and each spelling.
    const hostCookie = host.cookies().map((k) => `${k.name}=${k.value}`).join("; ");
    const posts = [
      ...actions,
      "/admin",
      "/admin/",
      "/admin/instance",
      "/admin/audit",
      "/admin/audit.csv",
      "/admin?/unknown",
      "/admin?/constructor",
      "/admin?/default",
      "/admin/instance?/nope",
      "/%61dmin/instance?/mailTest",
      "/admin/__data.json",
      "/admin/instance?%2FmailTest",
    ];
    const asks: [string, string, Record<string, string>][] = [
      ...pages.map((p) =>
        ["GET", p, { accept: "text/html" }] as [string, string, Record<string, string>]
      ),
      ...["/admin/__data.json", "/admin/instance/__data.json?x-sveltekit-invalidated=01"].map(
        (p) => ["GET", p, {}] as [string, string, Record<string, string>],
      ),
      ...posts.flatMap((p) =>
        [
          ["POST", p, { accept: "text/html" }],
          ["POST", p, { accept: "application/json", "x-sveltekit-action": "true" }],
          ["POST", p, { "content-type": "text/plain" }],
        ] as [string, string, Record<string, string>][]
      ),
      ...["PUT", "DELETE", "PATCH", "OPTIONS"].map(
        (m) => [m, "/admin/instance", {}] as [string, string, Record<string, string>],
      ),
      ["HEAD", "/admin", {}],
    ];
    // The same request to a path no route has: the first segment replaced.
    const elsewhere = (path: string) => path.replace(/^\/[^/?]*/, "/zzzzz");
    const answer = async (method: string, path: string, h: Record<string, string>, who: string) => {
      const headers = new Headers({ origin: app.baseUrl, ...h });
      if (who === "host") headers.set("cookie", hostCookie);
      const body = method === "GET" || method === "HEAD"
        ? undefined
        : h["content-type"] === "text/plain"
        ? "userId=" + demoId
        : new URLSearchParams({ userId: demoId, confirm: "demo", to: "bob" });
      const res = await fetch(app.baseUrl + path, { method, headers, body, redirect: "manual" });
      const random = (t: string) =>
        t.replace(/nonce(=|-)["']?[A-Za-z0-9+/=_-]+/g, "nonce").replace(/[0-9a-f]{16,}/g, "");
      const seen = [...res.headers].filter(([k]) => k !== "date" && k !== "x-request-id")
        .map(([k, v]) => k === "etag" || k === "content-length" ? `${k}: ~` : `${k}: ${random(v)}`);
      return { status: res.status, headers: seen, body: random(await res.text()) };
    };
    for (const who of ["signed out", "host"]) {
      for (const [method, path, h] of asks) {
        const got = await answer(method, path, h, who);
        const want = await answer(method, elsewhere(path), h, who);
        assert.deepEqual(got, want, `${who}: ${method} ${path} ${JSON.stringify(h)}`);
      }
    }

    // Nothing happened to the host: still signed in, still taking bookings. Their dashboard does
    // not link the admin area; the admin's does.
    const hostDash = await host.get("/dashboard/profile");
    assert.equal(hostDash.status, 200);
    assert.doesNotMatch(hostDash.body, /href="\/admin"/);
    assert.match((await admin.get("/dashboard/profile")).body, /href="\/admin"/);
    assert.equal(await fetch(`${app.baseUrl}/calendar/demo`).then((r) => r.status), 200);

    for (const p of ["/admin", "/admin/instance", "/admin/audit"]) {
      const r = await admin.get(p);
      assert.equal(r.status, 200, `admin: GET ${p}`);
    }
    // An address on the list that no verified sign-in backs is nobody: the admin's own rights
    // come from the session, never from a form field.
  },
});

Deno.test({
  ...opts,
  name:
    "suspending (issue 32) ends every credential at once — session, API key, feed, webhook — shows a calm 410 on the booking pages, keeps the meetings ahead and refuses sign-in with a message; reactivating lets the person back in; deleting by the admin ends everything again",
  async fn() {
    const hits: { type: string }[] = [];
    await using rx = serveLocal(async (req) => {
      hits.push(JSON.parse(await req.text()));
      return new Response("ok");
    });
    await using app = await startApp({
      demo: true,
      env: {
        INVITO_ADMINS: ADMIN,
        INVITO_ALLOW_PRIVATE_WEBHOOKS: "true",
        ...METRICS_ENV,
      },
    });
    const admin = await signInByLink(app, ADMIN);
    let host = await signInByLink(app, DEMO_EMAIL);
    const newKey = async (c: Client) => {
      const made = await c.post("/dashboard/developers?/createKey", {
        name: "laptop",
        write: "on",
        expires: "never",
      });
      return /inv_[A-Za-z0-9_-]{43}/.exec(made.body)![0];
    };
    let apiKey = await newKey(host);
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

    const api = (method: string, path: string, key: string, body?: unknown) =>
      bearerApi(app.baseUrl, key)(method, path, body);
    const status = async (path: string) => {
      const r = await fetch(`${app.baseUrl}${path}`);
      await r.body?.cancel();
      return r.status;
    };

    // Two meetings ahead; the webhook hears of them.
    const [a, c3, b] = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
    const guest = createClient(app.baseUrl);
    const tokens: string[] = [];
    for (const start of [a, b]) {
      const booked = await guest.post("/calendar/demo/quick-chat?/book", {
        name: "Gil",
        email: "gil@example.test",
        note: "",
        start,
        tz: "UTC",
      });
      assert.equal(booked.status, 303);
      tokens.push(/\/booking\/([^/?]+)/.exec(booked.location!)![1]);
    }
    await waitFor(() => hits.length >= 2, { message: "the bookings' webhooks" });
    assert.equal((await api("GET", "/me", apiKey)).status, 200);
    assert.equal(await status(feedPath), 200);

    // Suspend.
    const demoId = await userIdOf(admin, "demo");
    const done = await admin.post("/admin?/suspend", { userId: demoId, confirm: "yes" });
    assert.equal(done.status, 200, done.body.slice(0, 300));
    assert.match(done.body, /is suspended/);

    // Every credential ended at once.
    assert.equal((await api("GET", "/me", apiKey)).status, 401);
    assert.equal((await api("GET", "/bookings", apiKey)).status, 401);
    assert.equal(
      (await api("POST", "/event-types", apiKey, { title: "X", slug: "x", durationMin: 30 }))
        .status,
      401,
    );
    assert.equal(await status(feedPath), 404);
    const dash = await host.get("/dashboard");
    assert.equal(dash.status, 303);
    assert.match(dash.location ?? "", /\/signin/);

    // The booking pages are calm and offer nothing; a booking is refused.
    const page = await createClient(app.baseUrl).get("/calendar/demo");
    assert.equal(page.status, 410);
    assert.match(page.body, /not taking bookings at the moment/);
    assert.doesNotMatch(page.body, /quick-chat/);
    assert.equal(await status("/calendar/demo/quick-chat"), 410);
    assert.equal(await status("/widget/demo/quick-chat"), 410);
    // The same pages for programs (Markdown) say the same, not "there is no booking page".
    for (
      const [path, accept] of [
        ["/calendar/demo/quick-chat.md", "*/*"],
        ["/calendar/demo.md", "*/*"],
        ["/calendar/demo/quick-chat", "text/markdown"],
      ]
    ) {
      const md = await fetch(app.url(path), { headers: { accept } });
      const text = await md.text();
      assert.equal(md.status, 410, `${path}: ${text}`);
      assert.match(md.headers.get("content-type") ?? "", /text\/markdown/);
      assert.match(text, /not taking bookings at the moment/, path);
      assert.doesNotMatch(text, /no booking page/, path);
    }
    // And the JSON API's public doors (with the reason, so a program can tell it from a typo).
    const day = a.slice(0, 10);
    for (
      const [method, path, body] of [
        ["GET", "/api/v1/users/demo/event-types", undefined],
        ["GET", "/api/v1/users/demo/event-types/quick-chat", undefined],
        [
          "GET",
          `/api/v1/users/demo/event-types/quick-chat/slots?start=${day}&end=${day}&timeZone=UTC`,
          undefined,
        ],
        ["POST", "/api/v1/bookings", {
          username: "demo",
          eventType: "quick-chat",
          start: a,
          timeZone: "UTC",
          name: "Hal",
          email: "hal@example.test",
        }],
      ] as const
    ) {
      const r = await fetch(app.url(path), {
        method,
        headers: {
          "content-type": "application/json",
          ...(body ? { "idempotency-key": `gone-${path.length}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const problem = await r.json();
      assert.equal(r.status, 410, `${method} ${path}: ${JSON.stringify(problem)}`);
      assert.equal(problem.reason, "host_not_taking_bookings", path);
    }
    assert.equal(
      await fetch(app.url("/api/v1/users/nobody-here/event-types")).then((r) => r.status),
      404,
    );
    const refused = await guest.post("/calendar/demo/quick-chat?/book", {
      name: "Hal",
      email: "hal@example.test",
      note: "",
      start: a,
      tz: "UTC",
    });
    // Refused (the action finds no booking page to book on); the count below shows nothing landed.
    assert.ok([404, 410].includes(refused.status), `book on a suspended host: ${refused.status}`);

    // The meetings ahead are kept (the admin's list counts them; the guest's page shows one).
    const list = await admin.get("/admin?q=demo");
    assert.match(list.body, /Bookings ahead:<\/dt> <dd class="inline">2</);
    assert.equal(await status(`/booking/${tokens[0]}`), 200);

    // The guest cancels one: nothing reaches the suspended account's webhook (it is held).
    const before = hits.length;
    const cancelled = await guest.post(`/booking/${tokens[1]}/cancel`, { reason: "" });
    assert.equal(cancelled.status, 200);
    await waitFor(async () => (await outboxJobs(app.baseUrl)) === 0, {
      message: "an empty outbox",
    });
    assert.equal(hits.length, before, "no webhook delivery for a suspended account");

    // Signing in is refused, with words.
    const c = createClient(app.baseUrl);
    const since = app.logs().length;
    const asked = await c.post("/signin?/email", { providerId: "email", email: DEMO_EMAIL });
    assert.equal(asked.status, 303);
    const link = verifyLinkIn(
      (await app.waitForLog(/https?:\/\/\S+\/signin\/verify\?\S+/, { since }))[0],
    );
    const pressed = await finishMagicLink(c, link);
    assert.match(pressed.location ?? "", /\/signin\?error=Suspended/);
    assert.equal(c.cookie("authjs.session-token"), undefined);
    assert.match((await c.get(pressed.location!)).body, /suspended by the administrator/);

    // Reactivate: sign-in and pages work again; the old key stays dead; the cancellation held
    // while suspended reaches the webhook now.
    assert.equal((await admin.post("/admin?/reactivate", { userId: demoId })).status, 200);
    await waitFor(() => hits.length === before + 1, { message: "the held cancellation" });
    assert.equal(hits[before].type, "booking.cancelled");
    assert.equal(await status("/calendar/demo"), 200);
    assert.equal((await api("GET", "/me", apiKey)).status, 401);
    host = await signInByLink(app, DEMO_EMAIL);
    assert.equal((await host.get("/dashboard")).status, 200);
    apiKey = await newKey(host);
    assert.equal((await api("GET", "/me", apiKey)).status, 200);
    // A new feed works; the webhook (kept, silent while suspended) hears bookings again.
    assert.equal((await host.post("/dashboard/profile?/feed", {})).status, 200);
    const feed2 = /\/feed\/[A-Za-z0-9_-]{43}\.ics/.exec(
      (await host.get("/dashboard/profile")).body,
    )![0];
    assert.notEqual(feed2, feedPath, "a new feed address");
    assert.equal(await status(feed2), 200);
    const heard = hits.length;
    const third = await guest.post("/calendar/demo/quick-chat?/book", {
      name: "Gil",
      email: "gil@example.test",
      note: "",
      start: c3,
      tz: "UTC",
    });
    assert.equal(third.status, 303);
    await waitFor(() => hits.length > heard, { message: "the webhook hearing the new booking" });

    // Delete, as ADR 022 does it: a wrong confirmation changes nothing; the right one ends all.
    const wrong = await admin.post("/admin?/delete", { userId: demoId, confirm: "dem" });
    assert.equal(wrong.status, 400);
    assert.equal((await api("GET", "/me", apiKey)).status, 200);
    await waitFor(async () => (await outboxJobs(app.baseUrl)) === 0, {
      message: "an empty outbox before the deletion",
    });
    const beforeDelete = hits.length;
    const deleted = await admin.post("/admin?/delete", { userId: demoId, confirm: "demo" });
    assert.equal(deleted.status, 200, deleted.body.slice(0, 300));
    assert.equal((await api("GET", "/me", apiKey)).status, 401);
    assert.equal((await host.get("/dashboard")).status, 303);
    assert.equal(await status("/calendar/demo"), 404);
    assert.equal(await status(feed2), 404, "the feed ends with the account");
    await app.waitForLog(/To: gil@example\.test[\s\S]*?closed their Invito account/);
    // The meetings the deletion cancelled are told to their guests, never to the deleted
    // account's webhook endpoint: once everything queued has gone out, it heard nothing more.
    await waitFor(async () => (await outboxJobs(app.baseUrl)) === 0, {
      message: "an empty outbox after the deletion",
    });
    assert.equal(hits.length, beforeDelete, "no webhook delivery after the deletion");

    // Each admin action is in the audit log.
    const audit = await admin.get("/admin/audit");
    for (const kind of ["account_suspended", "account_reactivated", "account_deleted"]) {
      assert.match(audit.body, new RegExp(`data-kind="${kind}"`), kind);
    }
  },
});

Deno.test({
  ...opts,
  name:
    "admin instance and audit pages (issue 32): the test mail shows the SMTP server's answer (and its refusal), backup-now writes a file that is then listed with its size, secrets are masked, and the audit log filters and exports a formula-safe CSV with hashed addresses",
  async fn() {
    await using smtp = await startSmtp();
    const backupDir = await Deno.makeTempDir({ prefix: "invito-admin-backups-" });
    try {
      await using app = await startApp({
        smtp,
        env: {
          INVITO_ADMINS: ADMIN,
          INVITO_BACKUP_DIR: backupDir,
          INVITO_SMTP_PASSWORD: "smtp-password-never-shown",
        },
      });
      const admin = await signInByLink(app, ADMIN, { smtp });
      const host = await signInByLink(app, "ann@example.test", { smtp });

      const page = await admin.get("/admin/instance");
      assert.equal(page.status, 200);
      assert.match(page.body, /smtp\.password<\/dt><dd[^>]*>••••••••/);
      assert.doesNotMatch(page.body, /smtp-password-never-shown/);
      assert.doesNotMatch(page.body, new RegExp(app.env.INVITO_SESSION_SECRET));
      assert.match(page.body, /store schema 2/);

      const sent = await admin.post("/admin/instance?/mailTest", { email: "check@example.test" });
      assert.equal(sent.status, 200);
      assert.match(sent.body, /data-testid="smtp-answer">250 /);
      await smtp.waitForMail((m) => m.to.includes("check@example.test"));
      smtp.failNext("reject-550");
      const refused = await admin.post("/admin/instance?/mailTest", { email: "no@example.test" });
      assert.equal(refused.status, 502);
      assert.match(refused.body, /The mail server refused the test mail\. Its answer:/);
      assert.match(refused.body, /data-testid="smtp-answer">[^<]*5\d\d/);
      const bad = await admin.post("/admin/instance?/mailTest", { email: "not an address" });
      assert.equal(bad.status, 400);

      // A job that failed for good is counted under its kind (a sign-in link the mail server
      // refused: a sealed mail), not only in a total.
      smtp.failNext("reject-550");
      const asked = await createClient(app.baseUrl).post("/signin?/email", {
        providerId: "email",
        email: "lost@example.test",
      });
      assert.equal(asked.status, 303);
      const failedOf = (body: string, kind: string) =>
        new RegExp(`<tr data-kind="${kind}">[\\s\\S]*?data-failed[^>]*>(\\d+)<`).exec(body)?.[1];
      await waitFor(
        async () => failedOf((await admin.get("/admin/instance")).body, "sealed_mail") === "1",
        { message: "the refused sign-in mail counted under its kind" },
      );

      // The scheduled backup taken at start comes first; the button adds one more.
      const names = () => [...Deno.readDirSync(backupDir)].map((e) => e.name).sort();
      await waitFor(() => names().length === 1, { message: "the backup taken at start" });
      await waitFor(
        async () => /Last backup from here/.test((await admin.get("/admin/instance")).body),
        {
          message: "the start's backup recorded",
        },
      );
      const before = names();
      const backedUp = await admin.post("/admin/instance?/backup", {});
      assert.equal(backedUp.status, 200, backedUp.body.slice(0, 300));
      const files = names().filter((n) => !before.includes(n));
      assert.equal(files.length, 1);
      const size = Deno.statSync(`${backupDir}/${files[0]}`).size;
      // A backup that fails (the folder is a file now): listed too, with what went wrong.
      await Deno.remove(backupDir, { recursive: true });
      await Deno.writeTextFile(backupDir, "not a folder");
      const failed = await admin.post("/admin/instance?/backup", {});
      assert.equal(failed.status, 503, failed.body.slice(0, 300));
      // Each listed backup with its own result, size and time, newest first.
      const backupRows = [...(await admin.get("/admin/instance")).body.matchAll(
        /<tr[^>]*data-backup="(\w+)"[^>]*>([\s\S]*?)<\/tr>/g,
      )].map((m) => ({
        result: m[1],
        cells: [...m[2].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) =>
          c[1].replace(/<[^>]+>/g, "").trim()
        ),
      }));
      assert.deepEqual(backupRows.map((r) => r.result), ["failed", "ok", "ok"]);
      assert.equal(backupRows[0].cells[1], "Failed");
      assert.notEqual(backupRows[0].cells[4], "", "what went wrong");
      assert.deepEqual(backupRows[1].cells.slice(1, 3), [
        "OK",
        `${Math.max(1, Math.round(size / 1024))} kB`,
      ]);
      // (Their folder is gone now: the list says so beside each file's path.)
      assert.equal(backupRows[1].cells[4], `${backupDir}/${files[0]}(removed since)`);
      assert.equal(
        backupRows[2].cells[4],
        `${backupDir}/${before[0]}(removed since)`,
        "the start's backup, with its own result",
      );
      assert.equal(backupRows[2].cells[1], "OK");
      for (const r of backupRows) assert.match(r.cells[0], /\d/, "when");

      // Security events land in the log: a key with a name a spreadsheet would run.
      const made = await host.post("/dashboard/developers?/createKey", {
        name: '=HYPERLINK("http://evil.test","x")',
        expires: "never",
      });
      assert.equal(made.status, 200);
      const all = await admin.get("/admin/audit");
      for (const kind of ["sign_in", "api_key_created", "admin_mail_test", "admin_backup"]) {
        assert.match(all.body, new RegExp(`data-kind="${kind}"`), kind);
      }
      const onlyKeys = await admin.get("/admin/audit?kind=api_key_created");
      assert.doesNotMatch(onlyKeys.body, /data-kind="sign_in"/);
      const ann = await admin.get("/admin/audit?who=ann%40example.test&kind=sign_in");
      assert.equal([...ann.body.matchAll(/data-kind="sign_in"/g)].length, 1);
      const badFilter = await admin.get("/admin/audit.csv?kind=nonsense");
      assert.equal(badFilter.status, 400);

      const csv = await admin.get("/admin/audit.csv?kind=api_key_created");
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type") ?? "", /^text\/csv/);
      const rows = parseCsv(csv.body);
      assert.deepEqual(rows[0], [
        "when",
        "kind",
        "actor",
        "actor_id",
        "target",
        "target_id",
        "ip_hash",
        "detail",
      ]);
      assert.equal(rows.length, 2);
      assert.equal(rows[1][2], "ann@example.test");
      assert.equal(rows[1][4], `'=HYPERLINK("http://evil.test","x")`, "formula-safe");
      assert.match(String(rows[1][6]), /^[0-9a-f]{16}$/, "the address only as a hash");
      assert.ok(!csv.body.includes("127.0.0.1"));
    } finally {
      await Deno.remove(backupDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  ...opts,
  name:
    "hand-over (issue 32): a departing host's meetings move to another host through the booking engine; a clash is listed and left in place, and a guest booking the new host's same time concurrently never double-books",
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    const admin = await signInByLink(app, ADMIN);
    const bob = await signInByLink(app, "bob@example.test");
    const made = await bob.post("/dashboard/developers?/createKey", {
      name: "k",
      write: "on",
      expires: "never",
    });
    const bobKey = /inv_[A-Za-z0-9_-]{43}/.exec(made.body)![0];
    const created = await fetch(`${app.baseUrl}/api/v1/event-types`, {
      method: "POST",
      headers: { authorization: `Bearer ${bobKey}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Chat", slug: "chat", durationMin: 15 }),
    });
    assert.equal(created.status, 201, await created.text());

    // Times both offer.
    const bobSlots = new Set(
      (await slotsAhead(app.baseUrl, "bob", "chat", 10)).map((s) => Date.parse(s)),
    );
    const both = (await slotsAhead(app.baseUrl, "demo", "quick-chat", 10))
      .filter((s) => bobSlots.has(Date.parse(s)));
    assert.ok(both.length >= 3, "three times both offer");
    const [s1, s2, s3] = both;
    const book = (user: string, slug: string, start: string, email: string) =>
      createClient(app.baseUrl).post(`/calendar/${user}/${slug}?/book`, {
        name: email.split("@")[0],
        email,
        note: "",
        start,
        tz: "UTC",
      });
    assert.equal((await book("demo", "quick-chat", s1, "gil@example.test")).status, 303);
    assert.equal((await book("demo", "quick-chat", s2, "hal@example.test")).status, 303);
    assert.equal((await book("demo", "quick-chat", s3, "kim@example.test")).status, 303);
    // Bob is already busy at s2: that meeting must stay with demo.
    assert.equal((await book("bob", "chat", s2, "ivy@example.test")).status, 303);

    const demoId = await userIdOf(admin, "demo");
    const since = app.logs().length;
    // The hand-over and a guest taking bob's s1 at the same moment.
    const [handed, raced] = await Promise.all([
      admin.post("/admin?/handover", { userId: demoId, to: "bob" }),
      book("bob", "chat", s1, "joe@example.test"),
    ]);
    assert.equal(handed.status, 200, handed.body.slice(0, 300));

    const bobBookings = await fetch(`${app.baseUrl}/api/v1/bookings?limit=100`, {
      headers: { authorization: `Bearer ${bobKey}` },
    }).then((r) => r.json()) as {
      data?: { start: string; status: string; guest: { email: string } }[];
    };
    const live = (bobBookings.data ?? Object.values(bobBookings).find(Array.isArray) ?? []) as {
      start: string;
      status: string;
      guest: { email: string };
    }[];
    const at = (s: string) =>
      live.filter((b) =>
        Date.parse(b.start) === Date.parse(s) &&
        (b.status === "CONFIRMED" || b.status === "PENDING")
      );
    assert.equal(at(s1).length, 1, "exactly one meeting of bob's at s1");
    assert.equal(at(s2).length, 1, "exactly one meeting of bob's at s2");
    assert.equal(at(s2)[0].guest.email, "ivy@example.test", "the clash was not overwritten");
    const conflicts = /data-testid="handover-conflicts">([\s\S]*?)<\/ul>/.exec(handed.body)?.[1] ??
      "";
    assert.match(conflicts, /hal/, "the clash is listed");
    if (raced.status === 303) {
      assert.equal(at(s1)[0].guest.email, "joe@example.test");
      assert.match(conflicts, /gil/, "the lost race is listed");
      assert.match(handed.body, /1 meeting moved to bob/);
    } else {
      assert.equal(at(s1)[0].guest.email, "gil@example.test");
      assert.match(handed.body, /2 meetings moved to bob/);
    }
    // The free time moved, and its guest is told (a mail with the new host's name).
    assert.equal(at(s3).length, 1);
    assert.equal(at(s3)[0].guest.email, "kim@example.test");
    await app.waitForLog(/To: kim@example\.test/, { since });
    const audit = await admin.get("/admin/audit?kind=bookings_handed_over");
    assert.match(audit.body, /data-kind="bookings_handed_over"/);
  },
});

Deno.test({
  ...opts,
  name:
    "admin area: an administrator cannot suspend or delete another administrator from the web (it locked them out and deleted their keys); a host is suspended as before",
  async fn() {
    const OTHER = "second-admin@example.test";
    await using app = await startApp({
      demo: true,
      env: { INVITO_ADMINS: `${ADMIN},${OTHER}` },
    });
    const admin = await signInByLink(app, ADMIN);
    const other = await signInByLink(app, OTHER);
    const otherName = /name="username"[^>]*value="([^"]+)"/.exec(
      (await other.get("/dashboard/profile")).body,
    )![1];
    const otherId = await userIdOf(admin, otherName);
    const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    for (
      const [action, body] of [
        ["suspend", { userId: otherId, confirm: "yes" }],
        ["delete", { userId: otherId, confirm: otherName }],
      ] as const
    ) {
      const r = await admin.post(`/admin?/${action}`, body);
      assert.equal(r.status, 409, action);
      assert.match(text(r.body), /another administrator/i, action);
      assert.match(text(r.body), /INVITO_ADMINS/, action);
    }
    // The list says who is an administrator and offers no button that would be refused.
    const row = new RegExp(`<li[^>]*data-user="${otherName}"[\\s\\S]*?</li>`).exec(
      (await admin.get(`/admin?q=${otherName}`)).body,
    )![0];
    assert.match(text(row), /Administrator/);
    assert.doesNotMatch(row, /\?\/suspend|\?\/delete/);
    assert.match(row, /\?\/handover/);
    // Still an administrator, still signed in; they sign out from the admin area's own header
    // (it had no way out but the dashboard's).
    const area = await other.get("/admin/instance");
    assert.equal(area.status, 200);
    assert.match(area.body, /<form method="POST" action="\/signout">[\s\S]*?Sign out/);
    const out = await other.post("/signout", { redirectTo: "/" });
    assert.ok([302, 303].includes(out.status), String(out.status));
    assert.equal((await other.get("/admin")).status, 404);
    // A host is suspended as before.
    const demoId = await userIdOf(admin, "demo");
    assert.equal(
      (await admin.post("/admin?/suspend", { userId: demoId, confirm: "yes" })).status,
      200,
    );
  },
});
