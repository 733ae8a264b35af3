const dir = await Deno.makeTempDir();
const kv = await Deno.openKv(dir + "/y.kv");
const N = 4000;
const small = { v: 1, payload: "y".repeat(120) }; const booking = { v: 1, payload: "x".repeat(1200) };
async function run(name: string, per: number, c: number, r: number) {
  let next = 0; const t = performance.now();
  await Promise.all(Array.from({ length: c }, async () => { while (true) { const i = next; next += per; if (i >= N) return; const op = kv.atomic(); for (let k = i; k < i + per; k++) { op.check({ key: ["f", r, k], versionstamp: null }).check({ key: ["g", r, k], versionstamp: null }).set(["b", r, k], booking); for (let j = 0; j < 17; j++) op.set(["m", r, k, j], small); } await op.commit(); } }));
  const el = performance.now() - t; console.log(`${name}: ${(N / el * 1000).toFixed(0)} bookings/s`);
}
await run("single c=100", 1, 100, 0);
await run("batch5 c=20", 5, 20, 1);
await run("batch5 c=4", 5, 4, 2);
await run("single c=100", 1, 100, 3);
