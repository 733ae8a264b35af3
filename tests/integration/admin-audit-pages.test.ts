/**
 * The admin's audit log (issue 32) as the admin reads it, over HTTP against the built server:
 * filters a person gets wrong are named on the page and refused by the CSV (never a 500), a long
 * log is read page by page with an "older" link and downloaded whole, and the "Detail" column
 * speaks the page's language (team, webhook and sign-in entries too).
 */
import assert from "node:assert/strict";
import { type AppHandle, startApp } from "../support/app.ts";
import { bearerApi, type Client, createClient } from "../support/http.ts";
import {
  finishMagicLink,
  formsOf,
  signInByLink,
  submitForm,
  verifyLinkIn,
} from "../support/auth.ts";
import { serveLocal } from "../support/local-server.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";
import { insertAudit } from "../../src/lib/server/store/audit.ts";
import type { AuditRecord } from "../../src/lib/server/domain/model/audit-records.ts";
import { newId } from "../../src/lib/server/store/users.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const ADMIN = "ops@example.test";

/** The text of the page's notices (title and body), tags stripped. */
const notices = (body: string) =>
  [...body.matchAll(/role="(?:alert|status)"[^>]*>([\s\S]*?)<\/div>\s*<\/div>/g)]
    .map((m) => m[1].replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());

/** Each row of the page's table: its kind and its cells' text. */
const rowsOf = (body: string) =>
  [...body.matchAll(/<tr[^>]*data-kind="(\w+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => ({
    kind: m[1],
    cells: [...m[2].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) =>
      c[1].replace(/<[^>]+>/g, "").trim()
    ),
  }));

const decode = (s: string) =>
  s.replaceAll("&amp;", "&").replaceAll("&quot;", '"').replaceAll("&#39;", "'");

Deno.test({
  ...opts,
  name:
    "audit log filters over HTTP: From after To, days the calendar does not have and an unknown event are named on the page (which then shows everything) and answered 400 by the CSV, in words that say what is wrong; never a 500",
  async fn() {
    await using app = await startApp({ env: { INVITO_ADMINS: ADMIN } });
    const admin = await signInByLink(app, ADMIN);
    const cases: [string, RegExp][] = [
      ["from=2026-01-03&to=2026-01-01", /From is after To/],
      ["from=2024-02-30", /The From date is not a day of the calendar/],
      ["from=2024-13-45", /The From date is not a day of the calendar/],
      ["to=2024-02-30", /The To date is not a day of the calendar/],
      ["kind=bogus", /The event chosen is not one the log knows/],
    ];
    for (const [query, problem] of cases) {
      const page = await admin.get(`/admin/audit?${query}`);
      assert.equal(page.status, 200, `${query}: ${page.body.slice(0, 300)}`);
      const said = notices(page.body).join(" | ");
      assert.match(said, problem, `${query}: the page names the problem`);
      assert.match(said, /showing every entry instead/, `${query}: and says what it shows instead`);
      assert.match(page.body, /data-kind="sign_in"/, `${query}: everything is shown`);
      // The page's download link is for what the page shows, not for the refused filter.
      const href = decode(/href="(\/admin\/audit\.csv[^"]*)"/.exec(page.body)![1]);
      assert.equal((await admin.get(href)).status, 200, `${query}: ${href}`);

      for (const accept of ["text/html", "text/csv"]) {
        const csv = await admin.get(`/admin/audit.csv?${query}`, { headers: { accept } });
        assert.equal(csv.status, 400, `${query} (${accept}): ${csv.body.slice(0, 300)}`);
        assert.match(csv.body, problem, `${query} (${accept}): the CSV's answer names it`);
        assert.doesNotMatch(csv.body, /showing every entry/i, `${query}: the CSV shows nothing`);
      }
    }
    // The same filters the right way round are answered as asked.
    const fine = await admin.get("/admin/audit.csv?from=2026-01-01&to=2026-01-03");
    assert.equal(fine.status, 200);
    const page = await admin.get("/admin/audit?from=2024-02-29&to=2024-02-29");
    assert.equal(page.status, 200);
    assert.deepEqual(notices(page.body), [], "a leap day is a day");
  },
});

