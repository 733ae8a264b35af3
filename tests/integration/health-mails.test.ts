/**
 * The Health panel counts the mails that really left. A host has two meetings with a follow-up
 * mail each; one is cancelled, so its follow-up is skipped. The server starts with all of it due
 * (written before it started, so no waiting for meetings to end), delivers through a real SMTP
 * server, and the panel's "sent" equals the mails the SMTP server received, not one more.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createEventType, createHost, memoryApp } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { signInClient } from "../support/team-signin.ts";
import { waitFor } from "../support/wait.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { cancelByGuest } from "../../src/lib/server/services/decide-booking.ts";
import { makeDataDir } from "../support/data-dir.ts";

const DAY = 86_400_000;

Deno.test({
  name:
    "health: a follow-up skipped because its meeting was cancelled is not counted as a mail sent",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await makeDataDir("invito-health-");
    try {
      const seedAt = Math.floor((Date.now() - 3 * DAY) / DAY) * DAY;
      const kv = await Deno.openKv(join(dataDir, "invito.kv"));
      const seed = await memoryApp({ kv, guard: false, nowIso: new Date(seedAt).toISOString() });
      const host = await createHost(seed, {
        username: "fiona",
        email: "fiona@example.test",
        timeZone: "UTC",
        weekly: EVERY_DAY_ALL_DAY,
      });
      await createEventType(seed, host, {
        slug: "call",
        requiresConfirmation: false,
        followUps: [{ minutesAfter: 5, message: "Thanks for your time", bookAgain: false }],
      });
      const book = async (i: number, hour: number) => {
        const r = await bookSlot(seed, {
          username: "fiona",
          slug: "call",
          start: new Date(seedAt + DAY + hour * 3_600_000).toISOString(),
          name: `Guest ${i}`,
          email: `g${i}@example.test`,
          note: "",
          timeZone: "UTC",
        });
        assert.ok(r.ok, JSON.stringify(r));
        return r;
      };
      const cancelled = await book(1, 9);
      await book(2, 10);
      assert.ok((await cancelByGuest(seed, cancelled.guestToken, "")).ok);
      kv.close();

      await using smtp = await startSmtp();
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      // Both follow-ups ran, and every mail of the two bookings arrived.
      await app.waitForLog(
        /job kind=follow_up[^\n]*outcome=done[^]*job kind=follow_up[^\n]*outcome=done/,
        {
          timeoutMs: 30_000,
        },
      );
      const booking = () => smtp.mails.filter((m) => !m.text.includes("/signin/verify"));
      await waitFor(() => booking().length >= 7, { timeoutMs: 30_000 });
      assert.deepEqual(
        booking().filter((m) => /Thanks for your/.test(m.text)).map((m) => m.to.join()),
        ["g2@example.test"],
        "a follow-up only for the meeting that took place",
      );
      const owner = await signInClient(app, "fiona@example.test", smtp);
      // Counts are written within a second of the delivery (services/insights-count.ts): the
      // panel is read until it has caught up with the mails received, then must equal them.
      const sentShown = async () => {
        const page = await owner.get("/dashboard/insights?range=7");
        return Number(
          /data-health-totals="mail"[^>]*>\s*<span[^>]*>(\d+) sent/.exec(page.body)?.[1],
        );
      };
      const shown = await waitFor(async () => {
        const n = await sentShown();
        return n >= booking().length ? n : null;
      }, { timeoutMs: 15_000 });
      assert.equal(shown, booking().length, "mails shown as sent = mails the SMTP server received");
      // And the mail CSV lists one follow-up sent.
      const csv = await owner.get("/dashboard/insights/mail-health.csv?range=7");
      assert.match(csv.body, /\r\nFollow-up[^\r]*,1,0,0\r\n/);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
