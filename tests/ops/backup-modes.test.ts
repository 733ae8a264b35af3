/**
 * Every file a backup writes — the SQLite snapshot, its `-journal`, `-wal` and `-shm`, the
 * `.partial` file and the backup itself — is created mode 0600 under the usual umask 022: a
 * backup holds every booking, guest address and sealed secret of the store (issue 22).
 *
 * A real `npm run backup` of a running demo server; a watcher hard-links each file as it
 * appears in the backup's folder, so even a temporary that lives for milliseconds keeps its
 * inode (and mode) to be looked at afterwards.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot, startApp } from "../support/app.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "backup: the snapshot and every temporary beside it (-journal, -wal, -shm, .partial) and the backup file are 0600 from the moment they exist",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-backup-modes-" });
    const kept = await Deno.makeTempDir({ prefix: "invito-backup-kept-" });
    const dataDir = await Deno.makeTempDir({ prefix: "invito-backup-store-" });
    try {
      // A store with some weight (20,000 entries beside the demo's): the snapshot and its WAL
      // files then live while the copy is read out for long enough that the watcher sees them
      // even on a loaded machine (on the bare demo store that was a few milliseconds, and a
      // busy CI box missed the -wal file once).
      await (await startApp({ demo: true, dataDir })).stop({ keepData: true });
      const kv = await Deno.openKv(join(dataDir, "invito.kv"));
      for (let i = 0; i < 20_000; i += 500) {
        const op = kv.atomic();
        for (let j = i; j < i + 500; j++) op.set(["test_padding", j], "x".repeat(200));
        await op.commit();
      }
      kv.close();
      await using app = await startApp({ dataDir });
      const seen = new Map<string, string>(); // name → hard link of its inode
      const watcher = Deno.watchFs(dir, { recursive: false });
      const watching = (async () => {
        for await (const ev of watcher) {
          for (const p of ev.paths) {
            const name = p.slice(p.lastIndexOf("/") + 1);
            if (seen.has(name)) continue;
            const link = join(kept, `${seen.size}-${name}`);
            try {
              Deno.linkSync(p, link);
              seen.set(name, link);
            } catch { /* gone already */ }
          }
        }
      })();
      const file = join(dir, "manual.backup.gz");
      const out = await new Deno.Command(denoBin, {
        args: ["run", "-A", "scripts/backup.ts", file],
        cwd: repoRoot,
        env: { INVITO_DB_PATH: app.dbPath, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      watcher.close();
      await watching;

      const modes = [...seen].map(([name, link]) => [
        name,
        ((Deno.statSync(link).mode ?? 0) & 0o777).toString(8),
      ]);
      // The snapshot and its WAL files live while the copy is read out: long enough to be seen
      // every time (a -journal lives only during SQLite's copy and may be missed).
      for (const tail of ["", "-wal", "-shm"]) {
        const re = new RegExp(`\\.snapshot-[0-9a-f]{8}${tail}$`);
        assert.ok(
          modes.some(([n]) => re.test(n)),
          `saw *.snapshot-*${tail}: ${JSON.stringify(modes)}`,
        );
      }
      assert.ok(modes.some(([n]) => /\.partial-/.test(n)), JSON.stringify(modes));
      assert.ok(modes.some(([n]) => n === "manual.backup.gz"), JSON.stringify(modes));
      for (const [name, mode] of modes) assert.equal(mode, "600", `${name} is ${mode}`);
      // Nothing but the backup is left behind.
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["manual.backup.gz"]);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(kept, { recursive: true });
    }
  },
});
