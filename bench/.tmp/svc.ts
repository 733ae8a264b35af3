import { buildApp } from "../../src/lib/server/app.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { createEventType, createHost, recordingMailer } from "../../tests/support/memory-app.ts";
const dir = await Deno.makeTempDir();
const rawKv = await Deno.openKv(dir + "/x.kv");
const counts: Record<string, number> = {};
const kv = new Proxy(rawKv, { get(t, p) { const v = Reflect.get(t, p, t); if (typeof v !== "function") return v; return (...a: unknown[]) => { counts[String(p)] = (counts[String(p)] ?? 0) + 1; const out = v.apply(t, a); if (p === "atomic") { const op = out as Deno.AtomicOperation; const c = op.commit.bind(op); (op as any).commit = async () => { const r = await c(); counts[r.ok ? "commit_ok" : "commit_fail"] = (counts[r.ok ? "commit_ok" : "commit_fail"] ?? 0) + 1; return r; }; } return out; }; } }) as Deno.Kv;
const app = await buildApp({ INVITO_DB_PATH: dir + "/x.kv", INVITO_SESSION_SECRET: "x".repeat(48), INVITO_DISABLE_CRON: "true", INVITO_BASE_URL: "http://127.0.0.1" }, { kv, mailer: recordingMailer() });
const allDay = () => [{ start: "00:00", end: "24:00" }];
const W = { 1: allDay(), 2: allDay(), 3: allDay(), 4: allDay(), 5: allDay(), 6: allDay(), 7: allDay() };
const hosts = [];
for (let h = 0; h < 100; h++) { const u = await createHost(app, { username: `host${h}`, timeZone: "UTC", weekly: W }); await createEventType(app, u, { slug: "call", durationMin: 15, requiresConfirmation: true }); hosts.push(u); }
const day = Math.ceil(Date.now() / 86400000) * 86400000 + 86400000;
const N = Number(Deno.args[0] ?? 3000);
let next = 0; const t0 = performance.now(); let ok = 0;
await Promise.all(Array.from({ length: 100 }, async () => { while (true) { const i = next++; if (i >= N) return; const r = await bookSlot(app, { username: `host${i % 100}`, slug: "call", start: new Date(day + Math.floor(i / 100) * 900000).toISOString().replace(".000Z", "Z"), name: "G", email: `g${i}@x.test`, note: "", timeZone: "UTC" }); if (r.ok) ok++; else console.log(r); } }));
const el = performance.now() - t0;
console.log(JSON.stringify(counts));
console.log(`service: ${ok} in ${el.toFixed(0)} ms = ${(ok / el * 1000).toFixed(0)}/s`);
// raw shaped
const kv2 = await Deno.openKv(dir + "/y.kv");
const small = { v: 1, payload: "y".repeat(120) }; const booking = { v: 1, payload: "x".repeat(1200) };
next = 0; const t1 = performance.now();
await Promise.all(Array.from({ length: 100 }, async () => { while (true) { const i = next++; if (i >= N) return; const op = kv2.atomic().check({ key: ["f", i], versionstamp: null }).check({ key: ["g", i], versionstamp: null }).set(["b", i], booking); for (let j = 0; j < 17; j++) op.set(["m", i, j], small); await op.commit(); } }));
const el2 = performance.now() - t1;
console.log(`raw shaped: ${N} in ${el2.toFixed(0)} ms = ${(N / el2 * 1000).toFixed(0)}/s`);
