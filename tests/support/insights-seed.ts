/**
 * A host with a realistic history for the insights page, its benchmark and its screenshots:
 * bookings over a span of days (weekday office hours, busier Tuesday and Wednesday mornings,
 * leads from an hour to a month), their outcomes, page views around them, deliveries and
 * calendar syncs. Booking records and their host+start index are stored as the engine stores
 * them; the counters are written through the same domain functions and store calls as the live
 * counting, so the insights read exactly what production would have written.
 *
 * ```ts
 * const app = await memoryApp();
 * const seeded = await seedInsightsHost(app, { bookings: 10_000, days: 365 });
 * ```
 */
import type { App } from "../../src/lib/server/app.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import { newId } from "../../src/lib/server/store/users.ts";
import type {
  BookingRecord,
  CalendarAccountRecord,
  CalendarAccountStatusRecord,
  CalendarBusyHeadRecord,
  CalendarRecord,
  OutboxRecord,
  UserRecord,
} from "../../src/lib/server/domain/model/records.ts";
import { addCounts, type OwnedDelta, putProblem } from "../../src/lib/server/store/insights.ts";
import {
  bookingDeltas,
  deliveryMetric,
  previousFacts,
  SYNC,
} from "../../src/lib/server/domain/insights.ts";
import { zonedDay } from "../../src/lib/server/domain/zone-days.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";
import { createEventType, createHost, WORKDAYS } from "./memory-app.ts";

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SeededHost = {
  host: UserRecord;
  eventTypeIds: string[];
  bookingIds: string[];
};

