const dir = await Deno.makeTempDir();
const kv = await Deno.openKv(dir + "/y.kv");
const N = 3000;
const small = { v: 1, payload: "y".repeat(120) }; const booking = { v: 1, payload: "x".repeat(1200) };
async function run(name: string, f: (i: number) => Promise<unknown>) {
  let next = 0; const t = performance.now();
  await Promise.all(Array.from({ length: 100 }, async () => { while (true) { const i = next++; if (i >= N) return; await f(i); } }));
  const el = performance.now() - t; console.log(`${name}: ${(N / el * 1000).toFixed(0)}/s`);
}
for (let r = 0; r < 2; r++) {
await run("shaped commit", async (i) => { const op = kv.atomic().check({ key: ["f", r, i], versionstamp: null }).check({ key: ["g", r, i], versionstamp: null }).set(["b", r, i], booking); for (let j = 0; j < 17; j++) op.set(["m", r, i, j], small); await op.commit(); });
await run("getMany(3)", (i) => kv.getMany([["f", r, i], ["g", r, i], ["b", r, i]]));
await run("list small range", async (i) => { for await (const _ of kv.list({ prefix: ["m", r, i] })) { /**/ } });
await run("list empty", async (i) => { for await (const _ of kv.list({ prefix: ["zz", r, i] })) { /**/ } });
await run("1-set commit", (i) => kv.atomic().set(["s", r, i], small).commit());
}
