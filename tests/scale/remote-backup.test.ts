/**
 * Backups of a remote store: `npm run backup` against the KV Connect server that two running
 * processes share, `npm run restore` into a second, empty KV Connect server; the restored store
 * holds the same bookings, and a process started on it serves them and refuses their times.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot, startApp } from "../support/app.ts";
import { startCluster } from "../support/cluster.ts";
import { startKvConnect } from "../support/kv-connect-server.ts";
import { waitFor } from "../support/wait.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import {
  bookingsOf,
  demoDay,
  pageSlots,
  readStore,
  storeProblems,
} from "../reliability/harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

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
    "remote KV: a backup taken while two processes run restores into another remote store with every booking, and a process on it refuses their times",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-remote-backup-" });
    try {
      await using c = await startCluster({ processes: 2, latencyMs: [1, 5], demo: true });
      const { date, slots } = await demoDay(c.baseUrl, "demo", "quick-chat");
      const booked: string[] = [];
      for (const [i, start] of slots.slice(0, 6).entries()) {
        const res = await fetch(`${c.baseUrl}/calendar/demo/quick-chat?/book`, {
          method: "POST",
          redirect: "manual",
          headers: {
            origin: c.baseUrl,
            accept: "text/html",
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({
            name: `G${i}`,
            email: `g${i}@example.test`,
            note: "",
            start,
            tz: "UTC",
          }),
        });
        await res.body?.cancel();
        if (res.status === 303) booked.push(start);
      }
      assert.equal(booked.length, 6, "six bookings made");

      // The processes keep running; their mails of these bookings have gone out (a backup of
      // remote KV needs a moment without writes to what it restores).
      const kv = await c.openKv();
      try {
        await waitFor(async () => {
          for await (const _ of kv.list({ prefix: [keys.outbox(0, "x")[0]] })) return false;
          return true;
        }, { timeoutMs: 20_000, message: "an empty outbox" });
      } finally {
        kv.close();
      }
      const file = join(dir, "remote.backup.gz");
      const backup = await run("scripts/backup.ts", [file], {
        INVITO_DB_PATH: c.kv.url,
        DENO_KV_ACCESS_TOKEN: c.kv.token,
      });
      assert.equal(backup.code, 0, backup.stderr);
      assert.match(backup.stdout, /backup: \d+ entries/);

      await using target = await startKvConnect();
      const restore = await run("scripts/restore.ts", [file], {
        INVITO_DB_PATH: target.url,
        DENO_KV_ACCESS_TOKEN: target.token,
      });
      assert.equal(restore.code, 0, restore.stderr + restore.stdout);

      Deno.env.set("DENO_KV_ACCESS_TOKEN", c.kv.token);
      const source = bookingsOf(await readStore(c.kv.url));
      Deno.env.set("DENO_KV_ACCESS_TOKEN", target.token);
      const restoredStore = await readStore(target.url);
      assert.deepEqual(
        bookingsOf(restoredStore).map((b) => b.id).sort(),
        source.map((b) => b.id).sort(),
        "the same bookings",
      );
      assert.deepEqual(storeProblems(restoredStore, { nowMs: Date.now(), ttlMs: 3_600_000 }), []);

      // A process on the restored store: the booked times are not offered and not bookable.
      await using app = await startApp({
        env: { INVITO_DB_PATH: target.url, DENO_KV_ACCESS_TOKEN: target.token },
      });
      // The same date the times were booked on: another day would not offer them anyway.
      const offered = await pageSlots(app.baseUrl, "demo", "quick-chat", date);
      assert.ok(offered.length > 0);
      for (const s of booked) {
        assert.ok(!offered.includes(s), `${s} is taken on the restored store`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
