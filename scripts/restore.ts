/**
 * `npm run restore -- FILE [--force]`: restores a backup into the configured store (INVITO_DB_PATH)
 * with the server stopped. Refuses a store that holds data unless --force (which deletes it first);
 * checks the whole file before writing; an interrupted restore continues when run again with the
 * same file; the result is read back and compared with the backup (counts and checksum).
 * On a local KV file a running server uses (its presence entry, ADR 043) it refuses with exit 4.
 * Exit codes as `npm run invito`'s: 0 done, 1 refused or failed, 2 wrong usage, 3 invalid
 * configuration, 4 the local store is in use by a running server.
 */
import { INVALID_CONFIGURATION_EXIT } from "./cli-config.ts";
import { parseConfig } from "../src/lib/server/config.ts";
import {
  BackupError,
  backupFileProblem,
  isLocalFile,
  restoreStore,
} from "../src/lib/server/store/backup.ts";
import { openKv, storeOpenProblem } from "../src/lib/server/store/kv.ts";
import { liveProcesses, storeInUseMessage } from "../src/lib/server/store/presence.ts";

if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
  console.log("usage: npm run restore -- FILE [--force]");
  Deno.exit(0);
}
const file = Deno.args.find((a) => !a.startsWith("-"));
const force = Deno.args.includes("--force");
if (!file) {
  console.error("usage: npm run restore -- FILE [--force]");
  Deno.exit(2);
}
const parsed = parseConfig(Deno.env.toObject());
if (!parsed.ok) {
  console.error(
    "restore: fix these settings first:\n" + parsed.errors.map((e) => `  - ${e}`).join("\n"),
  );
  Deno.exit(INVALID_CONFIGURATION_EXIT);
}
const problem = await backupFileProblem(file);
if (problem) {
  console.error(`restore refused: ${problem}`);
  Deno.exit(1);
}
const { dbPath } = parsed.config;
let kv: Deno.Kv;
try {
  kv = await openKv(dbPath);
} catch (err) {
  console.error(`restore: ${isLocalFile(dbPath) ? await storeOpenProblem(dbPath, err) : err}`);
  Deno.exit(1);
}
if (isLocalFile(dbPath)) {
  // A local KV file is one process's at a time (ADR 043): not under a running server.
  const live = await liveProcesses(kv, Date.now());
  if (live.length) {
    kv.close();
    console.error(storeInUseMessage(dbPath, Math.max(...live.map((p) => p.untilMs))));
    Deno.exit(4);
  }
}
try {
  const started = performance.now();
  const r = await restoreStore(kv, file, { force, nowMs: Date.now() });
  const top = Object.entries(r.counts).sort((a, b) => b[1] - a[1]).slice(0, 6)
    .map(([p, n]) => `${p} ${n}`).join(", ");
  console.log(
    `restore: ${r.restored} entries written and verified${
      r.resumed ? " (resumed)" : ""
    }, ${r.skipped} left out (leases, rate limits, records already over) in ${
      Math.round(performance.now() - started)
    } ms; ${top}`,
  );
} catch (err) {
  console.error(`restore refused: ${err instanceof BackupError ? err.message : err}`);
  Deno.exit(1);
} finally {
  kv.close();
}
