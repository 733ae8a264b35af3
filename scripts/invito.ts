/**
 * `npm run invito -- <command> [arguments] [--json]`: the admin's command line (issue 32), on the
 * store of INVITO_DB_PATH. A remote KV (KV Connect) is shared by the server and this command at
 * once. A local KV file is one process's at a time (a second writer meets "database is locked"
 * while the server works): on a file a running server uses, the command refuses (exit 4) before
 * it changes anything — stop the server, or run both on remote KV.
 *
 * Exit codes: 0 done; 1 refused or failed (no such user, already in that state, last owner of a
 * team, the mail server refused, the backup failed); 2 wrong usage; 3 the configuration is invalid;
 * 4 the local store is in use by a running server.
 * With --json, stdout holds one JSON document whatever happens (also for refusals, usage errors
 * and unexpected failures: `{ "ok": false, "reason": ... }`), with the same exit code.
 */
import { describeConfig, NONE, NOT_SET, OFF, parseConfig } from "../src/lib/server/config.ts";
import { INVALID_CONFIGURATION_EXIT } from "./cli-config.ts";
import { type App, buildApp } from "../src/lib/server/app.ts";
import {
  type AdminActor,
  deleteUserAsAdmin,
  exportHostForAdmin,
  findUserForAdmin,
  hostBookingsFrom,
  listUsersForAdmin,
  reactivateUser,
  suspendUser,
  userRow,
} from "../src/lib/server/services/admin-users.ts";
import {
  backupNow,
  backupToFile,
  restoreFromFile,
  sendTestMail,
} from "../src/lib/server/services/admin-instance.ts";
import {
  backupFileProblem,
  isLocalFile,
  newBackupFileProblem,
} from "../src/lib/server/store/backup.ts";
import { localStoreMissing, storeOpenProblem } from "../src/lib/server/store/kv.ts";
import { liveProcesses, storeInUseMessage } from "../src/lib/server/store/presence.ts";
import { settleCounts } from "../src/lib/server/ops/counts-in-flight.ts";
import type { AccountState } from "../src/lib/server/domain/admin.ts";
import {
  checkUsage,
  HELP,
  helpFor,
  option,
  type Outcome,
  positional,
  usage,
  VALUED,
} from "./cli-usage.ts";

export { HELP };

const CLI: AdminActor = { id: null, label: "cli" };

const done = (json: unknown, text: string): Outcome => ({ code: 0, json, text });
const refused = (reason: string, text: string, extra: Record<string, unknown> = {}): Outcome => ({
  code: 1,
  json: { ok: false, reason, ...extra },
  text,
});

/** Mistakes in the files a backup or restore names, before the store is opened; else null. */
async function checkPaths(command: string, file: string | undefined): Promise<Outcome | null> {
  if (command === "backup" && file) {
    const problem = await newBackupFileProblem(file);
    if (problem) {
      return refused(problem.reason, `backup failed: ${problem.detail}`, {
        detail: problem.detail,
      });
    }
  }
  if (command === "restore" && file) {
    const problem = await backupFileProblem(file);
    if (problem) return refused("refused", `restore refused: ${problem}`, { detail: problem });
  }
  return null;
}

/**
 * The user `ref` names, for `then`. A closed account is found by its username too (it is listed
 * as closed): its bookings can be read, but nothing more can be done to it (`open: true`).
 */
async function withUser(
  app: App,
  ref: string | undefined,
  then: (user: NonNullable<Awaited<ReturnType<typeof findUserForAdmin>>>) => Promise<Outcome>,
  opts: { open?: boolean } = {},
): Promise<Outcome> {
  if (!ref) return usage("name the user: a username, an address or an id");
  const user = await findUserForAdmin(app, ref);
  if (!user) return refused("not_found", `no such user: ${ref}`);
  if (opts.open && user.closedAtMs) {
    return refused("closed", `${user.username}: the account is closed; nothing more can change it`);
  }
  return await then(user);
}

export async function run(args: string[], env: Record<string, string | undefined>): Promise<
  Outcome & { stream?: (app: App) => AsyncGenerator<string> }