export async function seedInsightsHost(
  app: App,
  opts: {
    username?: string;
    email?: string;
    timeZone?: string;
    /** how many bookings, spread over `days` days ending today (the app's clock) */
    bookings: number;
    days: number;
    seed?: number;
    /** also write page views, deliveries, syncs, a parked failure and latest problems */
    extras?: boolean;
    /**
     * A CalDAV account with two conflict calendars, both read a minute ago ("ok"), or one of
     * them unreadable for three hours, which pauses booking ("trouble"). No server behind it.
     */
    calendars?: "ok" | "trouble";
  },
): Promise<SeededHost> {
  const random = prng(opts.seed ?? 42);
  const tz = opts.timeZone ?? "Europe/Berlin";
  const host = await createHost(app, {
    username: opts.username ?? "insights",
    email: opts.email,
    timeZone: tz,
    weekly: WORKDAYS,
  });
  const types = [
    await createEventType(app, host, {
      slug: "intro-call",
      title: "Intro call",
      durationMin: 30,
      requiresConfirmation: true,
    }),
    await createEventType(app, host, {
      slug: "quick-chat",
      title: "Quick chat",
      durationMin: 15,
      requiresConfirmation: false,
    }),
    await createEventType(app, host, {
      slug: "strategy-workshop",
      title: "Strategy workshop",
      durationMin: 90,
      requiresConfirmation: true,
      durations: [60, 90],
    }),
  ];
  const nowMs = app.now();
  const today = Temporal.PlainDate.from(zonedDay(nowMs, tz));
  const firstDay = today.subtract({ days: opts.days - 1 });
  const bookings: BookingRecord[] = [];
  const deltas: OwnedDelta[] = [];
  const add = (list: ReturnType<typeof bookingDeltas>) => {
    for (const d of list) deltas.push({ ...d, ownerId: host.id });
  };
  const hourWeights = [0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 8, 7, 3, 4, 6, 6, 4, 2, 1, 0, 0, 0, 0, 0];
  const dayWeights = [0, 1, 1.5, 1.4, 1, 0.8, 0.1, 0.05]; // index 1 = Monday
  const pick = (weights: number[]) => {
    const total = weights.reduce((s, w) => s + w, 0);
    let r = random() * total;
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) < 0) return i;
    return weights.length - 1;
  };

  for (let i = 0; i < opts.bookings; i++) {
    // A meeting day, weighted by weekday.
    let date: Temporal.PlainDate;
    do {
      date = firstDay.add({ days: Math.floor(random() * opts.days) });
    } while (random() > dayWeights[date.dayOfWeek] / 1.5);
    const hour = pick(hourWeights);
    const minute = [0, 15, 30, 45][Math.floor(random() * 4)];
    const start = date.toZonedDateTime({ timeZone: tz, plainTime: { hour, minute } });
    const et = types[pick([5, 4, 1])];
    const durationMin = et.durations ? et.durations[Math.floor(random() * 2)] : et.durationMin;
    const leadMs = Math.exp(Math.log(3_600_000) + random() * Math.log(24 * 30)) * (0.5 + random());
    const startMs = start.epochMilliseconds;
    const createdAtMs = Math.min(nowMs - 60_000, startMs - leadMs);
    const id = newId(createdAtMs);
    const pending = et.requiresConfirmation;
    const b: BookingRecord = {
      v: 1,
      id,
      hostId: host.id,
      eventTypeId: et.id,
      eventTitle: et.title,
      durationMin,
      startMs,
      endMs: startMs + durationMin * 60_000,
      blockStartMs: startMs,
      blockEndMs: startMs + durationMin * 60_000,
      status: pending ? "PENDING" : "CONFIRMED",
      guestName: `Guest ${i}`,
      guestEmail: `guest${i}@example.test`,
      guestNote: "",
      guestTimeZone: tz,
      hostTimeZone: tz,
      createdAtMs,
      reservedUntilMs: pending ? createdAtMs + 86_400_000 : null,
      decidedAtMs: pending ? null : createdAtMs,
      endReason: null,
      history: [{ status: pending ? "PENDING" : "CONFIRMED", atMs: createdAtMs, by: "guest" }],
      tokenSalt: "seed",
      answers: [],
      rescheduledFromId: null,
      rescheduledToId: null,
    };
    add(bookingDeltas(null, b, zonedDay(createdAtMs, tz)));
    let final = b;
    const r = random();
    const decidedMs = Math.min(nowMs - 1, startMs, createdAtMs + random() * 20 * 3_600_000);
    const change = (
      status: BookingRecord["status"],
      endReason: string | null,
      by: "guest" | "host" | "system",
      atMs: number,
    ) => {
      final = {
        ...final,
        status,
        endReason,
        reservedUntilMs: null,
        decidedAtMs: atMs,
        history: [...final.history, { status, atMs, by }],
      };
      add(bookingDeltas(previousFacts(final), final, zonedDay(atMs, tz)));
    };
    // Requests of the last day may still wait for an answer; older ones were answered or expired.
    const open = createdAtMs + 86_400_000 > nowMs && r < 0.5;
    if (pending && !open) {
      if (r < 0.8) change("CONFIRMED", null, "host", decidedMs);
      else if (r < 0.9) change("REJECTED", "rejected", "host", decidedMs);
      else change("CANCELLED", "expired", "system", Math.min(nowMs - 1, createdAtMs + 86_400_000));
    }
    if (final.status === "CONFIRMED") {
      const c = random();
      const at = Math.min(nowMs - 1, Math.max(decidedMs, startMs - random() * 2 * 86_400_000));
      if (c < 0.07) change("CANCELLED", "cancelled_by_guest", "guest", at);
      else if (c < 0.1) change("CANCELLED", "cancelled_by_host", "host", at);
      else if (c < 0.14) change("CANCELLED", "rescheduled", "guest", at);
    }
    bookings.push(final);
  }

  // Page views around the bookings: a few views per request, some open a day, some pick a time.
  if (opts.extras) {
    const requests = new Map<string, number>();
    for (const d of deltas) {
      if (d.family === "ev" && d.metric === "submitted") {
        const k = `${d.day}|${d.eventTypeId}`;
        requests.set(k, (requests.get(k) ?? 0) + 1);
      }
    }
    for (let d = firstDay; Temporal.PlainDate.compare(d, today) <= 0; d = d.add({ days: 1 })) {
      for (const et of types) {
        const booked = requests.get(`${d}|${et.id}`) ?? 0;
        const weekend = d.dayOfWeek >= 6;
        const views = Math.round(booked * (5 + random() * 4) + random() * (weekend ? 3 : 12));
        const days = Math.round(Math.max(booked * 1.6, views * (0.35 + random() * 0.15)));
        const slots = Math.round(Math.max(booked * 1.2, days * (0.45 + random() * 0.15)));
        for (const [metric, n] of [["view", views], ["times", days], ["slot", slots]] as const) {
          if (n > 0) {
            deltas.push({
              ownerId: host.id,
              family: "ev",
              day: d.toString(),
              eventTypeId: et.id,
              metric,
              n,
            });
          }
        }
      }
      // Deliveries and syncs of that day.
      const hl = (metric: string, n: number, eventTypeId = "") =>
        n > 0 &&
        deltas.push({
          ownerId: host.id,
          family: "hl",
          day: d.toString(),
          eventTypeId,
          metric,
          n,
        });
      const mails = Math.round(opts.bookings / opts.days * 2.2 * (0.7 + random() * 0.6));
      hl(
        deliveryMetric({ channel: "mail", what: "host_request" }, "sent"),
        Math.round(mails * 0.3),
      );
      hl(
        deliveryMetric({ channel: "mail", what: "guest_pending" }, "sent"),
        Math.round(mails * 0.3),
      );
      hl(
        deliveryMetric({ channel: "mail", what: "guest_confirmed" }, "sent"),
        Math.round(mails * 0.3),
      );
      hl(
        deliveryMetric({ channel: "mail", what: "reminder_guest" }, "sent"),
        Math.round(mails * 0.1),
      );
      if (random() < 0.15) {
        hl(deliveryMetric({ channel: "mail", what: "guest_confirmed" }, "retrying"), 1);
      }
      hl(
        deliveryMetric({ channel: "calendar_write", what: "put" }, "sent"),
        Math.round(mails * 0.3),
      );
      if (random() < 0.05) {
        hl(deliveryMetric({ channel: "calendar_write", what: "put" }, "retrying"), 2);
      }
      hl(SYNC.runs, 96);
      if (random() < 0.04) {
        hl(SYNC.failed, 6);
        hl(SYNC.pausedMin, 30 + Math.round(random() * 60));
      }
    }
    const last = bookings[bookings.length - 1];
    // One calendar write out of retries, waiting for the host to press "Retry".
    const failed = bookings.findLast((b) => b.status === "CONFIRMED");
    if (failed) {
      const job: OutboxRecord = {
        v: 1,
        id: newId(nowMs - 7_200_000),
        dueMs: nowMs - 7_200_000,
        payload: { kind: "writeback", op: "put", bookingId: failed.id },
        attempts: 6,
        createdAtMs: nowMs - 30 * 3_600_000,
        lastError: "The calendar server could not be reached: connection timed out.",
        claimedBy: null,
      };
      await app.kv.atomic()
        .set(keys.outboxFailed(job.id), job)
        .set(keys.outboxByBooking(failed.id, job.id), -1)
        .commit();
      deltas.push({
        ownerId: host.id,
        family: "hl",
        day: today.toString(),
        eventTypeId: failed.eventTypeId,
        metric: deliveryMetric({ channel: "calendar_write", what: "put" }, "failed"),
        n: 1,
      });
      await putProblem(app.kv, host.id, {
        v: 1,
        channel: "calendar_write",
        atMs: nowMs - 7_200_000,
        what: "put",
        outcome: "failed",
        detail: job.lastError!,
        bookingId: failed.id,
      });
    }
    await putProblem(app.kv, host.id, {
      v: 1,
      channel: "mail",
      atMs: nowMs - 3 * 3_600_000,
      what: "guest_confirmed",
      outcome: "retrying",
      detail: "421 4.7.0 Try again later, closing connection (mx.example.org)",
      bookingId: last?.id ?? null,
    });
  }

  // Bookings and their host+start index, 50 per write (each is 2 sets).
  for (let i = 0; i < bookings.length; i += 50) {
    const op = app.kv.atomic();
    for (const b of bookings.slice(i, i + 50)) {
      op.set(keys.booking(b.id), b).set(keys.bookingByHostStart(b.hostId, b.startMs, b.id), b.id);
    }
    await op.commit();
  }
  await addCounts(app.kv, deltas, nowMs);
  // This history was counted "live": nothing is left for the backfill of older bookings.
  await app.kv.atomic()
    .set(keys.insightsSince(), 0)
    .set(keys.insightsBackfill(), { v: 1, after: null, done: true, counted: 0 })
    .commit();
  if (opts.calendars) await seedCalendars(app, host, opts.calendars);
  if (opts.calendars === "trouble") {
    // Paused since the stale calendar's last read plus two 15-minute intervals, sampled each sync.
    const day = zonedDay(nowMs, tz);
    const hl = (metric: string, n: number): OwnedDelta => ({
      ownerId: host.id,
      family: "hl",
      day,
      eventTypeId: "",
      metric,
      n,
    });
    await addCounts(app.kv, [hl(SYNC.failed, 12), hl(SYNC.pausedMin, 150)], nowMs);
  }
  return { host, eventTypeIds: types.map((t) => t.id), bookingIds: bookings.map((b) => b.id) };
}

