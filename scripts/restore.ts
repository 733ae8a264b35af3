/**
 * `npm run restore -- FILE [--force]`: restores a backup into the configured store (INVITO_DB_PATH)
 * with the server stopped. Refuses a store that holds data unless --force (which deletes it first);
 * checks the whole file before writing; an interrupted restore continues when run again with the
 * same file; the result is read back and compared with the backup (counts and checksum).
 */
import { parseConfig } from "../src/lib/server/config.ts";
import { BackupError, restoreStore } from "../src/lib/server/store/backup.ts";
import { openKv } from "../src/lib/server/store/kv.ts";

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
  Deno.exit(1);
}
const kv = await openKv(parsed.config.dbPath);
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