> {
  const [command, sub, arg] = positional(args, VALUED);
  if (command === "help" || args.includes("--help") || args.includes("-h")) {
    const help = helpFor(command === "help" ? sub : command);
    return done({ help }, help);
  }
  if (!command) return usage("name a command");
  const wrong = checkUsage(args);
  if (wrong) return wrong;
  const parsed = parseConfig(env);
  if (command === "check-config") {
    if (!parsed.ok) return invalidConfiguration(parsed.errors, "configuration has problems:");
    const lines = describeConfig(parsed.config).map(([k, v]) =>
      [k, v === null ? NOT_SET : v === "" ? NONE : v === false ? OFF : v] as const
    );
    return done(
      { ok: true, config: Object.fromEntries(lines) },
      "configuration is valid:\n" + lines.map(([k, v]) => `  ${k} = ${v}`).join("\n"),
    );
  }
  if (!parsed.ok) return invalidConfiguration(parsed.errors, "fix these settings first:");
  const badPath = await checkPaths(command, sub);
  if (badPath) return badPath;
  const dbPath = parsed.config.dbPath;
  // Opening a local store makes it (and its folder): a mistyped path read as an empty store,
  // "no users". The commands that read one need it to be there (a restore fills a new one, a
  // test mail needs none; the server makes it at its first start), as `npm run backup` does.
  if (
    ["users", "bookings", "backup"].includes(command) && isLocalFile(dbPath) &&
    await localStoreMissing(dbPath)
  ) {
    return refused(
      "no_store",
      `no store at ${dbPath} (INVITO_DB_PATH): check the path; a server makes the store at its first start`,
      { message: `no store at ${dbPath}` },
    );
  }
  let app: App;
  try {
    app = await buildApp(env);
  } catch (err) {
    const message = isLocalFile(parsed.config.dbPath)
      ? await storeOpenProblem(parsed.config.dbPath, err)
      : remoteStoreProblem(parsed.config.dbPath, err);
    return { code: 1, json: { ok: false, reason: "unexpected", message }, text: message };
  }
  try {
    if (isLocalFile(app.config.dbPath)) {
      const busy = await runningServer(app);
      if (busy) return inUse(app.config.dbPath, busy);
    }
    return await dispatch(app, command, sub, arg, args);
  } catch (err) {
    if (err instanceof Error && /database is locked/i.test(err.message)) {
      return inUse(app.config.dbPath, null);
    }
    throw err;
  } finally {
    // A command that changed bookings counted them for insights: written before the store closes.
    await settleCounts();
    app.kv.close();
  }
}

/** A remote KV that would not open: where, why, and the two settings that decide it. */
function remoteStoreProblem(url: string, err: unknown): string {
  const reason = (err instanceof Error ? err.message : String(err))
    .replace(/^Could not open Deno KV database: /, "").replace(/\.$/, "");
  return `cannot reach the remote KV at ${url} (INVITO_DB_PATH): ${reason}. ` +
    "Check the URL and DENO_KV_ACCESS_TOKEN.";
}

/** Exit 3 with every problem; with --json `reason: "invalid_configuration"` and the list. */
function invalidConfiguration(errors: string[], heading: string): Outcome {
  return {
    code: INVALID_CONFIGURATION_EXIT,
    json: { ok: false, reason: "invalid_configuration", errors },
    text: `${heading}\n` + errors.map((e) => `  - ${e}`).join("\n"),
  };
}

/** Whether a server works on this store now (each renews its presence while it runs). */
async function runningServer(app: App): Promise<number | null> {
  const live = await liveProcesses(app.kv, app.now());
  return live.length ? Math.max(...live.map((p) => p.untilMs)) : null;
}

function inUse(path: string, untilMs: number | null): Outcome {
  const text = storeInUseMessage(path, untilMs);
  return { code: 4, json: { ok: false, reason: "store_in_use", message: text }, text };
}

