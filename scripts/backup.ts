/**
 * `npm run backup -- FILE`: a consistent backup of the configured store (INVITO_DB_PATH) into FILE,
 * whether the server is running or not: a local KV file is copied by SQLite as of one instant
 * without pausing the server; a remote KV is scanned twice and kept only if nothing changed.
 * In the Docker image: `docker exec invito /app/bin/deno run -A scripts/backup.ts /data/x.backup.gz`.
 * Exit codes as `npm run invito`'s: 0 done, 1 failed, 2 wrong usage, 3 invalid configuration.
 */
import { INVALID_CONFIGURATION_EXIT } from "./cli-config.ts";
import { parseConfig } from "../src/lib/server/config.ts";
import { BackupError, backupStore, isLocalFile } from "../src/lib/server/store/backup.ts";
import { localStoreMissing, storeOpenProblem } from "../src/lib/server/store/kv.ts";

if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
  console.log("usage: npm run backup -- FILE");
  Deno.exit(0);
}
const file = Deno.args.find((a) => !a.startsWith("-"));
if (!file) {
  console.error("usage: npm run backup -- FILE");
  Deno.exit(2);
}
const parsed = parseConfig(Deno.env.toObject());
if (!parsed.ok) {
  console.error(
    "backup: fix these settings first:\n" + parsed.errors.map((e) => `  - ${e}`).join("\n"),
  );
  Deno.exit(INVALID_CONFIGURATION_EXIT);
}
const { dbPath } = parsed.config;
if (isLocalFile(dbPath) && await localStoreMissing(dbPath)) {
  console.error(`backup: there is no store at ${dbPath} (INVITO_DB_PATH)`);
  Deno.exit(1);
}
try {
  await Deno.stat(file);
  console.error(`backup: ${file} exists; choose a new file name`);
  Deno.exit(1);
} catch { /* a new file, as it should be */ }
let kv: Deno.Kv;
try {
  kv = await Deno.openKv(dbPath);
} catch (err) {
  console.error(`backup: ${isLocalFile(dbPath) ? await storeOpenProblem(dbPath, err) : err}`);
  Deno.exit(1);
}
try {
  const started = performance.now();
  const r = await backupStore(kv, dbPath, file);
  const size = (await Deno.stat(file)).size;
  console.log(
    `backup: ${r.entries} entries (${r.method}) → ${file}, ${(size / 1024).toFixed(0)} KiB in ${
      Math.round(performance.now() - started)
    } ms; sha256 ${r.sha256}`,
  );
} catch (err) {
  console.error(`backup failed: ${err instanceof BackupError ? err.message : err}`);
  Deno.exit(1);
} finally {
  kv.close();
}
