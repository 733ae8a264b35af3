/**
 * `npm run invito` on stores that hold something (issue 32): each case runs the script as a
 * subprocess on a data folder of its own, with accounts written through the store's own
 * functions first; no server runs (so the file needs no build). What is checked is what the
 * operator reads: the words printed, the JSON document, the exit code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot } from "../support/app.ts";
import { makeDataDir } from "../support/data-dir.ts";
import { insertUser } from "../../src/lib/server/store/users.ts";
import {
  getAccountEntry,
  insertAccount,
  putAccountStatus,
} from "../../src/lib/server/store/calendars.ts";
import { listAudit } from "../../src/lib/server/store/audit.ts";
import type { UserRecord } from "../../src/lib/server/domain/model/records.ts";
import type { CalendarAccountRecord } from "../../src/lib/server/domain/model/calendar-records.ts";
import type { CalendarAccountId } from "../../src/lib/server/domain/model/ids.ts";

type Out = { code: number; stdout: string; stderr: string; json<T = Record<string, unknown>>(): T };

async function cli(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
  script = "invito",
): Promise<Out> {
  const base: Record<string, string> = { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) base[k] = v;
  }
  const out = await new Deno.Command(denoBin, {
    args: ["run", "-A", `scripts/${script}.ts`, ...args],
    cwd: repoRoot,
    clearEnv: true,
    env: {
      ...base,
      INVITO_DB_PATH: join(dir, "invito.kv"),
      INVITO_SESSION_SECRET: "cli-stores-test-secret-0123456789abcdef",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const stdout = dec.decode(out.stdout);
  return { code: out.code, stdout, stderr: dec.decode(out.stderr), json: () => JSON.parse(stdout) };
}

// The stores go where the servers' stores go (memory under `npm test`): the seeding below commits
// thousands of times, and on the disk each commit waited for its fsync (94 → 69 s for the file
// beside a full run, 2026-12-02).
async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await makeDataDir("invito-cli-stores-");
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Accounts written into the (stopped) store at `dbPath`, as sign-ins would make them. */
async function seedUsers(dbPath: string, usernames: string[]): Promise<UserRecord[]> {
  await Deno.mkdir(join(dbPath, ".."), { recursive: true });
  const kv = await Deno.openKv(dbPath);
  try {
    const out: UserRecord[] = [];
    for (const name of usernames) {
      const r = await insertUser(kv, {
        email: `${name}@example.test`,
        name: name[0].toUpperCase() + name.slice(1),
        wantedUsername: name,
        timeZone: "UTC",
        emailVerifiedMs: null,
        image: null,
      }, Date.now());
      assert.ok(r.ok);
      out.push(r.user);
    }
    return out;
  } finally {
    kv.close();
  }
}

Deno.test({
  name:
    'invito restore on a new instance whose store holds only its own log (a refused restore, a test mail, a backup without INVITO_BACKUP_DIR) goes through; a store with one account is refused as holding "1 key"',
  async fn() {
    await withDir(async (dir) => {
      const source = { INVITO_DB_PATH: join(dir, "source", "invito.kv") };
      await seedUsers(source.INVITO_DB_PATH, ["dana"]);
      const good = join(dir, "good.backup.gz");
      assert.equal((await cli(dir, ["backup", good], source)).code, 0);
      const bad = join(dir, "bad.backup.gz");
      await Deno.writeTextFile(bad, "not a backup\n");

      const refused = await cli(dir, ["restore", bad]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^restore refused: the file is not a complete gzip backup/);
      assert.equal((await cli(dir, ["mail-test", "ops@example.test"])).code, 0);
      const noDir = await cli(dir, ["backup"]);
      assert.equal(noDir.code, 1);
      assert.match(noDir.stderr, /INVITO_BACKUP_DIR is not set/);

      const restored = await cli(dir, ["restore", good, "--json"]);
      assert.equal(restored.code, 0, restored.stdout + restored.stderr);
      assert.equal(restored.json().ok, true);
      const list = await cli(dir, ["users", "list", "--json"]);
      assert.deepEqual(
        list.json<{ users: { username: string }[] }>().users.map((u) => u.username),
        ["dana"],
      );
      // The restored store's log says it was restored.
      const kv = await Deno.openKv(join(dir, "invito.kv"));
      try {
        const { entries } = await listAudit(kv, { kind: "admin_restore" }, Date.now(), 10);
        assert.deepEqual(entries.map((e) => [e.actor, e.target]), [["cli", good]]);
      } finally {
        kv.close();
      }

      // One account is data: refused, and counted in words that agree.
      const other = { INVITO_DB_PATH: join(dir, "other", "invito.kv") };
      await seedUsers(other.INVITO_DB_PATH, ["erin"]);
      const full = await cli(dir, ["restore", good], other);
      assert.equal(full.code, 1);
      assert.match(full.stderr, /the store is not empty \(\d+ keys?\)/);
      assert.doesNotMatch(full.stderr, /\(1 keys\)/);
    });
  },
});

