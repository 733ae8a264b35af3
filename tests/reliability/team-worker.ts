/**
 * A process that books for a test until it is killed: multi-person bookings (the coordinator
 * protocol) with overlapping teams, single bookings, and cancellations that free time again, on
 * overlapping slots of the people the test seeded. Team protocols pause a few milliseconds
 * between their steps, so a kill often lands between the holds and the final commit. It prints a
 * line per finished attempt, so the test can kill it mid-load.
 *
 *   deno run -A tests/reliability/team-worker.ts <dbPath> <seed> <slots> [aim]
 */
import { buildApp } from "../../src/lib/server/app.ts";
import { bookForPersons } from "../../src/lib/server/services/team-booking.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { decideBooking } from "../../src/lib/server/services/decide-booking.ts";
import { getEventTypeBySlug } from "../../src/lib/server/store/event-types.ts";
import { getUserByUsername } from "../../src/lib/server/store/users.ts";
import { recordingMailer } from "../support/memory-app.ts";
import { prng } from "../../bench/lib.ts";
import type { EventTypeRecord, UserRecord } from "../../src/lib/server/domain/model/records.ts";

const [dbPath, seedText, slotsText, mode] = Deno.args;
/** `aim`: each hold is announced ("held") and followed by a long pause (see onStep). */
const aim = mode === "aim";
const kv = await Deno.openKv(dbPath);
const app = await buildApp({
  INVITO_DB_PATH: dbPath,
  INVITO_SESSION_SECRET: "team-worker-".padEnd(48, "x"),
  INVITO_DISABLE_CRON: "true",
}, { kv, mailer: recordingMailer() });
const people: { user: UserRecord; et: EventTypeRecord }[] = [];
for (let i = 0; i < 5; i++) {
  const user = (await getUserByUsername(kv, `p${i}`))!;
  people.push({ user, et: (await getEventTypeBySlug(kv, user.id, "call"))! });
}
const slots = slotsText.split(",");
const random = prng(Number(seedText));
let n = 0;
const made: { id: string; hostId: string }[] = [];
const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s + "\n"));
await Promise.all(Array.from({ length: 6 }, async (_, w) => {
  while (true) {
    const i = n++;
    const start = slots[Math.floor(random() * slots.length)];
    if (w === 5 && made.length) {
      const b = made.splice(Math.floor(random() * made.length), 1)[0];
      const r = await decideBooking(app, b.id, "cancel", "host", { hostId: b.hostId });
      out(`cancel ${r.ok ? "ok" : r.reason}`);
    } else if (w % 3 === 0) {
      const p = people[Math.floor(random() * people.length)];
      const r = await bookSlot(app, {
        username: p.user.username,
        slug: "call",
        start,
        name: `Single ${i}`,
        email: `s${i}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      if (r.ok) made.push({ id: r.bookingId, hostId: p.user.id });
      out(`single ${r.ok ? "ok" : r.reason}`);
    } else {
      const members = people.filter(() => random() < 0.5);
      if (members.length < 2) continue;
      const r = await bookForPersons(app, {
        host: members[0].user,
        eventType: members[0].et,
        personIds: members.map((m) => m.user.id),
        startMs: Date.parse(start),
        durationMin: 60,
        name: `Team ${i}`,
        email: `t${i}@example.test`,
        note: "",
        guestTimeZone: "UTC",
        onStep: async (step) => {
          // Aimed: a hold taken is said at once and the protocol waits long enough after it for
          // the test's kill to land there whatever the machine's load.
          if (aim && step === "hold") out("held");
          await new Promise((r) => setTimeout(r, aim && step === "hold" ? 500 : 2 + random() * 10));
        },
      });
      if (r.ok) made.push({ id: r.booking.id, hostId: r.booking.hostId });
      out(`team ${r.ok ? "ok" : r.reason}`);
    }
  }
}));