/** Writes `n` sign-ins, one a second up to a minute ago, into the stopped server's store. */
async function seedSignIns(app: AppHandle, n: number, extra: AuditRecord[] = []) {
  const kv = await Deno.openKv(app.dbPath);
  try {
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const atMs = now - 60_000 - i * 1000;
      await insertAudit(kv, {
        v: 1,
        id: newId(atMs),
        atMs,
        kind: "sign_in",
        actorId: null,
        actor: `person${i}@example.test`,
        targetId: null,
        target: "",
        ipHash: "",
        detail: "email",
        expiresAtMs: now + 86_400_000,
      });
    }
    for (const rec of extra) await insertAudit(kv, rec);
  } finally {
    kv.close();
  }
}

async function olderLink(admin: Client, path: string) {
  const page = await admin.get(path);
  assert.equal(page.status, 200, page.body.slice(0, 300));
  const m =
    /<a[^>]*data-testid="audit-older"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*data-testid="audit-older"/
      .exec(page.body);
  return { page, older: m ? decode(m[1] ?? m[2]) : null };
}

Deno.test({
  ...opts,
  name:
    "audit log over HTTP: a log of 10,050 entries is read 200 at a time, the page saying so and leading to the older ones by a link, each entry once; the CSV holds every entry",
  async fn() {
    await using app = await startApp({ env: { INVITO_ADMINS: ADMIN } });
    await app.stop({ keepData: true });
    await seedSignIns(app, 10_050);
    await app.restart();
    const admin = await signInByLink(app, ADMIN);

    const seen = new Set<string>();
    let path: string | null = "/admin/audit?kind=sign_in";
    for (let n = 0; n < 3 && path; n++) {
      const { page, older } = await olderLink(admin, path);
      const rows = rowsOf(page.body);
      assert.equal(rows.length, 200, `page ${n + 1}`);
      for (const r of rows) {
        const key = r.cells.join("|");
        assert.ok(!seen.has(key), `page ${n + 1}: ${key} was on an earlier page`);
        seen.add(key);
      }
      assert.match(
        notices(page.body).join(" | "),
        /200 (newest )?entries.*[Oo]lder entries/,
        `page ${n + 1}: the page says it shows 200 and where the older ones are`,
      );
      assert.ok(older, `page ${n + 1}: a link to older entries`);
      assert.match(older!, /kind=sign_in/, "the filter stays");
      path = older;
    }
    // The newest page holds the admin's own sign-in and then the newest seeded ones.
    const first = rowsOf((await admin.get("/admin/audit")).body);
    assert.ok(first.some((r) => r.cells[2] === ADMIN), "the admin's sign-in is on the first page");
    assert.ok(first.some((r) => r.cells[2] === "person0@example.test"));

    const csv = await admin.get("/admin/audit.csv");
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get("x-invito-audit-capped"), null);
    const rows = parseCsv(csv.body).slice(1);
    const people = new Set(rows.map((r) => String(r[2])));
    assert.equal(rows.filter((r) => r[1] === "sign_in").length, 10_051, "every sign-in");
    assert.ok(people.has("person10049@example.test"), "the oldest one too");
    assert.ok(people.has(ADMIN));
  },
});