Deno.test({
  name: "invito users list --search and --state find an account past the first 5,000 of 5,010",
  async fn() {
    await withDir(async (dir) => {
      await seedUsers(
        join(dir, "invito.kv"),
        Array.from({ length: 5_010 }, (_, i) => `user${i}`),
      );
      const found = await cli(dir, ["users", "list", "--search", "user5005"]);
      assert.equal(found.code, 0, found.stderr);
      assert.match(found.stdout, /^user5005 /m);
      assert.doesNotMatch(found.stdout, /\(no users\)/);
      assert.equal((await cli(dir, ["users", "suspend", "user5009"])).code, 0);
      const suspended = await cli(dir, ["users", "list", "--state", "suspended", "--json"]);
      assert.deepEqual(
        suspended.json<{ users: { username: string }[] }>().users.map((u) => u.username),
        ["user5009"],
      );
    });
  },
});

Deno.test({
  name:
    'invito users: a person is named as the list shows them (@username) or by address; suspending twice says "already suspended"; a closed account is found by its username (listed, its bookings readable, a second delete says it is closed); calendars read "calendars: 3, 1 failing"',
  async fn() {
    await withDir(async (dir) => {
      const db = join(dir, "invito.kv");
      const [dana] = await seedUsers(db, ["dana", "gone"]);
      // Three calendar accounts of dana's, one failing.
      const kv = await Deno.openKv(db);
      try {
        for (let i = 0; i < 3; i++) {
          const account: CalendarAccountRecord = {
            v: 1,
            id: `acc${i}` as CalendarAccountId,
            hostId: dana.id,
            serverUrl: "https://dav.example.test/",
            username: "dana",
            password: { v: 1, kid: "k", iv: "", ct: "" },
            // Three accounts: three principals (one principal is one account).
            principalUrl: `https://dav.example.test/p${i}/`,
            homeUrl: "https://dav.example.test/h/",
            createdAtMs: Date.now(),
          };
          assert.ok(
            await insertAccount(kv, { account, calendars: [], heads: [], writeback: null }),
          );
          if (i === 0) {
            const entry = await getAccountEntry(kv, dana.id, account.id);
            await putAccountStatus(kv, entry as Deno.KvEntry<CalendarAccountRecord>, {
              v: 1,
              lastAttemptMs: Date.now(),
              lastSuccessMs: null,
              lastError: { kind: "auth", detail: "401", atMs: Date.now() },
            });
          }
        }
      } finally {
        kv.close();
      }
      const list = await cli(dir, ["users", "list"]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^dana .*calendars: 3, 1 failing/m);
      assert.match(list.stdout, /^gone .*calendars: 0$/m);
      assert.doesNotMatch(list.stdout, /\d+\/\d+ failing/);

      const suspended = await cli(dir, ["users", "suspend", "@dana"]);
      assert.equal(suspended.code, 0, suspended.stderr);
      assert.match(suspended.stdout, /^dana suspended$/m);
      // Pressing it twice says the state it is already in (it said "dana: unchanged").
      const twice = await cli(dir, ["users", "suspend", "dana"]);
      assert.equal(twice.code, 1);
      assert.equal(twice.stderr, "dana is already suspended\n");
      const back = await cli(dir, ["users", "reactivate", "dana@example.test"]);
      assert.equal(back.code, 0, back.stderr);
      const backTwice = await cli(dir, ["users", "reactivate", "dana", "--json"]);
      assert.equal(backTwice.code, 1);
      assert.deepEqual(backTwice.json(), {
        ok: false,
        reason: "unchanged",
        message: "dana is already active",
      });

      assert.equal((await cli(dir, ["users", "delete", "@gone", "--yes"])).code, 0);
      const closed = await cli(dir, ["users", "list", "--state", "closed"]);
      assert.match(closed.stdout, /^gone +closed/m);
      const bookings = await cli(dir, ["bookings", "list", "gone"]);
      assert.equal(bookings.code, 0, bookings.stderr);
      assert.match(bookings.stdout, /^\(no bookings\)$/m);
      const again = await cli(dir, ["users", "delete", "gone", "--yes", "--json"]);
      assert.equal(again.code, 1);
      assert.equal(again.json().reason, "closed");
      const againText = await cli(dir, ["users", "suspend", "gone"]);
      assert.equal(againText.code, 1);
      assert.match(againText.stderr, /^gone: the account is closed/m);
      assert.doesNotMatch(againText.stderr, /no such user/);
    });
  },
});

