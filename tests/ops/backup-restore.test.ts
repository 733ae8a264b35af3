/**
 * Backups of a server that is taking bookings: `npm run backup` (the CLI, beside the running
 * server) and the scheduled one, each restored with `npm run restore` into an empty store. The
 * restored store holds every booking answered before the backup began, nothing half-written
 * (bookings, busy entries, links and jobs agree), and a server on it passes the same booking checks.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot, startApp } from "../support/app.ts";
import { waitFor } from "../support/wait.ts";
import {
  bookingsOf,
  readStore,
  RequestLog,
  slotsAhead,
  storeProblems,
} from "../reliability/harness.ts";
import { prng } from "../../bench/lib.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const TTL_MS = 3_600_000;

async function run(script: string, args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(denoBin, {
    args: ["run", "-A", script, ...args],
    cwd: repoRoot,
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  ...opts,
  name:
    "backup during a booking load (CLI and schedule) restores into an empty store that is whole, and a server on it books and refuses as before",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-backups-" });
    try {
      await using app = await startApp({
        demo: true,
        env: {
          INVITO_BOOKING_TTL: "1h",
          INVITO_BACKUP_DIR: join(dir, "scheduled"),
          INVITO_BACKUP_INTERVAL: "1h",
          INVITO_BACKUP_KEEP: "2",
        },
      });
      const base = app.baseUrl;
      const slots = (await slotsAhead(base, "demo", "quick-chat", 10)).slice(0, 150);
      assert.ok(slots.length >= 60);

      const log = new RequestLog();
      let stop = false;
      let n = 0;
      const workers = Array.from({ length: 6 }, (_, w) =>
        (async () => {
          const r = prng(500 + w);
          while (!stop) {
            const i = n++;
            await log.send(
              "book",
              base,
              `/calendar/demo/${r() < 0.5 ? "intro-call" : "quick-chat"}?/book`,
              {
                form: {
                  name: `Guest ${i}`,
                  email: `b${i}@example.test`,
                  note: `note ${i}`,
                  start: slots[Math.floor(r() * slots.length)],
                  tz: "UTC",
                },
              },
            );
          }
        })());
      await waitFor(() => log.entries.length >= 80, { timeoutMs: 60_000, message: "load" });

      // The CLI, beside the running server, while bookings keep coming.
      const answeredBefore = log.entries.filter((e) => e.status === 303).map((e) => e.form.email);
      const file = join(dir, "manual.backup.gz");
      const backup = await run("scripts/backup.ts", [file], { INVITO_DB_PATH: app.dbPath });
      assert.equal(backup.code, 0, backup.stderr);
      assert.match(backup.stdout, /entries \(sqlite-snapshot\)/);
      const afterBackup = log.entries.length;
      await waitFor(() => log.entries.length >= afterBackup + 40, { timeoutMs: 60_000 });
      stop = true;
      await Promise.all(workers);

      // The schedule took one at start (none existed), into its folder.
      const scheduled = [...Deno.readDirSync(join(dir, "scheduled"))].map((e) => e.name);
      assert.equal(scheduled.length, 1, `one scheduled backup: ${scheduled}`);
      assert.match(scheduled[0], /^invito-\d{8}T\d{6}Z\.backup\.gz$/);

      const secret = app.env.INVITO_SESSION_SECRET;
      await app.stop({ keepData: true });
      const live = await readStore(app.dbPath);

      // Restore into an empty store.
      const restoredDir = join(dir, "restored");
      const restoredDb = join(restoredDir, "invito.kv");
      const restore = await run("scripts/restore.ts", [file], { INVITO_DB_PATH: restoredDb });
      assert.equal(restore.code, 0, restore.stderr);
      assert.match(restore.stdout, /entries written and verified/);
      // A second restore into the now full store is refused.
      const again = await run("scripts/restore.ts", [file], { INVITO_DB_PATH: restoredDb });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /not empty/);

      const restored = await readStore(restoredDb);
      assert.deepEqual(storeProblems(restored, { nowMs: Date.now(), ttlMs: TTL_MS }), []);
      const restoredBookings = bookingsOf(restored);
      const liveById = new Map(bookingsOf(live).map((b) => [b.id, b]));
      const emails = new Set(restoredBookings.map((b) => b.guestEmail));
      for (const email of answeredBefore) assert.ok(emails.has(email), `${email} is in the backup`);
      for (const b of restoredBookings) {
        assert.ok(liveById.has(b.id), `${b.id} existed on the server`);
      }
      assert.ok(
        restoredBookings.length < liveById.size,
        "bookings after the backup are not in it (a point in time)",
      );

      // A server on the restored store: a booking, a refusal of a taken slot, an old guest link.
      await using second = await startApp({
        dataDir: restoredDir,
        env: { INVITO_SESSION_SECRET: secret },
      });
      const taken = restoredBookings.find((b) => b.status === "CONFIRMED" && b.durationMin === 15)!;
      const clash = await log.send("book", second.baseUrl, "/calendar/demo/quick-chat?/book", {
        form: {
          name: "Late",
          email: "late@example.test",
          note: "",
          start: new Date(taken.startMs).toISOString(),
          tz: "UTC",
        },
      });
      assert.equal(clash.status, 409, "a slot taken before the backup is still taken");
      const free = (await slotsAhead(second.baseUrl, "demo", "quick-chat", 10))[0];
      const ok = await log.send("book", second.baseUrl, "/calendar/demo/quick-chat?/book", {
        form: { name: "New", email: "new@example.test", note: "", start: free, tz: "UTC" },
      });
      assert.equal(ok.status, 303, "a free slot books on the restored server");
      const old = log.entries.find((e) => e.status === 303 && emails.has(e.form.email))!;
      const page = await fetch(new URL(old.location!, second.baseUrl));
      await page.body?.cancel();
      assert.equal(page.status, 200, "a guest link from before the backup still opens");
      const ready = await fetch(second.url("/readyz"));
      await ready.body?.cancel();
      assert.equal(ready.status, 200);

      // The scheduled file restores too (into another empty store).
      const sched = await run("scripts/restore.ts", [join(dir, "scheduled", scheduled[0])], {
        INVITO_DB_PATH: join(dir, "restored2", "invito.kv"),
      });
      assert.equal(sched.code, 0, sched.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  ...opts,
  name:
    "npm run backup/restore explain what is wrong: no store, an existing file, a truncated backup",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-backups-" });
    try {
      const none = await run("scripts/backup.ts", [join(dir, "x.gz")], {
        INVITO_DB_PATH: join(dir, "missing.kv"),
      });
      assert.equal(none.code, 1);
      assert.match(none.stderr, /no store at/);
      const kvPath = join(dir, "s.kv");
      const kv = await Deno.openKv(kvPath);
      await kv.set(["user", "u"], { v: 1 });
      kv.close();
      const file = join(dir, "s.backup.gz");
      assert.equal((await run("scripts/backup.ts", [file], { INVITO_DB_PATH: kvPath })).code, 0);
      const exists = await run("scripts/backup.ts", [file], { INVITO_DB_PATH: kvPath });
      assert.match(exists.stderr, /exists; choose a new file name/);
      const bytes = await Deno.readFile(file);
      await Deno.writeFile(file, bytes.slice(0, bytes.length - 8));
      const cut = await run("scripts/restore.ts", [file], {
        INVITO_DB_PATH: join(dir, "t.kv"),
      });
      assert.equal(cut.code, 1);
      assert.match(cut.stderr, /restore refused: the file is not a complete gzip backup/);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