async function dispatch(
  app: App,
  command: string,
  sub: string | undefined,
  arg: string | undefined,
  args: string[],
): Promise<Outcome> {
  if (command === "users") {
    if (sub === "list") {
      const state = option(args, "--state");
      const { rows, more, stoppedAfter } = await listUsersForAdmin(app, {
        q: option(args, "--search"),
        state: state as AccountState | undefined,
      });
      const notes = [
        ...(more ? ["(more match; narrow with --search)"] : []),
        ...(stoppedAfter
          ? [
            `(the search stopped after ${stoppedAfter} accounts; narrow it with --search or --state)`,
          ]
          : []),
      ];
      const text = [
        ...rows.map((r) =>
          [
            r.username.padEnd(20),
            r.state.padEnd(9),
            r.email.padEnd(32),
            `ahead ${r.bookingsAhead}${r.bookingsAheadMore ? "+" : ""}`,
            `calendars: ${r.calendars.total}${
              r.calendars.failing ? `, ${r.calendars.failing} failing` : ""
            }`,
            r.teams.length ? `teams ${r.teams.join(", ")}` : "",
          ].join("  ").trimEnd()
        ),
        ...(rows.length ? [] : ["(no users)"]),
        ...notes,
      ].join("\n");
      return done({ ok: true, users: rows, more, stoppedAfter }, text);
    }
    if (sub === "suspend" || sub === "reactivate") {
      return await withUser(app, arg, async (user) => {
        const r = sub === "suspend"
          ? await suspendUser(app, CLI, user.id)
          : await reactivateUser(app, CLI, user.id);
        if (r.ok === false && r.reason === "unchanged") {
          const message = `${user.username} is already ${
            sub === "suspend" ? "suspended" : "active"
          }`;
          return refused(r.reason, message, { message });
        }
        if (!r.ok) return refused(r.reason, `${user.username}: ${r.reason.replace("_", " ")}`);
        return done(
          { ok: true, user: await userRow(app, r.user) },
          `${user.username} ${sub === "suspend" ? "suspended" : "reactivated"}`,
        );
      }, { open: true });
    }
    if (sub === "delete") {
      return await withUser(app, arg, async (user) => {
        const r = await deleteUserAsAdmin(app, CLI, user.id, user.username);
        if (!r.ok) {
          if (r.reason === "last_owner") {
            return refused(
              r.reason,
              `${user.username} is the last owner of ${
                r.teams.join(", ")
              }; make someone else owner first`,
              { teams: r.teams },
            );
          }
          return refused(r.reason, `${user.username}: ${r.reason.replace("_", " ")}`);
        }
        return done(
          { ok: true, cancelled: r.cancelled },
          `${user.username} deleted; ${r.cancelled} meetings ahead cancelled, guests told`,
        );
      }, { open: true });
    }
    return usage(`users: unknown subcommand ${sub ?? "(none)"}`);
  }
  if (command === "bookings") {
    if (sub === "list") {
      return await withUser(app, arg, async (user) => {
        const from = option(args, "--from");
        const fromMs = from ? Date.parse(`${from}T00:00:00Z`) : app.now();
        const rows = await hostBookingsFrom(app, user, fromMs);
        const text = rows.map((b) =>
          `${b.start}  ${b.status.padEnd(9)}  ${b.eventTitle}  ${b.guestName} <${b.guestEmail}>`
        ).join("\n");
        return done({ ok: true, bookings: rows }, text || "(no bookings)");
      });
    }
    if (sub === "export") {
      return await withUser(app, arg, async (user) => {
        const chunks = exportHostForAdmin(app, CLI, user, args.includes("--ics") ? "ics" : "json");
        let text = "";
        for await (const c of chunks) text += c;
        // The export is the document itself, with or without --json, to its last byte (an ICS
        // file's lines end with CRLF, its last one too).
        return { code: 0, json: null, text, document: true };
      });
    }
    return usage(`bookings: unknown subcommand ${sub ?? "(none)"}`);
  }
  if (command === "mail-test") {
    const to = sub;
    if (!to) return usage("mail-test needs an address", "mail-test");
    const r = await sendTestMail(app, null, to);
    if (!r.ok) return refused("mail_failed", `mail server: ${r.kind}: ${r.detail}`, r);
    if (r.logged) {
      return done(
        { ok: true, logged: true },
        "no INVITO_SMTP_HOST set: the mail was printed instead of sent",
      );
    }
    return done({ ok: true, response: r.response }, `sent; the server answered: ${r.response}`);
  }
  if (command === "backup") {
    if (sub) {
      const r = await backupToFile(app, sub);
      if (!r.ok) {
        return r.reason === "exists"
          ? refused("exists", `${sub} exists; choose a new file name`)
          : refused("failed", `backup failed: ${r.detail}`, { detail: r.detail });
      }
      return backedUp(r);
    }
    const r = await backupNow(app, null);
    if (!r.ok) {
      return refused(
        r.reason,
        r.reason === "no_dir"
          ? "INVITO_BACKUP_DIR is not set; name a FILE instead"
          : `backup failed: ${r.detail}`,
      );
    }
    return backedUp({
      file: r.file,
      entries: r.result.entries ?? 0,
      sizeBytes: r.result.sizeBytes ?? 0,
      sha256: r.sha256,
    });
  }
  // restore
  if (!sub) return usage("restore needs the backup FILE", "restore");
  const r = await restoreFromFile(app, sub, { force: args.includes("--force") });
  if (!r.ok) return refused("refused", `restore refused: ${r.detail}`, { detail: r.detail });
  return done(
    { ok: true, restored: r.restored, skipped: r.skipped, resumed: r.resumed },
    `restore: ${r.restored} entries written and verified${r.resumed ? " (resumed)" : ""}`,
  );
}