Deno.test({
  name:
    "invito backup --json prints the same document into a FILE and into INVITO_BACKUP_DIR (ok, file, entries, sizeBytes, sha256); bookings export --ics ends with CRLF with and without --json",
  async fn() {
    await withDir(async (dir) => {
      await seedUsers(join(dir, "invito.kv"), ["dana"]);
      const file = join(dir, "one.backup.gz");
      const toFile = await cli(dir, ["backup", file, "--json"]);
      assert.equal(toFile.code, 0, toFile.stderr);
      const backupDir = join(dir, "backups");
      const toDir = await cli(dir, ["backup", "--json"], { INVITO_BACKUP_DIR: backupDir });
      assert.equal(toDir.code, 0, toDir.stderr);
      const shape = (doc: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, typeof v]));
      const want = {
        ok: "boolean",
        file: "string",
        entries: "number",
        sizeBytes: "number",
        sha256: "string",
      };
      assert.deepEqual(shape(toFile.json()), want);
      assert.deepEqual(shape(toDir.json()), want);
      assert.equal(toFile.json().file, file);
      const [made] = [...Deno.readDirSync(backupDir)].map((e) => join(backupDir, e.name));
      assert.equal(toDir.json().file, made);
      assert.equal(toDir.json().sizeBytes, Deno.statSync(made).size);
      // The words agree too.
      const text = await cli(dir, ["backup"], { INVITO_BACKUP_DIR: backupDir });
      assert.match(
        text.stdout,
        /^backup: \d+ entries → .*backups\/invito-\S+\.backup\.gz, \d+ KiB$/m,
      );

      const plain = await cli(dir, ["bookings", "export", "dana", "--ics"]);
      assert.equal(plain.code, 0, plain.stderr);
      assert.ok(
        plain.stdout.endsWith("END:VCALENDAR\r\n"),
        JSON.stringify(plain.stdout.slice(-20)),
      );
      const wrapped = await cli(dir, ["bookings", "export", "dana", "--ics", "--json"]);
      const ics = wrapped.json<{ ics: string }>().ics;
      assert.ok(ics.endsWith("END:VCALENDAR\r\n"), JSON.stringify(ics.slice(-20)));
      assert.equal(ics, plain.stdout, "the same document");
    });
  },
});

