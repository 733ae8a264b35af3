/**
 * The command line (`npm run invito`, `npm run backup`, `npm run restore`) meets what an operator
 * gets wrong: a typo in a command or an option, a missing or extra argument, a value of the wrong
 * kind, a path that is missing or a folder, a file that is no backup, INVITO_DB_PATH on a folder,
 * a server on the same KV file. Each answer is a short message that says what is wrong and what
 * to do, with a non-zero exit code: no stack trace, no bare Deno error. Each case runs the script
 * as a subprocess on a data folder of its own; no server is started (a running one is its
 * presence entry in the store, as ADR 043 describes), so the file needs no build.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot } from "../support/app.ts";
import { announceProcess } from "../../src/lib/server/store/presence.ts";

type Out = { code: number; stdout: string; stderr: string };

async function cli(
  dir: string,
  script: "invito" | "backup" | "restore",
  args: string[],
  env: Record<string, string> = {},
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
      INVITO_SESSION_SECRET: "cli-input-test-secret-0123456789abcdef",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

type Case = {
  name: string;
  script?: "invito" | "backup" | "restore";
  /** `{dir}` in an argument or an env value is the case's own data folder */
  args: string[];
  env?: Record<string, string>;
  /** prepares the data folder before the run */
  setup?: (dir: string) => Promise<void>;
  code: number;
  /** matched against the first lines of stderr (or stdout for code 0), help text left out */
  message: RegExp;
  /** must appear nowhere in stdout or stderr (the usage of other commands, a hint that misleads) */
  absent?: RegExp;
};

const HELP_START = /^Invito's command line for admins\./m;

/** A store with a current presence entry: what a running server leaves in its KV file. */
async function serverRunning(dir: string) {
  const kv = await Deno.openKv(join(dir, "invito.kv"));
  try {
    const now = Date.now();
    await announceProcess(kv, {
      v: 1,
      instanceId: "test-server",
      pid: 1,
      startedAtMs: now,
      untilMs: now + 60_000,
    });
  } finally {
    kv.close();
  }
}

/** An empty store at `file`, as a server makes it at its first start (the command line makes none). */
async function aStore(dir: string, file = join(dir, "invito.kv")) {
  await Deno.mkdir(join(file, ".."), { recursive: true });
  (await Deno.openKv(file)).close();
}

/** A backup of an empty store, made by the command line itself. */
async function aBackup(dir: string) {
  await aStore(dir, join(dir, "source", "invito.kv"));
  const made = await cli(dir, "invito", ["backup", join(dir, "made.backup.gz")], {
    INVITO_DB_PATH: join(dir, "source", "invito.kv"),
  });
  assert.equal(made.code, 0, made.stderr);
}

