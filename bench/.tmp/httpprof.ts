import { join } from "node:path";
import { buildApp } from "../../src/lib/server/app.ts";
import { createEventType, createHost, recordingMailer } from "../../tests/support/memory-app.ts";
import { freePort } from "../../tests/support/ports.ts";
const dir = await Deno.makeTempDir();
const dbPath = join(dir, "invito.kv");
const SECRET = "x".repeat(48);
{
  const kv = await Deno.openKv(dbPath);
  const app = await buildApp({ INVITO_DB_PATH: dbPath, INVITO_SESSION_SECRET: SECRET, INVITO_DISABLE_CRON: "true" }, { kv, mailer: recordingMailer() });
  const allDay = () => [{ start: "00:00", end: "24:00" }];
  const W = { 1: allDay(), 2: allDay(), 3: allDay(), 4: allDay(), 5: allDay(), 6: allDay(), 7: allDay() };
  for (let h = 0; h < 100; h++) { const u = await createHost(app, { username: `host${h}`, timeZone: "UTC", weekly: W }); await createEventType(app, u, { slug: "call", durationMin: 15, requiresConfirmation: true }); }
  kv.close();
}
const port = freePort();
const prof = Deno.args.includes("--prof");
const child = new Deno.Command("node_modules/.bin/deno", {
  args: ["run", "-A", ...(prof ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof/http"] : []), "server.ts"],
  env: { INVITO_BASE_URL: `http://127.0.0.1:${port}`, INVITO_LISTEN_ADDR: `127.0.0.1:${port}`, INVITO_DB_PATH: dbPath, INVITO_SESSION_SECRET: SECRET, INVITO_DISABLE_CRON: "true", INVITO_RATE_LIMIT: "off", INVITO_MIN_FILL_TIME: "0s" },
  stdout: "null", stderr: "inherit",
}).spawn();
while (true) { try { const r = await fetch(`http://127.0.0.1:${port}/healthz`); await r.body?.cancel(); if (r.ok) break; } catch { /**/ } await new Promise((r) => setTimeout(r, 50)); }
const day = Math.ceil(Date.now() / 86400000) * 86400000 + 86400000;
const N = Number(Deno.args[0] ?? 3000);
let next = 0; let ok = 0; const t0 = performance.now(); const lat: number[] = [];
await Promise.all(Array.from({ length: 100 }, async () => { while (true) { const i = next++; if (i >= N) return; const s = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/calendar/host${i % 100}/call?/book`, { method: "POST", headers: { origin: `http://127.0.0.1:${port}`, accept: "text/html", "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ name: `W${i}`, email: `w${i}@x.test`, note: "", start: new Date(day + Math.floor(i / 100) * 900000).toISOString().replace(".000Z", "Z"), tz: "UTC" }), redirect: "manual" });
  await res.body?.cancel(); if (res.status === 303) ok++; lat.push(performance.now() - s); } }));
const el = performance.now() - t0; lat.sort((a, b) => a - b);
console.log(`http: ${ok}/${N} in ${el.toFixed(0)} ms = ${(ok / el * 1000).toFixed(0)}/s p50 ${lat[lat.length >> 1].toFixed(0)} p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(0)}`);
child.kill("SIGINT"); await child.status;