/** A backup written, into a FILE or INVITO_BACKUP_DIR: the same words and the same document. */
function backedUp(b: { file: string; entries: number; sizeBytes: number; sha256: string }) {
  return done(
    { ok: true, file: b.file, entries: b.entries, sizeBytes: b.sizeBytes, sha256: b.sha256 },
    `backup: ${b.entries} entries → ${b.file}, ${Math.ceil(b.sizeBytes / 1024)} KiB`,
  );
}

/**
 * Runs a command for the process: with --json, stdout holds exactly one JSON document whatever
 * happens — a refusal, a usage error, or an unexpected failure (`reason: "unexpected"`, exit 1,
 * as an uncaught error would exit) — and anything the services print goes to stderr meanwhile.
 */
export async function main(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const json = args.includes("--json");
  const log = console.log;
  if (json) console.log = console.error;
  let out: Outcome;
  try {
    out = await run(args, env);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    out = {
      code: 1,
      json: { ok: false, reason: "unexpected", message },
      // Without --json a person reads it; with --trace, where it happened (for a report).
      text: args.includes("--trace") && err instanceof Error && err.stack
        ? `failed: ${err.stack}`
        : `failed: ${message}\n(unexpected: run it again with --trace to see where it happened)`,
    };
  } finally {
    console.log = log;
  }
  if (json) {
    // The export is a document of its own: JSON as it is, an ICS file wrapped.
    const doc = out.json ??
      (/^\s*[{[]/.test(out.text)
        ? JSON.parse(out.text)
        : { ok: out.code === 0, format: "ics", ics: out.text });
    return { code: out.code, stdout: JSON.stringify(doc, null, 2) + "\n", stderr: "" };
  }
  if (out.document) return { code: out.code, stdout: out.text, stderr: "" };
  return out.code === 0
    ? { code: 0, stdout: out.text + "\n", stderr: "" }
    : { code: out.code, stdout: "", stderr: out.text + "\n" };
}

if (import.meta.main) {
  const { code, stdout, stderr } = await main(Deno.args, Deno.env.toObject());
  if (stdout) await writeAll(Deno.stdout, stdout);
  if (stderr) await writeAll(Deno.stderr, stderr);
  Deno.exit(code);
}

/** Writes it all, unless the reader went away (`| head`, a pager quit): then the rest is dropped. */
async function writeAll(to: typeof Deno.stdout, text: string) {
  const bytes = new TextEncoder().encode(text);
  try {
    for (let i = 0; i < bytes.length;) i += await to.write(bytes.subarray(i));
  } catch (err) {
    if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
  }
}
