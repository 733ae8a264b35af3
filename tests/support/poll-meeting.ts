/**
 * A poll's meeting in an in-memory app, for service tests of what follows a pick (its mails, its
 * invitees' declines): a poll of `n` voters at T[0] and T[1] who all said yes to T[0], picked.
 */
import assert from "node:assert/strict";
import { createEventType, createHost, memoryApp, WORKDAYS } from "./memory-app.ts";
import { createPoll } from "../../src/lib/server/services/polls.ts";
import { pickPollTime } from "../../src/lib/server/services/poll-pick.ts";
import { votePoll } from "../../src/lib/server/services/poll-votes.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";

/** The poll's two times (the app's clock is 2026-11-20 08:00 UTC). */
export const POLL_TIMES = ["2026-11-23T09:00:00Z", "2026-11-24T09:00:00Z"];

/**
 * The meeting (the booking, its guest the first voter by address), the host, and the voters'
 * addresses (v00@example.test…). `more`: the event type's other settings (reminders…).
 */
export async function pollMeeting(n: number, more: Record<string, unknown> = {}) {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "marie", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "rdv",
    durationMin: 30,
    requiresConfirmation: false,
    minNoticeMin: 0,
    ...more,
  } as never);
  const made = await createPoll(app, host, { slug: "rdv", title: "Sync", starts: POLL_TIMES });
  assert.ok(made.ok);
  const token = new URL(made.url).pathname.split("/").pop()!;
  const emails = Array.from({ length: n }, (_, i) => `v${String(i).padStart(2, "0")}@example.test`);
  for (const email of emails) {
    const voted = await votePoll(app, token, {
      name: email,
      email,
      answers: { t0: "yes" },
      client: email,
    });
    assert.ok(voted.ok, JSON.stringify(voted));
  }
  const picked = await pickPollTime(app, host, made.poll.id, POLL_TIMES[0]);
  assert.ok(picked.ok);
  const booking = (await getBooking(app.kv, picked.bookingId))!;
  return { app, host, booking, emails };
}
