/**
 * `npm run invito` (issue 32) as a subprocess on the store a running server uses (one local KV
 * file, both processes at once), then on the stopped server's file: JSON output, exit codes, and
 * that what the command line does is what the server then serves.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type AppHandle, denoBin, repoRoot, startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

type Cli = { code: number; stdout: string; stderr: string; json<T = Record<string, unknown>>(): T };

async function invito(
  app: AppHandle,
  args: string[],
  env: Record<string, string> = {},
): Promise<Cli> {
  const keep = ["PATH", "HOME", "DENO_DIR", "TMPDIR"];
  const base: Record<string, string> = { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
  for (const k of keep) {
    const v = Deno.env.get(k);
    if (v !== undefined) base[k] = v;
  }
  const out = await new Deno.Command(denoBin, {
    args: ["run", "-A", "scripts/invito.ts", ...args],
    cwd: repoRoot,
    clearEnv: true,
    env: { ...base, ...app.env, ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  return { code: out.code, stdout, stderr, json: () => JSON.parse(stdout) };
}

Deno.test({
  ...opts,
  name:
    "invito CLI (issue 32): suspends a host while the server runs on the same KV file (the pages answer 410, the API key 401), then lists, reactivates, exports and backs up on the stopped server's file, with JSON and exit codes",
  async fn() {
    const app = await startApp({ demo: true });
    let stopped = false;
    try {
      const host = await signInByLink(app, DEMO_EMAIL);
      const made = await host.post("/dashboard/developers?/createKey", {
        name: "cli",
        write: "on",
        expires: "never",
      });
      const apiKey = /inv_[A-Za-z0-9_-]{43}/.exec(made.body)![0];
      const me = () =>
        fetch(`${app.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${apiKey}` } })
          .then(async (r) => (await r.body?.cancel(), r.status));
      const page = () =>
        fetch(`${app.baseUrl}/calendar/demo`).then(async (r) => (await r.body?.cancel(), r.status));
      const [start] = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
      const booked = await createClient(app.baseUrl).post("/calendar/demo/quick-chat?/book", {
        name: "Gil",
        email: "gil@example.test",
        note: "",
        start,
        tz: "UTC",
      });
      assert.equal(booked.status, 303);

      // With the server running on the file: refused before anything changes.
      const busy = await invito(app, ["users", "suspend", "demo", "--json"]);
      assert.equal(busy.code, 4, busy.stdout + busy.stderr);
      assert.equal(busy.json().reason, "store_in_use");
      assert.match(String(busy.json().message), /stop the server first/);
      assert.equal(await me(), 200);
      assert.equal(await page(), 200);
      // check-config reads no store.
      const badConfig = await invito(app, ["check-config", "--json"], {
        INVITO_ADMINS: "not-an-address",
      });
      assert.equal(badConfig.code, 3);
      assert.match(badConfig.stdout, /INVITO_ADMINS/);
      const config = await invito(app, ["check-config", "--json"]);
      assert.equal(config.code, 0);
      const shown = config.json<{ config: Record<string, string> }>().config;
      assert.equal(shown.sessionSecret, "••••••••", "secrets are masked");
      assert.ok(!config.stdout.includes(app.env.INVITO_SESSION_SECRET));
      // Set to nothing (no proxy is trusted): said so, not left blank.
      assert.equal(shown.trustedProxies, "(none)");

      // On the stopped server's file.
      await app.stop({ keepData: true });
      stopped = true;
      const suspended = await invito(app, ["users", "suspend", "demo", "--json"]);
      assert.equal(suspended.code, 0, suspended.stderr);
      assert.equal(suspended.json<{ user: { state: string } }>().user.state, "suspended");
      const again = await invito(app, ["users", "suspend", "demo", "--json"]);
      assert.equal(again.code, 1);
      assert.equal(again.json().reason, "unchanged");
      const nobody = await invito(app, ["users", "suspend", "nobody"]);
      assert.equal(nobody.code, 1);
      assert.match(nobody.stderr, /no such user: nobody/);
      assert.equal((await invito(app, ["users", "frobnicate"])).code, 2);
      assert.equal((await invito(app, ["launch-rockets"])).code, 2);
      const list = await invito(app, ["users", "list", "--json"]);
      assert.equal(list.code, 0, list.stderr);
      const demo = list.json<
        { users: { username: string; state: string; bookingsAhead: number }[] }
      >()
        .users.find((u) => u.username === "demo")!;
      assert.equal(demo.state, "suspended");
      assert.equal(demo.bookingsAhead, 1, "the meeting ahead is kept");
      const bookings = await invito(app, ["bookings", "list", "demo", "--json"]);
      assert.equal(bookings.code, 0, bookings.stderr);
      assert.deepEqual(
        bookings.json<{ bookings: { start: string; guestEmail: string }[] }>().bookings
          .map((b) => [b.start, b.guestEmail]),
        [[new Date(start).toISOString(), "gil@example.test"]],
      );
      const exported = await invito(app, ["bookings", "export", "demo"]);
      assert.equal(exported.code, 0, exported.stderr);
      assert.equal(JSON.parse(exported.stdout).format, "invito-host-export");
      const file = join(app.dataDir, "cli.backup.gz");
      const backup = await invito(app, ["backup", file, "--json"]);
      assert.equal(backup.code, 0, backup.stderr);
      assert.ok(backup.json<{ entries: number }>().entries > 0);
      assert.ok((await Deno.stat(file)).size > 0);
      assert.equal((await invito(app, ["backup", file])).code, 1, "an existing file is refused");
      // The backup restores into an empty store, which then lists the same people.
      const other = { INVITO_DB_PATH: join(app.dataDir, "restored", "invito.kv") };
      const restored = await invito(app, ["restore", file, "--json"], other);
      assert.equal(restored.code, 0, restored.stdout + restored.stderr);
      assert.ok(restored.json<{ restored: number }>().restored > 0);
      const again2 = await invito(app, ["restore", file, "--json"], other);
      assert.equal(again2.code, 1, "a store that holds data is refused without --force");
      const there = await invito(app, ["users", "list", "--state", "suspended", "--json"], other);
      assert.deepEqual(
        there.json<{ users: { username: string }[] }>().users.map((u) => u.username),
        ["demo"],
      );
      const mail = await invito(app, ["mail-test", "ops@example.test", "--json"]);
      assert.equal(mail.code, 0, mail.stderr);

      // The server started again serves what the command line did.
      await app.restart();
      stopped = false;
      assert.equal(await page(), 410);
      assert.equal(await me(), 401, "the suspended host's API key is gone");
      await app.stop({ keepData: true });
      stopped = true;
      assert.equal((await invito(app, ["users", "reactivate", "demo"])).code, 0);
      // Reactivated: the host takes bookings again.
      await app.restart();
      stopped = false;
      assert.equal(await page(), 200);
    } finally {
      if (!stopped) await app.stop();
      else await Deno.remove(app.dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  ...opts,
  name:
    "invito CLI --json (issue 32): every command prints one JSON document with its exit code — usage errors, an unexpected failure, the ICS export, a test mail; backup FILE and restore are in the audit log (actor cli) and the instance page lists the backup's result",
  async fn() {
    const ADMIN = "ops@example.test";
    const app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    let restoredApp: AppHandle | null = null;
    try {
      await app.stop({ keepData: true });
      const json = async (args: string[], code: number, env: Record<string, string> = {}) => {
        const out = await invito(app, [...args, "--json"], env);
        assert.equal(out.code, code, `${args.join(" ")}: ${out.stdout}${out.stderr}`);
        let doc: Record<string, unknown>;
        try {
          doc = out.json();
        } catch {
          throw new Error(`${args.join(" ")} printed no JSON document:\n${out.stdout}`);
        }
        assert.doesNotMatch(out.stdout + out.stderr, /^\s+at /m, "no stack trace");
        return doc;
      };
      assert.equal((await json(["users", "frobnicate"], 2)).reason, "usage");
      assert.equal((await json(["launch-rockets"], 2)).reason, "usage");
      assert.equal((await json(["bookings", "list"], 2)).reason, "usage");
      assert.equal((await json(["users", "suspend", "nobody"], 1)).reason, "not_found");
      assert.equal(typeof (await json(["help"], 0)).help, "string");
      // Something nobody planned for: the store cannot be opened (a folder, not a file).
      const broken = await json(["users", "list"], 1, { INVITO_DB_PATH: app.dataDir });
      assert.equal(broken.ok, false);
      assert.equal(broken.reason, "unexpected");
      assert.equal(typeof broken.message, "string");
      // The calendar export is a document of its own: wrapped, not printed bare.
      const ics = await json(["bookings", "export", "demo", "--ics"], 0);
      assert.equal(ics.format, "ics");
      assert.match(String(ics.ics), /^BEGIN:VCALENDAR/);
      assert.equal((await json(["mail-test", ADMIN], 0)).ok, true, "the mail goes to stderr");

      const file = join(app.dataDir, "cli.backup.gz");
      assert.equal((await json(["backup", file], 0)).ok, true);
      assert.equal((await json(["backup", file], 1)).reason, "exists");
      const restoredDir = join(app.dataDir, "restored");
      const other = { INVITO_DB_PATH: join(restoredDir, "invito.kv") };
      assert.equal((await json(["restore", file], 0, other)).ok, true);
      assert.equal((await json(["restore", file], 1, other)).reason, "refused");

      // The server on the same store shows the backup in the audit log and on the instance page.
      await app.restart();
      const admin = await signInByLink(app, ADMIN);
      const rows = (kind: string, c = admin) =>
        c.get(`/admin/audit.csv?kind=${kind}`).then((r) => parseCsv(r.body).slice(1));
      const backups = await rows("admin_backup");
      assert.deepEqual(backups.map((r) => [r[2], r[4]]), [["cli", file]]);
      assert.match(String(backups[0][7]), /^\d+ entries$/);
      const instance = await admin.get("/admin/instance");
      const listed = [...instance.body.matchAll(/<tr[^>]*data-backup="ok"[^>]*>([\s\S]*?)<\/tr>/g)]
        .map((m) => m[1]).find((row) => row.includes(`<code>${file}</code>`));
      assert.ok(listed, "the command line's backup is listed by its path with its result");
      assert.doesNotMatch(listed, /removed since/, "and the file is there");
      // The restored store's own log says it was restored (and that a second try was refused).
      restoredApp = await startApp({ dataDir: restoredDir, env: { INVITO_ADMINS: ADMIN } });
      const admin2 = await signInByLink(restoredApp, ADMIN);
      const restores = await rows("admin_restore", admin2);
      assert.deepEqual(restores.map((r) => [r[2], r[4]]), [["cli", file], ["cli", file]]);
      assert.match(String(restores[0][7]), /^refused: the store is not empty/);
      assert.match(String(restores[1][7]), /^\d+ entries$/);
    } finally {
      await restoredApp?.stop({ keepData: true });
      await app.stop();
    }
  },
});
