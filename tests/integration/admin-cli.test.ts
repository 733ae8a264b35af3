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
