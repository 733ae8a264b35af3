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
  const u = await createHost(app, { username: `host0`, timeZone: "UTC", weekly: W }); await createEventType(app, u, { slug: "call", durationMin: 15, requiresConfirmation: true });
  kv.close();
}
const port = freePort();
for (const [k, v] of Object.entries({ INVITO_BASE_URL: `http://127.0.0.1:${port}`, INVITO_LISTEN_ADDR: `127.0.0.1:${port}`, INVITO_DB_PATH: dbPath, INVITO_SESSION_SECRET: SECRET, INVITO_DISABLE_CRON: "true", INVITO_RATE_LIMIT: "off", INVITO_MIN_FILL_TIME: "0s" })) Deno.env.set(k, v);
const { prepareServer } = await import("../../.deno-deploy/handler.ts");
const handler = prepareServer(JSON.parse(await Deno.readTextFile(".deno-deploy/svelte.json")), JSON.parse(await Deno.readTextFile(".deno-deploy/deploy.json")), Deno.cwd());
const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, (req, info) => handler(req, info));
const day = Math.ceil(Date.now() / 86400000) * 86400000 + 86400000;
const start = new Date(day + 36000000).toISOString().replace(".000Z", "Z");
const post = async (i: number, enhanced = false) => { const s = performance.now(); const res = await fetch(`http://127.0.0.1:${port}/calendar/host0/call?/book`, { method: "POST", headers: { origin: `http://127.0.0.1:${port}`, accept: enhanced ? "application/json" : "text/html", ...(enhanced ? { "x-sveltekit-action": "true" } : {}), "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ name: `W${i}`, email: `w${i}@x.test`, note: "", start, tz: "UTC" }), redirect: "manual" }); const b = await res.text(); return { status: res.status, ms: performance.now() - s, len: b.length }; };
console.log(await post(0));
for (const enhanced of [false, false]) {
  const t = performance.now(); let n = 0; let len = 0;
  for (let i = 1; i <= 100; i++) { const r = await post(i, enhanced); n += r.status === 409 ? 1 : 0; len = r.len; }
  console.log(`${enhanced ? "enhance" : "no-JS"} sequential losers: ${((performance.now() - t) / 100).toFixed(2)} ms each (${n} × 409, ${len} B)`);
  const t2 = performance.now();
  const rs = await Promise.all(Array.from({ length: 200 }, (_, i) => post(1000 + i, enhanced)));
  const lat = rs.map((r) => r.ms).sort((a, b) => a - b);
  console.log(`  200 at once: total ${(performance.now() - t2).toFixed(0)} ms, p99 ${lat[197].toFixed(0)}`);
}
await server.shutdown(); Deno.exit(0);
