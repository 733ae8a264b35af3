/**
 * A process that books one 12-week series and freezes midway, so that the test can kill it
 * there: `holds` freezes after the first hold write (some dates held, the series undecided),
 * `commit` right after the deciding commit (every date decided, none finished). It prints
 * "frozen" when it is.
 *
 *   deno run -A tests/reliability/series-worker.ts <dbPath> <start> <holds|commit>
 */
import { buildApp } from "../../src/lib/server/app.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { recordingMailer } from "../support/memory-app.ts";

const [dbPath, start, at] = Deno.args;
const kv = await Deno.openKv(dbPath);
const app = await buildApp({
  INVITO_DB_PATH: dbPath,
  INVITO_SESSION_SECRET: "series-worker-".padEnd(48, "x"),
  INVITO_DISABLE_CRON: "true",
}, { kv, mailer: recordingMailer() });
const freeze = async () => {
  Deno.stdout.writeSync(new TextEncoder().encode("frozen\n"));
  // A pending promise alone would let the process end: a timer keeps it alive until the kill.
  setInterval(() => {}, 60_000);
  await new Promise<never>(() => {});
};
const r = await bookSlot(app, {
  username: "coach",
  slug: "weekly",
  start,
  name: "Series guest",
  email: "series@example.test",
  note: "",
  timeZone: "UTC",
  onSeriesStep: async (step, held) => {
    if (at === "holds" && step === "hold" && held! < 12) await freeze();
    if (at === "commit" && step === "commit") await freeze();
  },
});
Deno.stdout.writeSync(new TextEncoder().encode(`done ${JSON.stringify(r)}\n`));