Deno.test({
  name:
    "invito bookings export is in the audit log (actor cli, the host as target, the format as detail): an operator reading a host's guests leaves a trace as an admin's other acts do; bookings for nobody leave none",
  async fn() {
    await withDir(async (dir) => {
      const [dana] = await seedUsers(join(dir, "invito.kv"), ["dana"]);
      assert.equal((await cli(dir, ["bookings", "export", "dana"])).code, 0);
      assert.equal((await cli(dir, ["bookings", "export", "@dana", "--ics", "--json"])).code, 0);
      assert.equal((await cli(dir, ["bookings", "export", "nobody"])).code, 1);
      const kv = await Deno.openKv(join(dir, "invito.kv"));
      try {
        const { entries } = await listAudit(kv, { kind: "host_data_exported" }, Date.now(), 10);
        assert.deepEqual(
          entries.map((e) => [e.actor, e.actorId, e.target, e.targetId, e.detail]),
          [["cli", null, "dana", dana.id, "ICS"], ["cli", null, "dana", dana.id, "JSON"]],
        );
      } finally {
        kv.close();
      }
    });
  },
});

Deno.test({
  name:
    "invito users list --json | head: a reader that stops early (head, less quit) ends the command quietly with its own exit code, no 'Uncaught BrokenPipe' stack trace",
  async fn() {
    await withDir(async (dir) => {
      await seedUsers(join(dir, "invito.kv"), Array.from({ length: 250 }, (_, i) => `user${i}`));
      const base: Record<string, string> = { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
      for (const k of ["PATH", "HOME", "DENO_DIR", "TMPDIR"]) {
        const v = Deno.env.get(k);
        if (v !== undefined) base[k] = v;
      }
      // As an operator types it: the shell's pipe into `head`, which reads 100 bytes and exits
      // while the command still writes (more than a pipe holds). `PIPESTATUS` keeps its code.
      const out = await new Deno.Command("bash", {
        args: [
          "-c",
          `"${denoBin}" run -A scripts/invito.ts users list --json 2>"$ERR" | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`,
        ],
        cwd: repoRoot,
        clearEnv: true,
        env: {
          ...base,
          ERR: join(dir, "stderr.txt"),
          INVITO_DB_PATH: join(dir, "invito.kv"),
          INVITO_SESSION_SECRET: "cli-stores-test-secret-0123456789abcdef",
        },
        stdout: "piped",
      }).output();
      const code = Number(new TextDecoder().decode(out.stdout).trim());
      const stderr = await Deno.readTextFile(join(dir, "stderr.txt"));
      assert.doesNotMatch(stderr, /BrokenPipe|Uncaught|^\s+at /m, stderr);
      assert.equal(code, 0, stderr);
    });
  },
});

Deno.test({
  name:
    "invito on a local store that is not there (a mistyped INVITO_DB_PATH) says so and exits 1, creating nothing; it made an empty store in a new folder and answered 'no users'",
  async fn() {
    await withDir(async (dir) => {
      const typo = join(dir, "dta", "invito.kv");
      for (const args of [["users", "list"], ["bookings", "list", "ann"], ["backup"]]) {
        const out = await cli(dir, [...args, "--json"], {
          INVITO_DB_PATH: typo,
          INVITO_BACKUP_DIR: dir,
        });
        assert.equal(out.code, 1, `${args.join(" ")}: ${out.stdout}${out.stderr}`);
        const doc = out.json<{ ok: boolean; reason: string; message: string }>();
        assert.equal(doc.reason, "no_store", args.join(" "));
        assert.ok(doc.message.includes(typo), doc.message);
      }
      const plain = await cli(dir, ["users", "list"], { INVITO_DB_PATH: typo });
      assert.equal(plain.code, 1);
      assert.match(plain.stderr, /INVITO_DB_PATH/);
      assert.equal(await Deno.stat(join(dir, "dta")).then(() => true, () => false), false);
    });
  },
});

Deno.test({
  name:
    "check-config lists every problem at once: a setting in the wrong format does not hide a bad INVITO_RATE_LIMIT, INVITO_SIGNUP or INVITO_ADMINS, nor a client id set without its secret (each was shown only after the first was fixed)",
  async fn() {
    await withDir(async (dir) => {
      const out = await cli(dir, ["check-config", "--json"], {
        INVITO_SESSION_SECRET: "short",
        INVITO_BOOKING_TTL: "soon",
        INVITO_RATE_LIMIT: "bogus",
        INVITO_SIGNUP: "everyone!",
        INVITO_ADMINS: "not-an-address",
        INVITO_OIDC_ISSUER: "https://id.example.test",
        INVITO_GOOGLE_CLIENT_ID: "id-without-secret",
      });
      assert.equal(out.code, 3, out.stderr);
      const errors = out.json<{ errors: string[] }>().errors;
      for (
        const name of [
          "INVITO_SESSION_SECRET",
          "INVITO_BOOKING_TTL",
          "INVITO_RATE_LIMIT",
          "INVITO_SIGNUP",
          "INVITO_ADMINS",
          "INVITO_OIDC_CLIENT_ID",
          "INVITO_GOOGLE_CLIENT_SECRET",
        ]
      ) {
        assert.ok(errors.some((e) => e.includes(name)), `${name} in ${JSON.stringify(errors)}`);
      }
      // The server says the same at start, before it opens anything.
      const server = await new Deno.Command(denoBin, {
        args: ["run", "-A", "--no-check", join(repoRoot, "server.ts")],
        env: {
          INVITO_DB_PATH: join(dir, "server.kv"),
          INVITO_SESSION_SECRET: "short",
          INVITO_RATE_LIMIT: "bogus",
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const said = new TextDecoder().decode(server.stderr);
      assert.equal(server.code, 1, said);
      assert.match(said, /INVITO_SESSION_SECRET/);
      assert.match(said, /INVITO_RATE_LIMIT/);
    });
  },
});

Deno.test({
  name:
    'invito with invalid configuration: --json says reason "invalid_configuration" with the errors (also check-config, exit 3); a remote INVITO_DB_PATH without DENO_KV_ACCESS_TOKEN is an error; npm run backup and restore exit 3 as well',
  async fn() {
    await withDir(async (dir) => {
      const bad = { INVITO_ADMINS: "not-an-address" };
      for (const args of [["users", "list"], ["check-config"]]) {
        const out = await cli(dir, [...args, "--json"], bad);
        assert.equal(out.code, 3, args.join(" "));
        const doc = out.json<{ ok: boolean; reason: string; errors: string[] }>();
        assert.equal(doc.ok, false);
        assert.equal(doc.reason, "invalid_configuration", args.join(" "));
        assert.match(doc.errors.join("\n"), /INVITO_ADMINS/);
      }
      const remote = { INVITO_DB_PATH: "https://kv.example.test/database" };
      const check = await cli(dir, ["check-config"], remote);
      assert.equal(check.code, 3, check.stdout + check.stderr);
      assert.match(check.stderr, /DENO_KV_ACCESS_TOKEN/);
      assert.doesNotMatch(check.stdout, /configuration is valid/);
      const withToken = await cli(dir, ["check-config"], {
        ...remote,
        DENO_KV_ACCESS_TOKEN: "token",
      });
      assert.equal(withToken.code, 0, withToken.stderr);
      const list = await cli(dir, ["users", "list", "--json"], remote);
      assert.equal(list.code, 3);
      assert.match(list.json<{ errors: string[] }>().errors.join(), /DENO_KV_ACCESS_TOKEN/);

      for (const script of ["backup", "restore"]) {
        const out = await cli(dir, [join(dir, "x.backup.gz")], bad, script);
        assert.equal(out.code, 3, `${script}: ${out.stderr}`);
        assert.match(out.stderr, /INVITO_ADMINS/);
        const r = await cli(dir, [join(dir, "x.backup.gz")], remote, script);
        assert.equal(r.code, 3, `${script}: ${r.stderr}`);
        assert.match(r.stderr, /DENO_KV_ACCESS_TOKEN/);
      }
    });
  },
});
