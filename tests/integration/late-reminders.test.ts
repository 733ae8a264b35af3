/**
 * Reminders and follow-ups after the server was down: the store is written through the app's
 * own services with a clock 12 days back (as tests/integration/health-mails.test.ts does), then
 * the built server starts on it with a real SMTP peer and delivers everything that fell due.
 * A reminder says the time really left when it goes out, in its reader's language, and none goes
 * out for a meeting that has begun (or was cancelled); of two reminders due at once only the
 * later one is sent; a follow-up goes out days late but not weeks late.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createEventType, createHost, memoryApp } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { cancelByGuest } from "../../src/lib/server/services/decide-booking.ts";
import { updateUser } from "../../src/lib/server/store/users.ts";
import { makeDataDir } from "../support/data-dir.ts";

const MIN = 60_000;
const DAY = 86_400_000;

Deno.test({
  name:
    "late reminders: after 12 days down, a meeting 25–55 minutes away gets one reminder saying the minutes left (es guest, de host); none for meetings past or cancelled; a follow-up 2 days late goes, 10 days late does not",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await makeDataDir("invito-late-reminders-");
    try {
      const now = Date.now();
      const seedAt = Math.floor((now - 12 * DAY) / (30 * MIN)) * 30 * MIN;
      const kv = await Deno.openKv(join(dataDir, "invito.kv"));
      const seed = await memoryApp({ kv, guard: false, nowIso: new Date(seedAt).toISOString() });
      const host = await createHost(seed, {
        username: "greta",
        email: "greta@example.test",
        timeZone: "Europe/Berlin",
        weekly: EVERY_DAY_ALL_DAY,
      });
      assert.ok((await updateUser(seed.kv, host.id, { locale: "de" }, seed.now())).ok);
      await createEventType(seed, host, {
        slug: "termin",
        title: "Termin",
        requiresConfirmation: false,
        bookingWindowDays: 30,
        reminders: [{ minutesBefore: 1440, toHost: false }, { minutesBefore: 90, toHost: true }],
        followUps: [{ minutesAfter: 5, message: "Danke für das Gespräch!", bookAgain: false }],
      });
      const book = async (startMs: number, who: string, locale: string) => {
        const r = await bookSlot(seed, {
          username: "greta",
          slug: "termin",
          start: new Date(startMs).toISOString(),
          name: who,
          email: `${who.toLowerCase()}@example.test`,
          note: "",
          timeZone: "Asia/Tokyo",
          locale,
        });
        assert.ok(r.ok, JSON.stringify(r));
        return r;
      };
      // Old: 10 days ago. Past: 2 days ago. Soon: 25–55 minutes from now, so that its 90-minute
      // reminder and its 1-day one are both due. Gone: cancelled, an hour from now.
      await book(seedAt + 2 * DAY, "Olga", "fr");
      await book(seedAt + 10 * DAY, "Amelie", "fr");
      const soonMs = Math.ceil((now + 25 * MIN) / (30 * MIN)) * 30 * MIN;
      await book(soonMs, "Bruno", "es");
      const gone = await book(soonMs + 30 * MIN, "Carla", "es");
      assert.ok((await cancelByGuest(seed, gone.guestToken, "")).ok);
      kv.close();

      await using smtp = await startSmtp();
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      // Every due reminder (4 bookings × 1-day to the guest, 90-minute to guest and host) and
      // follow-up (the two past meetings') has run, sent or skipped.
      const ran = (kind: string, n: number) =>
        new RegExp(`(?:job kind=${kind}[^\\n]*outcome=done[^]*){${n}}`);
      await app.waitForLog(ran("reminder", 12), { timeoutMs: 30_000 });
      await app.waitForLog(ran("follow_up", 2), { timeoutMs: 30_000 });
      const reminders = () =>
        smtp.mails.filter((m) => /Rappel|Recordatorio|Erinnerung|Reminder/.test(m.subject));
      // Sent only once the SMTP peer answered; the jobs are done, so every mail is here.
      assert.deepEqual(
        reminders().map((m) => m.to.join()).sort(),
        ["bruno@example.test", "greta@example.test"],
        reminders().map((m) => `${m.to}: ${m.subject}`).join("\n"),
      );
      const left = (m: (typeof smtp.mails)[number]) =>
        Math.round((soonMs - m.receivedAt.getTime()) / MIN);
      const bruno = reminders().find((m) => m.to.includes("bruno@example.test"))!;
      const n = Number(bruno.subject.match(/ en (\d+) minutos$/)?.[1]);
      assert.ok(Math.abs(n - left(bruno)) <= 1, `${bruno.subject} (${left(bruno)} min left)`);
      assert.match(bruno.text, new RegExp(`empieza en ${n} minutos`));
      const greta = reminders().find((m) => m.to.includes("greta@example.test"))!;
      const g = Number(greta.subject.match(/ in (\d+) Minuten$/)?.[1]);
      assert.ok(Math.abs(g - left(greta)) <= 1, `${greta.subject} (${left(greta)} min left)`);

      const followUps = smtp.mails.filter((m) => m.text.includes("Danke für das Gespräch"));
      assert.deepEqual(followUps.map((m) => m.to.join()), ["amelie@example.test"]);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
