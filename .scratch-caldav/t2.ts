import { busyFromIcs } from "../src/lib/server/integrations/ical-busy.ts";
const dir = "tests/fixtures/ics/";
for (const f of [...Deno.readDirSync(dir)].map((e) => e.name).sort()) {
  const t0 = performance.now();
  const r = busyFromIcs(Deno.readTextFileSync(dir + f), { fromMs: Date.parse("2026-10-01T00:00:00Z"), toMs: Date.parse("2027-02-01T00:00:00Z"), hostTimeZone: "America/Chicago" });
  console.log(f, (performance.now() - t0).toFixed(1) + "ms", r.complete, JSON.stringify(r.skipped));
  for (const w of r.windows.slice(0, 30)) console.log("   ", new Date(w.startMs).toISOString(), new Date(w.endMs).toISOString());
  if (r.windows.length > 30) console.log("    ...", r.windows.length);
}