const cases: Case[] = [
  // Help and usage.
  { name: "--help", args: ["--help"], code: 0, message: HELP_START },
  { name: "-h", args: ["-h"], code: 0, message: HELP_START },
  { name: "help for one command", args: ["users", "--help"], code: 0, message: /users list/ },
  { name: "-h for one command", args: ["restore", "-h"], code: 0, message: /restore FILE/ },
  { name: "no arguments", args: [], code: 2, message: /^name a command/ },
  {
    name: "a typo in a command",
    args: ["usrs", "list"],
    code: 2,
    message: /^unknown command: usrs \(did you mean users\?\)/,
  },
  {
    name: "a command far from any",
    args: ["launch-rockets"],
    code: 2,
    message: /^unknown command: launch-rockets$/m,
  },
  {
    name: "a typo in a subcommand",
    args: ["users", "lst"],
    code: 2,
    message: /^users: unknown subcommand lst \(did you mean list\?\)/,
  },
  {
    name: "no subcommand",
    args: ["bookings"],
    code: 2,
    message: /^bookings: name a subcommand: list or export/,
  },
  {
    name: "an unknown option (a typo)",
    args: ["users", "list", "--stat", "active"],
    code: 2,
    // The mistake, then that command's own usage (not every command's).
    message:
      /^unknown option for users list: --stat \(did you mean --state\?\)\n\nusage: .*\n\n {2}users list \[--state[^\n]*\n?$/,
  },
  {
    name: "an option of another command",
    args: ["users", "suspend", "demo", "--force"],
    code: 2,
    message: /^unknown option for users suspend: --force/,
  },
  {
    name: "an unknown option on check-config",
    args: ["check-config", "--verbose"],
    code: 2,
    message: /^unknown option for check-config: --verbose/,
  },
  {
    name: "an option without its value",
    args: ["users", "list", "--state"],
    code: 2,
    message: /^--state needs a value/,
  },
  {
    name: "an option followed by another",
    args: ["users", "list", "--search", "--trace"],
    code: 2,
    message: /^--search needs a value/,
  },
  {
    name: "two users where one goes",
    args: ["users", "suspend", "alice", "bob"],
    code: 2,
    message: /^users suspend takes one user; also given: bob/,
  },
  {
    name: "an argument where none goes",
    args: ["users", "list", "everyone"],
    code: 2,
    message: /^users list takes no argument; also given: everyone/,
  },
  // Values of the wrong kind.
  {
    name: "--state not a state",
    args: ["users", "list", "--state", "bogus"],
    code: 2,
    message: /^--state must be active, suspended or closed/,
  },
  {
    name: "a date in another format",
    args: ["bookings", "list", "demo", "--from", "12/01/2026"],
    code: 2,
    message: /^--from must be a date like 2026-12-01/,
  },
  {
    name: "a date that does not exist",
    args: ["bookings", "list", "demo", "--from", "2026-13-45"],
    code: 2,
    message: /^--from must be a date like 2026-12-01/,
  },
  {
    name: "a missing user",
    args: ["users", "suspend"],
    code: 2,
    message: /^name the user: a username, an address or an id/,
  },
  {
    name: "a missing user while a server runs on the file (wrong usage comes first)",
    args: ["users", "suspend"],
    setup: serverRunning,
    code: 2,
    message: /^name the user: a username, an address or an id/,
  },
  {
    name: "a missing user: the usage of that command only",
    args: ["bookings", "list"],
    code: 2,
    message: /^name the user: a username, an address or an id/,
    absent: /mail-test|users suspend/,
  },
  {
    name: "help for check-config",
    args: ["check-config", "--help"],
    code: 0,
    message: /^usage: .*\n\n {2}check-config/,
    absent: /mail-test/,
  },
  {
    name: "users delete without --yes: that command's usage",
    args: ["users", "delete", "nobody"],
    code: 2,
    message: /^deleting nobody cancels their meetings ahead and cannot be undone; add --yes/,
    absent: /mail-test/,
  },
  {
    name: "a user that does not exist",
    args: ["users", "delete", "nobody", "--yes"],
    setup: (dir) => aStore(dir),
    code: 1,
    message: /^no such user: nobody$/m,
  },
  {
    name: "a missing address",
    args: ["mail-test"],
    code: 2,
    message: /^mail-test needs an address/,
  },
  {
    name: "not an address",
    args: ["mail-test", "ops.example.test"],
    code: 2,
    message: /^not an email address: ops\.example\.test/,
  },
  // Paths.
  {
    name: "backup into a missing folder",
    args: ["backup", "{dir}/no/such/folder/x.backup.gz"],
    code: 1,
    message: /^backup failed: the folder .*no\/such\/folder does not exist; create it first/,
  },
  {
    name: "backup onto a folder",
    args: ["backup", "{dir}"],
    code: 1,
    message: /^backup failed: .* is a folder; name a new file in it/,
  },
  {
    name: "backup without FILE or INVITO_BACKUP_DIR",
    args: ["backup"],
    setup: (dir) => aStore(dir),
    code: 1,
    message: /^INVITO_BACKUP_DIR is not set; name a FILE instead/,
  },
  {
    name: "restore without FILE",
    args: ["restore"],
    code: 2,
    message: /^restore needs the backup FILE/,
  },
  {
    name: "restore a missing file",
    args: ["restore", "{dir}/nope.backup.gz"],
    code: 1,
    message: /^restore refused: there is no file .*nope\.backup\.gz/,
  },
  {
    name: "restore a folder",
    args: ["restore", "{dir}"],
    code: 1,
    message: /^restore refused: .* is a folder; name the backup file/,
  },
  {
    name: "restore a file that is no backup",
    args: ["restore", "{dir}/notes.txt"],
    setup: (dir) => Deno.writeTextFile(join(dir, "notes.txt"), "not a backup\n"),
    code: 1,
    message: /^restore refused: the file is not a complete gzip backup/,
  },
  // The store.
  {
    name: "INVITO_DB_PATH on a folder",
    args: ["users", "list"],
    env: { INVITO_DB_PATH: "{dir}" },
    code: 1,
    message:
      /^cannot open the store at .* \(INVITO_DB_PATH\): it is a folder; name the store's file in it, such as .*invito\.kv/,
  },
  {
    name: "INVITO_DB_PATH below a file",
    args: ["users", "list"],
    setup: (dir) => Deno.writeTextFile(join(dir, "plain"), ""),
    env: { INVITO_DB_PATH: "{dir}/plain/invito.kv" },
    code: 1,
    message:
      /^cannot open the store at .*plain\/invito\.kv \(INVITO_DB_PATH\): .*plain is a file, not a folder/,
  },
  {
    name: "a remote KV that cannot be reached",
    args: ["users", "list"],
    env: { INVITO_DB_PATH: "http://127.0.0.1:1/kv", DENO_KV_ACCESS_TOKEN: "token" },
    code: 1,
    message:
      /^cannot reach the remote KV at http:\/\/127\.0\.0\.1:1\/kv \(INVITO_DB_PATH\): .*Connection refused.*\. Check the URL and DENO_KV_ACCESS_TOKEN\./,
    absent: /--trace|unexpected/,
  },
  {
    name: "invalid configuration",
    args: ["users", "list"],
    env: { INVITO_ADMINS: "not-an-address" },
    code: 3,
    message: /^fix these settings first:\n {2}- .*INVITO_ADMINS/,
  },
  {
    name: "a write while a server runs on the file",
    args: ["users", "suspend", "demo"],
    setup: serverRunning,
    code: 4,
    message:
      /is in use by a running Invito server .* stop the server first.* Nothing was changed\./,
  },
  {
    name: "restore while a server runs on the file",
    args: ["restore", "{dir}/made.backup.gz", "--force"],
    setup: async (dir) => (await aBackup(dir), await serverRunning(dir)),
    code: 4,
    message: /is in use by a running Invito server/,
  },
  // Done: exit 0.
  {
    name: "no store at INVITO_DB_PATH (a typo; it made one, and listed no users)",
    args: ["users", "list"],
    env: { INVITO_DB_PATH: "{dir}/dta/invito.kv" },
    code: 1,
    message: /^no store at .*dta\/invito\.kv \(INVITO_DB_PATH\): check the path/,
  },
  {
    name: "users list on a store no one used yet",
    args: ["users", "list"],
    setup: (dir) => aStore(dir),
    code: 0,
    message: /^\(no users\)$/m,
  },
  {
    name: "backup into a new file",
    args: ["backup", "{dir}/new.backup.gz"],
    setup: (dir) => aStore(dir),
    code: 0,
    message: /^backup: \d+ entries → .*new\.backup\.gz/,
  },
  {
    name: "restore a backup",
    args: ["restore", "{dir}/made.backup.gz"],
    setup: aBackup,
    code: 0,
    message: /^restore: \d+ entries written and verified/,
  },
  // The backup and restore scripts.
  {
    name: "backup script: --help",
    script: "backup",
    args: ["--help"],
    code: 0,
    message: /^usage: npm run backup -- FILE/,
  },
  {
    name: "backup script: no FILE",
    script: "backup",
    args: [],
    code: 2,
    message: /^usage: npm run backup -- FILE/,
  },
  {
    name: "backup script: no store yet",
    script: "backup",
    args: ["{dir}/x.backup.gz"],
    code: 1,
    message: /^backup: there is no store at .*invito\.kv \(INVITO_DB_PATH\)/,
  },
  {
    name: "backup script: INVITO_DB_PATH on a folder",
    script: "backup",
    args: ["{dir}/x.backup.gz"],
    env: { INVITO_DB_PATH: "{dir}" },
    code: 1,
    message: /^backup: cannot open the store at .* \(INVITO_DB_PATH\): it is a folder/,
  },
  {
    name: "restore script: --help",
    script: "restore",
    args: ["-h"],
    code: 0,
    message: /^usage: npm run restore -- FILE \[--force\]/,
  },
  {
    name: "restore script: a missing file",
    script: "restore",
    args: ["{dir}/nope.backup.gz"],
    code: 1,
    message: /^restore refused: there is no file .*nope\.backup\.gz/,
  },
  {
    name: "restore script: INVITO_DB_PATH on a folder",
    script: "restore",
    args: ["{dir}/made.backup.gz"],
    setup: aBackup,
    env: { INVITO_DB_PATH: "{dir}" },
    code: 1,
    message: /^restore: cannot open the store at .* \(INVITO_DB_PATH\): it is a folder/,
  },
  {
    name: "restore script: while a server runs on the file",
    script: "restore",
    args: ["{dir}/made.backup.gz", "--force"],
    setup: async (dir) => (await aBackup(dir), await serverRunning(dir)),
    code: 4,
    message: /is in use by a running Invito server/,
  },
];

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

Deno.test({
  name:
    "invito CLI on bad input: each mistake ends with a short message saying what to do and its exit code (2 usage, 1 refused, 3 configuration, 4 store in use), never a stack trace; what works exits 0",
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "invito-cli-input-" });
    try {
      const failures = await pool(cases, 6, async (c) => {
        const dir = await Deno.makeTempDir({ dir: root });
        await c.setup?.(dir);
        const fill = (s: string) => s.replaceAll("{dir}", dir);
        const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, fill(v)]));
        const out = await cli(dir, c.script ?? "invito", c.args.map(fill), env);
        const shown =
          `${c.name} (${[c.script ?? "invito", ...c.args].join(" ")}): exit ${out.code}\n` +
          `stdout: ${out.stdout.slice(0, 600)}\nstderr: ${out.stderr.slice(0, 600)}`;
        const problems: string[] = [];
        if (out.code !== c.code) problems.push(`exit code ${out.code}, expected ${c.code}`);
        // What failed goes to stderr; what worked (and help asked for) to stdout.
        const said = c.code === 0 ? out.stdout : out.stderr;
        // The message comes first; the help text, when added to a usage error, follows it.
        const message = said.split(HELP_START)[0] || said;
        if (!c.message.test(message)) problems.push(`message does not match ${c.message}`);
        if (c.absent?.test(out.stdout + out.stderr)) problems.push(`shows ${c.absent}`);
        if (/^\s+at /m.test(out.stdout + out.stderr)) problems.push("a stack trace");
        if (
          /^(?:failed: )?(?:[A-Z]\w*Error|NotFound|PermissionDenied|AlreadyExists):/m.test(message)
        ) {
          problems.push("a raw Deno error");
        }
        if (/\x1b\[/.test(out.stdout + out.stderr)) problems.push("colour codes in piped output");
        return problems.length ? `${shown}\n  → ${problems.join("; ")}` : null;
      });
      const failed = failures.filter((f) => f !== null);
      assert.equal(
        failed.length,
        0,
        `${failed.length} of ${cases.length} cases:\n\n${failed.join("\n\n")}`,
      );
    } finally {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