export async function seedCalendars(app: App, host: UserRecord, mode: "ok" | "trouble") {
  const nowMs = app.now();
  const accountId = "seed-account";
  const account: CalendarAccountRecord = {
    v: 1,
    id: accountId,
    hostId: host.id,
    serverUrl: "https://dav.example.org/",
    username: host.username,
    password: { v: 1, kid: "seed", iv: "", ct: "" },
    principalUrl: "https://dav.example.org/principals/me/",
    homeUrl: "https://dav.example.org/calendars/me/",
    createdAtMs: nowMs - 90 * 86_400_000,
  };
  const status: CalendarAccountStatusRecord = {
    v: 1,
    lastAttemptMs: nowMs - 60_000,
    lastSuccessMs: nowMs - 60_000,
    lastError: null,
  };
  const op = app.kv.atomic()
    .set(keys.calendarAccount(host.id, accountId), account)
    .set(keys.calendarAccountStatus(host.id, accountId), status);
  for (const [id, name, stale] of [["work", "Work", false], ["family", "Family", true]] as const) {
    const calendar: CalendarRecord = {
      v: 1,
      id,
      hostId: host.id,
      accountId,
      url: `https://dav.example.org/calendars/me/${id}/`,
      displayName: name,
      color: null,
      writable: true,
      checkConflicts: true,
      createdAtMs: account.createdAtMs,
    };
    const troubled = stale && mode === "trouble";
    const head: CalendarBusyHeadRecord = {
      v: 1,
      calendarId: id,
      accountId,
      gen: "seed",
      fromMs: nowMs - 86_400_000,
      toMs: nowMs + 400 * 86_400_000,
      syncedAtMs: troubled ? nowMs - 3 * 3_600_000 : nowMs - 60_000,
      attemptedAtMs: nowMs - 60_000,
      error: troubled ? { kind: "auth", detail: "401 Unauthorized", atMs: nowMs - 60_000 } : null,
      ctag: null,
      syncToken: null,
      etagDigest: null,
      hostTimeZone: host.timeZone,
      events: 12,
      skipped: [],
    };
    op.set(keys.calendarOfAccount(host.id, accountId, id), calendar)
      .set(keys.calendarBusyHead(host.id, id), head);
  }
  await op.commit();
}
