/**
 * A process that books a team's event types until it is killed: collective bookings (the
 * multi-person protocol, pausing a few milliseconds between its steps so a kill often lands
 * between the holds and the final commit), round-robin bookings and personal bookings of the
 * same members, on overlapping slots, plus cancellations that free time again. It prints a line
 * per finished attempt, so the test can kill it mid-load. With `freeze`, the first collective
 * booking to hold a member's time stops right there and prints "frozen": a kill then surely
 * lands between a protocol's holds and its commit.
 *
 *   deno run -A tests/reliability/team-service-worker.ts <dbPath> <seed> <slots,…> [freeze]
 */
import { buildApp } from "../../src/lib/server/app.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { decideBooking } from "../../src/lib/server/services/decide-booking.ts";
import { recordingMailer } from "../support/memory-app.ts";
import { prng } from "../../bench/lib.ts";

const [dbPath, seedText, slotsText, freezeArg] = Deno.args;
const kv = await Deno.openKv(dbPath);
const app = await buildApp({
  INVITO_DB_PATH: dbPath,
  INVITO_SESSION_SECRET: "team-worker-".padEnd(48, "x"),
  INVITO_DISABLE_CRON: "true",
}, { kv, mailer: recordingMailer() });
const slots = slotsText.split(",");
const random = prng(Number(seedText));
let n = 0;
const made: string[] = [];
const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s + "\n"));
let frozen = freezeArg !== "freeze";
const pause = async (step: string) => {
  if (step === "hold" && !frozen) {
    frozen = true;
    out("frozen");
    await new Promise<never>(() => {});
  }
  await new Promise<void>((r) => setTimeout(r, 2 + random() * 10));
};
await Promise.all(Array.from({ length: 6 }, async (_, w) => {
  while (true) {
    const i = n++;
    const start = slots[Math.floor(random() * slots.length)];
    const guest = { name: `Guest ${i}`, email: `g${i}@example.test`, note: "", timeZone: "UTC" };
    if (w === 5 && made.length) {
      const id = made.splice(Math.floor(random() * made.length), 1)[0];
      const r = await decideBooking(app, id, "cancel", "host");
      out(`cancel ${r.ok ? "ok" : r.reason}`);
    } else if (w === 4) {
      const r = await bookSlot(app, {
        username: `m${Math.floor(random() * 4)}`,
        slug: "own",
        start,
        ...guest,
      });
      if (r.ok) made.push(r.bookingId);
      out(`personal ${r.ok ? "ok" : r.reason}`);
    } else {
      const slug = w % 2 ? "pair" : random() < 0.5 ? "trio" : "rr";
      const r = await bookTeamSlot(app, { team: "crew", slug, start, ...guest, onStep: pause });
      if (r.ok) made.push(r.bookingId);
      out(`${slug} ${r.ok ? "ok" : r.reason}`);
    }
  }
}));
