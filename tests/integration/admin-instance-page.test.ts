/**
 * The admin's instance page (issue 32) over HTTP against the built server: the backups it lists
 * (a command line's file named in full, "removed" only when it is gone), a failed backup's cause
 * in the audit log, and the configuration as the server read it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type AppHandle, denoBin, repoRoot, startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import type { Client } from "../support/http.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const ADMIN = "ops@example.test";

async function invito(app: AppHandle, args: string[]) {
  const base: Record<string, string> = { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) base[k] = v;
  }
  const out = await new Deno.Command(denoBin, {
    args: ["run", "-A", "scripts/invito.ts", ...args],
    cwd: repoRoot,
    clearEnv: true,
    env: { ...base, ...app.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The instance page's backup rows: result and each cell's text. */
async function backupRows(admin: Client) {
  const page = await admin.get("/admin/instance");
  assert.equal(page.status, 200);
  return [...page.body.matchAll(/<tr[^>]*data-backup="(\w+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => ({
    result: m[1],
    cells: [...m[2].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) =>
      c[1].replace(/<[^>]+>/g, "").trim()
    ),
  }));
}

Deno.test({
  ...opts,
  name:
    'instance page: a backup the command line wrote outside INVITO_BACKUP_DIR is listed by its full path, marked removed only once the file is gone; rate limits switched off read "off" on the page and in check-config',
  async fn() {
    const elsewhere = await Deno.makeTempDir({ prefix: "invito-cli-backups-" });
    try {
      await using app = await startApp({
        env: { INVITO_ADMINS: ADMIN, INVITO_RATE_LIMIT: "off" },
      });
      await app.stop({ keepData: true });
      const file = join(elsewhere, "b1.backup.gz");
      const made = await invito(app, ["backup", file]);
      assert.equal(made.code, 0, made.stderr);
      await app.restart();
      const admin = await signInByLink(app, ADMIN);

      const [row] = await backupRows(admin);
      assert.equal(row.result, "ok");
      assert.equal(row.cells[4], file, "the full path, and not marked removed");
      await Deno.remove(file);
      const [gone] = await backupRows(admin);
      assert.equal(gone.cells[4], `${file}(removed since)`);

      const page = (await admin.get("/admin/instance")).body;
      assert.match(page, /<dt[^>]*>rateLimits<\/dt><dd[^>]*>off<\/dd>/);
      const config = await invito(app, ["check-config"]);
      assert.equal(config.code, 0, config.stderr);
      assert.match(config.stdout, /^ {2}rateLimits = off$/m);
    } finally {
      await Deno.remove(elsewhere, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  ...opts,
  name:
    'instance page: a backup into INVITO_BACKUP_DIR that fails is in the audit log with what went wrong, not "failed: failed"',
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-backup-fails-" });
    try {
      // The folder is a file: every backup into it fails.
      const notAFolder = join(dir, "backups");
      await Deno.writeTextFile(notAFolder, "a file, not a folder\n");
      await using app = await startApp({
        env: { INVITO_ADMINS: ADMIN, INVITO_BACKUP_DIR: notAFolder },
      });
      const admin = await signInByLink(app, ADMIN);
      const failed = await admin.post("/admin/instance?/backup", {});
      assert.equal(failed.status, 503, failed.body.slice(0, 300));
      const csv = await admin.get("/admin/audit.csv?kind=admin_backup");
      const rows = parseCsv(csv.body).slice(1);
      assert.equal(rows.length, 1);
      const detail = String(rows[0][7]);
      assert.match(detail, /^failed: /);
      assert.notEqual(detail, "failed: failed");
      assert.match(detail, /exists|not a directory|folder/i, "the cause");
      const page = await admin.get("/admin/audit?kind=admin_backup");
      assert.ok(page.body.includes(detail.replace("failed: ", "")), "the page shows the cause too");
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