Deno.test({
  ...opts,
  name:
    "audit log over HTTP: the Detail column is in the page's language (German, French, Spanish) for a test mail, a backup, a hand-over and a deletion; an entry written as text before stays readable as it was",
  async fn() {
    const backupDir = await Deno.makeTempDir({ prefix: "invito-audit-words-" });
    try {
      await using app = await startApp({
        demo: true,
        env: { INVITO_ADMINS: ADMIN, INVITO_BACKUP_DIR: backupDir },
      });
      await app.stop({ keepData: true });
      const old = Date.now() - 3_600_000;
      await seedSignIns(app, 0, [{
        v: 1,
        id: newId(old),
        atMs: old,
        kind: "admin_backup",
        actorId: null,
        actor: "cli",
        targetId: null,
        target: "/srv/old.backup.gz",
        ipHash: "",
        detail: "1234 entries",
        expiresAtMs: Date.now() + 86_400_000,
      }]);
      await app.restart();
      const admin = await signInByLink(app, ADMIN);
      await signInByLink(app, "bob@example.test");
      await signInByLink(app, "leaving@example.test");
      const idOf = async (username: string) =>
        new RegExp(`data-user="${username}"[\\s\\S]*?name="userId" value="([0-9A-Z]{26})"`)
          .exec((await admin.get(`/admin?q=${username}`)).body)![1];

      assert.equal(
        (await admin.post("/admin/instance?/mailTest", { email: "check@example.test" })).status,
        200,
      );
      assert.equal((await admin.post("/admin/instance?/backup", {})).status, 200);
      const handed = await admin.post("/admin?/handover", {
        userId: await idOf("demo"),
        to: "bob",
      });
      assert.equal(handed.status, 200, handed.body.slice(0, 300));
      const deleted = await admin.post("/admin?/delete", {
        userId: await idOf("leaving"),
        confirm: "leaving",
      });
      assert.equal(deleted.status, 200, deleted.body.slice(0, 300));

      const detail = async (lang: string, kind: string) => {
        const body = (await admin.get(`/admin/audit?kind=${kind}&lang=${lang}`)).body;
        return rowsOf(body).map((r) => r.cells.at(-1)!);
      };
      const words: Record<string, [string, RegExp][]> = {
        en: [
          ["admin_mail_test", /^sent$/],
          ["admin_backup", /^\d+ entries$/],
          ["bookings_handed_over", /^to bob: 0 moved, 0 not moved$/],
          ["account_deleted", /^0 meetings cancelled$/],
        ],
        de: [
          ["admin_mail_test", /^gesendet$/],
          ["admin_backup", /^\d+ Einträge$/],
          ["bookings_handed_over", /^an bob: 0 übergeben, 0 nicht übergeben$/],
          ["account_deleted", /^0 Termine abgesagt$/],
        ],
        fr: [
          ["admin_mail_test", /^envoyé$/],
          ["admin_backup", /^\d+ entrées$/],
          ["bookings_handed_over", /^à bob\u00a0: 0 transféré, 0 non transféré$/],
          ["account_deleted", /^0 rendez-vous annulé$/],
        ],
        es: [
          ["admin_mail_test", /^enviado$/],
          ["admin_backup", /^\d+ entradas$/],
          ["bookings_handed_over", /^a bob: 0 transferidas, 0 sin transferir$/],
          ["account_deleted", /^0 citas canceladas$/],
        ],
      };
      for (const [lang, expected] of Object.entries(words)) {
        for (const [kind, re] of expected) {
          const [newest] = await detail(lang, kind);
          assert.match(decode(newest ?? ""), re, `${lang} ${kind}`);
        }
        // The entry from before, written as text, reads as it was written.
        assert.equal((await detail(lang, "admin_backup")).at(-1), "1234 entries", lang);
      }
    } finally {
      await Deno.remove(backupDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  ...opts,
  name:
    "audit log over HTTP: the Detail column of team, webhook and sign-in entries is in the page's language (German, French, Spanish, English), done by the dashboard's forms, the JSON API and the mailed link; entries written in English before stay as written",
  async fn() {
    await using rx = serveLocal(() => new Response("ok"));
    await using app = await startApp({
      demo: true,
      env: { INVITO_ADMINS: ADMIN, INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
    });
    await app.stop({ keepData: true });
    const old = Date.now() - 3_600_000;
    const before = (kind: AuditRecord["kind"], detail: string, atMs: number): AuditRecord => ({
      v: 1,
      id: newId(atMs),
      atMs,
      kind,
      actorId: null,
      actor: "old@example.test",
      targetId: null,
      target: "old",
      ipHash: "",
      detail,
      expiresAtMs: Date.now() + 86_400_000,
    });
    await seedSignIns(app, 0, [
      before("team_ownership_changed", "crew: owner (invitation)", old),
      before("webhook_changed", "events (2), off", old),
      before("sign_in_refused", "suspended", old),
    ]);
    await app.restart();
    const admin = await signInByLink(app, ADMIN);
    const host = await signInByLink(app, DEMO_EMAIL);

    // A team: Ann and Cy join as owners by invitation; Ann is made a member and an owner again;
    // the demo host takes Cy out, leaves, and Ann deletes the team.
    const created = await host.post("/dashboard/teams?/create", {
      name: "Crew",
      slug: "crew",
      timeZone: "Europe/Berlin",
    });
    assert.equal(created.status, 303, created.body.slice(0, 300));
    const base = new URL(created.location!).pathname;
    const joinAsOwner = async (email: string) => {
      const invited = await host.post(`${base}?/invite`, { email, role: "owner" });
      assert.equal(invited.status, 200, invited.body.slice(0, 300));
      const person = await signInByLink(app, email);
      const answer = formsOf(await person.get("/dashboard/teams"))
        .find((f) => f.action.endsWith("/dashboard/teams?/answer"))!;
      assert.equal((await submitForm(person, answer, { button: "1" })).status, 303);
      return person;
    };
    const ann = await joinAsOwner("ann@example.test");
    await joinAsOwner("cy@example.test");
    const memberId = async (email: string) =>
      new RegExp(`data-member="${email}"[^]*?name="member" value="([0-9A-Z]{26})"`)
        .exec((await host.get(base)).body)![1];
    const annId = await memberId("ann@example.test");
    for (const role of ["member", "owner"]) {
      const r = await host.post(`${base}?/role`, { member: annId, role });
      assert.equal(r.status, 200, r.body.slice(0, 300));
    }
    const removed = await host.post(`${base}?/remove`, {
      member: await memberId("cy@example.test"),
    });
    assert.equal(removed.status, 200, removed.body.slice(0, 300));
    const left = await host.post(`${base}?/remove`, { member: await memberId(DEMO_EMAIL) });
    assert.equal(left.status, 303, left.body.slice(0, 300));
    const gone = await ann.post(`${base}?/delete`, { confirm: "Crew" });
    assert.equal(gone.status, 303, gone.body.slice(0, 300));

    // A webhook switched off, given two events and a new secret on the developers page, then
    // described anew and switched on in one request of the JSON API.
    const hook = await host.post("/dashboard/developers?/createWebhook", {
      url: `${rx.base}/hooks`,
      events: ["booking.confirmed"],
      description: "crm",
    });
    assert.equal(hook.status, 200, hook.body.slice(0, 300));
    let dev = await host.get("/dashboard/developers");
    const hookForm = (action: string) =>
      formsOf(dev).find((f) => f.action.endsWith(`?/${action}`))!;
    assert.equal((await submitForm(host, hookForm("toggleWebhook"))).status, 200);
    dev = await host.get("/dashboard/developers");
    const hookId = hookForm("rotateWebhook").fields.find(([k]) => k === "id")![1];
    const events = await host.post("/dashboard/developers?/eventsWebhook", {
      id: hookId,
      events: ["booking.confirmed", "booking.cancelled"],
    });
    assert.equal(events.status, 200, events.body.slice(0, 300));
    assert.equal((await submitForm(host, hookForm("rotateWebhook"))).status, 200);
    const made = await host.post("/dashboard/developers?/createKey", {
      name: "crm sync",
      write: "on",
      expires: "never",
    });
    const api = bearerApi(app.baseUrl, /inv_[A-Za-z0-9_-]{43}/.exec(made.body)![0]);
    const patched = await api("PATCH", `/webhooks/${hookId}`, {
      description: "crm (new)",
      enabled: true,
    });
    assert.equal(patched.status, 200, patched.body);

    // Ann is suspended; her next sign-in by link is refused.
    const annUserId = /data-user="ann"[\s\S]*?name="userId" value="([0-9A-Z]{26})"/
      .exec((await admin.get("/admin?q=ann")).body)![1];
    assert.equal(
      (await admin.post("/admin?/suspend", { userId: annUserId, confirm: "yes" })).status,
      200,
    );
    const c = createClient(app.baseUrl);
    const at = app.logs().length;
    await c.post("/signin?/email", { providerId: "email", email: "ann@example.test" });
    const link = verifyLinkIn(
      (await app.waitForLog(/https?:\/\/\S+\/signin\/verify\?\S+/, { since: at }))[0],
    );
    assert.match((await finishMagicLink(c, link)).location ?? "", /error=Suspended/);

    /** The Detail column of one kind's entries on the page in `lang`, newest first. */
    const details = async (lang: string, kind: string, who = "") => {
      const page = await admin.get(`/admin/audit?kind=${kind}&who=${who}&lang=${lang}`);
      assert.equal(page.status, 200);
      return rowsOf(page.body).map((r) => decode(r.cells.at(-1)!));
    };
    const words: Record<string, { team: string[]; hook: string[]; link: string; refused: string }> =
      {
        de: {
          team: [
            "crew: Team gelöscht",
            "crew: Inhaber hat das Team verlassen",
            "crew: Inhaber aus dem Team entfernt",
            "crew: jetzt Inhaber",
            "crew: jetzt Mitglied",
            "crew: Inhaber durch Einladung",
            "crew: Inhaber durch Einladung",
          ],
          hook: [
            "Beschreibung, eingeschaltet",
            "neues Signaturgeheimnis",
            "2 Ereignisse",
            "ausgeschaltet",
          ],
          link: "E-Mail-Link",
          refused: "Konto gesperrt",
        },
        fr: {
          team: [
            "crew\u00a0: équipe supprimée",
            "crew\u00a0: le propriétaire a quitté l’équipe",
            "crew\u00a0: propriétaire retiré de l’équipe",
            "crew\u00a0: désormais propriétaire",
            "crew\u00a0: désormais membre",
            "crew\u00a0: propriétaire par invitation",
            "crew\u00a0: propriétaire par invitation",
          ],
          hook: ["description, activé", "nouveau secret de signature", "2 événements", "désactivé"],
          link: "lien par e-mail",
          refused: "compte suspendu",
        },
        es: {
          team: [
            "crew: equipo eliminado",
            "crew: el propietario dejó el equipo",
            "crew: propietario retirado del equipo",
            "crew: ahora propietario",
            "crew: ahora miembro",
            "crew: propietario por invitación",
            "crew: propietario por invitación",
          ],
          hook: ["descripción, activado", "nuevo secreto de firma", "2 eventos", "desactivado"],
          link: "enlace por correo",
          refused: "cuenta suspendida",
        },
        en: {
          team: [
            "crew: team deleted",
            "crew: owner left the team",
            "crew: owner removed from the team",
            "crew: now an owner",
            "crew: now a member",
            "crew: owner by invitation",
            "crew: owner by invitation",
          ],
          hook: ["description, switched on", "new signing secret", "2 events", "switched off"],
          link: "email link",
          refused: "account suspended",
        },
      };
    for (const [lang, w] of Object.entries(words)) {
      // Each language's words, and below them the entries from before as they were written.
      assert.deepEqual(
        await details(lang, "team_ownership_changed"),
        [...w.team, "crew: owner (invitation)"],
        lang,
      );
      assert.deepEqual(
        await details(lang, "webhook_changed"),
        [...w.hook, "events (2), off"],
        lang,
      );
      assert.deepEqual(await details(lang, "sign_in", "ops"), [w.link], lang);
      assert.deepEqual(await details(lang, "sign_in_refused"), [w.refused, "suspended"], lang);
    }

    // The CSV keeps the English words, for tools.
    const csv = parseCsv((await admin.get("/admin/audit.csv?kind=webhook_changed")).body);
    assert.deepEqual(csv.slice(1).map((r) => r[7]), [...words.en.hook, "events (2), off"]);
  },
});
