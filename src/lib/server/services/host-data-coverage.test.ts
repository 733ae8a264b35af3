/**
 * Erasing a guest and closing an account reach every record that names a guest, whatever kind
 * (ADR 022): bookings, routing form responses, poll votes, single-use links. Checked the way an
 * auditor would: a scan of the whole store for the address.
 */
import { writeAfterNextRead } from "../../../../tests/support/kv-interleave.ts";
import assert from "node:assert/strict";
import { inflateRawSync } from "node:zlib";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { bookSlot } from "./book-slot.ts";
import { eraseGuest } from "./host-data.ts";
import { deleteAccount, PURGE_AFTER_MS, purgeClosedAccounts } from "./account-closing.ts";
import { createPoll } from "./polls.ts";
import { votePoll } from "./poll-votes.ts";
import { bookWithSingleUseLink, mintSingleUseLink } from "./single-use-links.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { createForm, saveForm } from "./routing-forms.ts";
import { submitForm } from "./routing-visits.ts";
import { fillToken } from "./anti-spam.ts";
import { settleCounts } from "./insights-count.ts";
import { getRoutingResponseOfBooking } from "../store/routing-forms.ts";
import { getBooking } from "../store/bookings.ts";
import { keys } from "../store/keys.ts";
import { guestTag } from "../domain/seats.ts";
import type {
  OutboxRecord,
  SeatLedgerRecord,
  WebhookMessageRecord,
} from "../domain/model/records.ts";
import { pickPollTime } from "./poll-pick.ts";
import { createSubscription, deliveryJob, deliveryLog, redeliver } from "./webhooks.ts";
import { WEBHOOK_EVENTS } from "../domain/model/developer-records.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { freePort } from "../../../../tests/support/ports.ts";
import { hostBookingPages } from "../store/host-data.ts";
import { getMessage, insertMessage, logAttempt } from "../store/webhooks.ts";
import { newId } from "../store/users.ts";
import { complete } from "../store/outbox.ts";
import { fanOutEvent } from "./webhook-delivery.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { guardStats } from "../../../../tests/support/kv-guard.ts";

const GUEST = "bo@example.test";

/** Bytes as text, and inflated too when they are deflated (kept API answers are). */
function bytesText(v: Uint8Array): string {
  let inflated = "";
  try {
    inflated = new TextDecoder().decode(inflateRawSync(v));
  } catch {
    // not deflated
  }
  return `${new TextDecoder().decode(v)} ${inflated}`;
}

/**
 * Every key and value of the store that holds `needle` (case-insensitive), as text; strings
 * inside deflated values too.
 */
async function mentions(app: TestApp, needle: string): Promise<string[]> {
  const out: string[] = [];
  const text = (x: unknown) =>
    JSON.stringify(
      x,
      (_k, v) =>
        typeof v === "bigint"
          ? String(v)
          : v instanceof Uint8Array
          ? bytesText(v)
          : v instanceof Deno.KvU64
          ? String(v.value)
          : v,
    );
  for await (const e of app.kv.list({ prefix: [] })) {
    const line = `${text(e.key)} ${text(e.value)}`;
    if (line.toLowerCase().includes(needle.toLowerCase())) out.push(line.slice(0, 200));
  }
  return out;
}

async function setup() {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: {
      INVITO_RATE_LIMIT: "off",
      INVITO_MAX_PENDING_PER_GUEST: "9999",
      INVITO_ALLOW_PRIVATE_WEBHOOKS: "true",
    },
  });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  const et = await createEventType(app, host, {
    slug: "chat",
    requiresConfirmation: false,
    minNoticeMin: 0,
  });
  return { app, host, et };
}

/** Bookings, a poll answer, a single-use link meant for the guest and one they used. */
async function guestEverywhere(app: TestApp, host: UserRecord, etId: string) {
  const booked = await bookSlot(app, {
    username: "ann",
    slug: "chat",
    start: "2026-11-23T09:00:00Z",
    name: "Bo",
    email: "Bo@Example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(booked.ok, JSON.stringify(booked));
  const poll = await createPoll(app, host, {
    slug: "chat",
    title: "Sync",
    starts: ["2026-11-24T10:00:00Z", "2026-11-24T13:00:00Z"],
  });
  assert.ok(poll.ok);
  const token = new URL(poll.url).pathname.split("/").pop()!;
  const voted = await votePoll(app, token, { name: "Bo", email: GUEST, answers: { t0: "yes" } });
  assert.equal(voted.ok, true, JSON.stringify(voted));
  const link = await mintSingleUseLink(app, host, etId, {
    expiresOn: "",
    guestEmail: "Bo@Example.test",
    label: "",
  });
  assert.ok(link.ok, JSON.stringify(link));
  // A link for anyone, which the guest used: its mark of use names them.
  const open = await mintSingleUseLink(app, host, etId, {
    expiresOn: "",
    guestEmail: "",
    label: "",
  });
  assert.ok(open.ok);
  const used = await bookWithSingleUseLink(
    app,
    "ann",
    open.url.slice(open.url.lastIndexOf("/") + 1),
    {
      start: "2026-11-23T11:00:00Z",
      name: "Bo",
      email: GUEST,
      note: "",
      timeZone: "UTC",
    },
  );
  assert.ok(used.ok, JSON.stringify(used));
  await deliverOutbox(app, app.now());
  assert.ok((await mentions(app, GUEST)).length > 0);
}

Deno.test("eraseGuest: afterwards no record of the host names the guest (bookings, poll answers, single-use links)", async () => {
  const { app, host, et } = await setup();
  try {
    await guestEverywhere(app, host, et.id);
    assert.ok((await eraseGuest(app, host, "BO@example.test")).ok);
    await deliverOutbox(app, app.now());
    assert.deepEqual(await mentions(app, GUEST), []);
  } finally {
    app.close();
  }
});

Deno.test("eraseGuest: the answers a guest gave a routing form before booking go with the booking, though the form asked no address, also when the booking's link to them was never written (a crash after the booking)", async () => {
  for (const lostLink of [false, true]) await routedGuestErased(lostLink);
});

async function routedGuestErased(lostLink: boolean) {
  const { app, host, et } = await setup();
  // The host's webhook hears of the response (form.submitted), whose body holds the answers.
  const hits: string[] = [];
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    hits.push(await req.text());
    return new Response("ok");
  });
  try {
    assert.ok(
      (await createSubscription(app, host, {
        url: `http://127.0.0.1:${port}/hooks`,
        events: ["form.submitted"],
        description: "",
      })).ok,
    );
    const made = await createForm(app, host.id, { title: "Ask", slug: "ask" });
    assert.ok(made.ok);
    const saved = await saveForm(
      app,
      host.id,
      made.form.id,
      { title: "Ask", slug: "ask", description: "", active: true },
      {
        questions: [{ key: "topic", type: "short", label: "Topic", required: true }],
        routes: [],
        fallback: { kind: "event_type", ownerId: host.id, eventTypeId: et.id },
      },
    );
    assert.ok(saved.ok, JSON.stringify(saved));
    // A visitor answers (no address asked), is routed to the booking page, and books there.
    const TOPIC = "zebra-merger-plans";
    const ft = await fillToken(app);
    app.clock.ms += 10_000;
    const sent = await submitForm(app, {
      owner: "ann",
      slug: "ask",
      posted: (k) => (k === "topic" ? [TOPIC] : []),
      fillToken: ft,
      honeypot: "",
    });
    assert.ok(sent.ok && sent.kind === "redirect", JSON.stringify(sent));
    const routing = new URL(sent.location, "http://invito.test").searchParams.get("routing")!;
    const booked = await bookSlot(app, {
      username: "ann",
      slug: "chat",
      start: "2026-11-23T09:00:00Z",
      name: "Bo",
      email: GUEST,
      note: "",
      timeZone: "UTC",
      routing,
    });
    assert.ok(booked.ok, JSON.stringify(booked));
    await settleCounts();
    await deliverOutbox(app, app.now(), 10_000);
    assert.ok(hits.some((h) => h.includes(TOPIC)), "the webhook carried the answers");
    const linked = await getRoutingResponseOfBooking(app.kv, booked.bookingId);
    assert.equal(linked?.answers.topic, TOPIC, "the response is linked to the booking");
    // The link is written after the booking: a process that died in between left none.
    if (lostLink) await app.kv.delete(keys.routingResponseByBooking(booked.bookingId));

    assert.ok((await eraseGuest(app, host, GUEST)).ok);
    await deliverOutbox(app, app.now());
    assert.equal((await getBooking(app.kv, booked.bookingId))?.guestName, "Erased guest");
    assert.deepEqual(await mentions(app, GUEST), [], `lost link: ${lostLink}`);
    assert.deepEqual(
      await mentions(app, TOPIC),
      [],
      `no record keeps the guest's answers (lost link: ${lostLink})`,
    );
  } finally {
    await server.shutdown();
    app.close();
  }
}

Deno.test("eraseGuest: the guest's answers to a host's older polls go too (not only the newest 100)", async () => {
  const { app, host } = await setup();
  try {
    const first = await createPoll(app, host, {
      slug: "chat",
      title: "Oldest",
      starts: ["2026-11-24T10:00:00Z", "2026-11-24T13:00:00Z"],
    });
    assert.ok(first.ok);
    const token = new URL(first.url).pathname.split("/").pop()!;
    assert.equal(
      (await votePoll(app, token, { name: "Bo", email: GUEST, answers: { t0: "yes" } })).ok,
      true,
    );
    for (let i = 0; i < 100; i++) {
      app.clock.ms += 1_000;
      const p = await createPoll(app, host, {
        slug: "chat",
        title: `Poll ${i}`,
        starts: ["2026-11-24T10:00:00Z", "2026-11-24T13:00:00Z"],
      });
      assert.ok(p.ok);
    }
    assert.ok((await eraseGuest(app, host, GUEST)).ok);
    await deliverOutbox(app, app.now());
    assert.deepEqual(await mentions(app, GUEST), []);
  } finally {
    app.close();
  }
});

Deno.test("deleteAccount, then the purge: no record names a guest of the closed account (bookings, poll answers, single-use links, webhook bodies)", async () => {
  const { app, host, et } = await setup();
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, () => new Response());
  try {
    const sub = await createSubscription(app, host, {
      url: `http://127.0.0.1:${port}/hooks`,
      events: [...WEBHOOK_EVENTS],
      description: "",
    });
    assert.ok(sub.ok);
    await guestEverywhere(app, host, et.id);
    assert.ok((await deleteAccount(app, host, "ann")).ok);
    await deliverOutbox(app, app.now());
    app.clock.ms += PURGE_AFTER_MS + 1;
    assert.equal(await purgeClosedAccounts(app, app.now()), 1);
    await deliverOutbox(app, app.now());
    assert.deepEqual(await mentions(app, GUEST), []);
  } finally {
    await server.shutdown();
    app.close();
  }
});

Deno.test("eraseGuest: a seated guest's tag in their meeting's seat list (a hash of the address) goes too; the seat still counts and another guest still cannot take two", async () => {
  const { app, host } = await setup();
  try {
    const et = await createEventType(app, host, {
      slug: "class",
      requiresConfirmation: false,
      minNoticeMin: 0,
      seats: { perTime: 3, showAttendees: false, hideCount: false },
    });
    const seat = (email: string) =>
      bookSlot(app, {
        username: "ann",
        slug: "class",
        start: "2026-11-23T09:00:00Z",
        name: "Guest",
        email,
        note: "",
        timeZone: "UTC",
      });
    assert.ok((await seat(GUEST)).ok);
    assert.ok((await seat("cy@example.test")).ok);
    const ledgerKey = keys.seatLedger(et.id, Date.parse("2026-11-23T09:00:00Z"));
    assert.ok(JSON.stringify((await app.kv.get(ledgerKey)).value).includes(guestTag(GUEST)));

    assert.ok((await eraseGuest(app, host, GUEST)).ok);
    await deliverOutbox(app, app.now());
    assert.deepEqual(await mentions(app, guestTag(GUEST)), [], "no record keeps the guest's tag");
    const ledger = (await app.kv.get<SeatLedgerRecord>(ledgerKey)).value!;
    assert.equal(ledger.seats.length, 2, "the erased guest's seat still counts");
    // The remaining guest is still known by their tag: a second seat is refused.
    const twice = await seat("cy@example.test");
    assert.equal(twice.ok, false, JSON.stringify(twice));
    assert.ok((await seat("dee@example.test")).ok, "the third seat is free");
  } finally {
    app.close();
  }
});

Deno.test("eraseGuest while a guest takes a seat of the same time between the erasure's read and its write: the new seat stays in the seat list (the erasure's write checks the list it read)", async () => {
  // The erasure reads the seat list; before it writes, another guest takes a seat. A write made
  // from the list as read would drop that seat, and the time could then be sold past its size.
  const raw = await Deno.openKv(":memory:");
  const store = writeAfterNextRead(raw, (k) => k[0] === "seat_ledger", "getMany");
  const app = await memoryApp({
    kv: store.kv,
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off", INVITO_MAX_PENDING_PER_GUEST: "9999" },
  });
  try {
    const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    const et = await createEventType(app, host, {
      slug: "class",
      requiresConfirmation: false,
      minNoticeMin: 0,
      seats: { perTime: 3, showAttendees: false, hideCount: false },
    });
    const start = "2026-11-23T09:00:00Z";
    const seat = (email: string) =>
      bookSlot(app, {
        username: "ann",
        slug: "class",
        start,
        name: "Guest",
        email,
        note: "",
        timeZone: "UTC",
      });
    assert.ok((await seat(GUEST)).ok);
    let late: Awaited<ReturnType<typeof seat>> | null = null;
    store.arm(async () => {
      late = await seat("late@example.test");
    });
    assert.ok((await eraseGuest(app, host, GUEST)).ok);
    assert.ok(late && (late as { ok: boolean }).ok, "the late guest got a seat");
    const ledger = (await raw.get<SeatLedgerRecord>(keys.seatLedger(et.id, Date.parse(start))))
      .value!;
    assert.equal(ledger.seats.length, 2, JSON.stringify(ledger.seats));
    assert.deepEqual(await mentions(app, guestTag(GUEST)), []);
  } finally {
    app.close();
    raw.close();
  }
});

Deno.test("eraseGuest: afterwards nothing names the guest — not the booking of another guest who invited them, not a poll's meeting they were invited to, not a webhook body, not an API answer kept for a retry — and no erased body can be sent again", async () => {
  const BO = GUEST;
  const ZED = "zed@example.org";
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: {
      INVITO_RATE_LIMIT: "off",
      INVITO_MAX_PENDING_PER_GUEST: "9999",
      INVITO_ALLOW_PRIVATE_WEBHOOKS: "true",
    },
  });
  const hits: string[] = [];
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    hits.push(await req.text());
    return new Response("ok");
  });
  try {
    const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(app, host, {
      slug: "chat",
      requiresConfirmation: false,
      minNoticeMin: 0,
    });
    const sub = await createSubscription(app, host, {
      url: `http://127.0.0.1:${port}/hooks`,
      events: [...WEBHOOK_EVENTS],
      description: "",
    });
    assert.ok(sub.ok);
    // Cy books and invites Bo along.
    const cy = await bookSlot(app, {
      username: "ann",
      slug: "chat",
      start: "2026-11-23T09:00:00Z",
      name: "Cy",
      email: "cy@example.test",
      note: "",
      timeZone: "UTC",
      guests: BO,
    });
    assert.ok(cy.ok, JSON.stringify(cy));
    // Al and Bo answer a meeting poll; the host picks a time (Bo is one of its attendees).
    const poll = await createPoll(app, host, {
      slug: "chat",
      title: "Sync",
      starts: ["2026-11-24T10:00:00Z", "2026-11-24T13:00:00Z"],
    });
    assert.ok(poll.ok);
    const token = new URL(poll.url).pathname.split("/").pop()!;
    // Bo told how they read (their mails' language, zone, clock): the meeting keeps it by address.
    const reader = { locale: "es", timeZone: "America/Mexico_City", clock: "12h" as const };
    for (const [name, email] of [["Al", "al@example.test"], ["Bo", BO]]) {
      const voted = await votePoll(app, token, { name, email, answers: { t0: "yes" }, reader });
      assert.equal(voted.ok, true, JSON.stringify(voted));
    }
    const picked = await pickPollTime(app, host, poll.poll.id, "2026-11-24T10:00:00Z");
    assert.ok(picked.ok, JSON.stringify(picked));
    assert.deepEqual(
      Object.keys((await getBooking(app.kv, picked.bookingId))!.additionalGuestReaders ?? {}),
      [BO],
    );
    // Zed books through the public API, with an Idempotency-Key.
    const { call } = apiClient(app);
    const zedBooks = () =>
      call("POST", "/bookings", {
        body: {
          username: "ann",
          eventType: "chat",
          start: "2026-11-25T09:00:00Z",
          timeZone: "UTC",
          name: "Zed",
          email: ZED,
        },
        idem: "zed-books-1",
      });
    const zed = await zedBooks();
    assert.equal(zed.status, 201, JSON.stringify(zed.body));
    await deliverOutbox(app, app.now(), 10_000);
    for (const who of [BO, ZED]) {
      assert.ok((await mentions(app, who)).length > 0, who);
      assert.ok(hits.some((h) => h.includes(who)), `a webhook named ${who}`);
    }

    assert.ok((await eraseGuest(app, host, "Bo@Example.test")).ok);
    assert.ok((await eraseGuest(app, host, ZED)).ok);
    await deliverOutbox(app, app.now(), 10_000);
    assert.deepEqual(await mentions(app, BO), []);
    assert.deepEqual(await mentions(app, ZED), []);
    // Cy's booking and the poll's meeting stay, with their other people.
    const bookings = (await Array.fromAsync(hostBookingPages(app.kv, host.id))).flat();
    const ofCy = bookings.find((b) => b.id === cy.bookingId)!;
    assert.equal(ofCy.guestEmail, "cy@example.test");
    assert.deepEqual(ofCy.additionalGuests ?? [], []);
    const meeting = bookings.find((b) => b.id === picked.bookingId)!;
    assert.equal(meeting.guestEmail, "al@example.test");
    assert.deepEqual(meeting.additionalGuests ?? [], []);
    assert.match(meeting.guestNote, /Al <al@example\.test>/);

    // "Send again" on every delivery in the log: nothing that named them goes out again.
    const sent = hits.length;
    const log = await deliveryLog(app, host, sub.subscription.id, 200);
    assert.ok(log && log.length >= 6, JSON.stringify(log?.length));
    for (const a of log) await redeliver(app, host, sub.subscription.id, a.messageId);
    await deliverOutbox(app, app.now(), 10_000);
    const again = hits.slice(sent);
    assert.ok(again.length > 0, "deliveries that named nobody erased can still be sent again");
    for (const who of [BO, ZED]) {
      assert.deepEqual(again.filter((h) => h.includes(who)), [], `nothing names ${who}`);
    }
    // Zed's client retrying the same request books nothing twice (the key stays used).
    const retry = await zedBooks();
    assert.equal(retry.status, 409, JSON.stringify(retry.body));
    assert.doesNotMatch(retry.text, /zed/i);
    const after = (await Array.fromAsync(hostBookingPages(app.kv, host.id))).flat();
    assert.equal(after.length, bookings.length, "no second booking");
  } finally {
    await server.shutdown();
    app.close();
  }
});

Deno.test("eraseGuest: thousands of logged webhook bodies naming the guest all go, in writes remote KV takes; the others stay and can be sent again", async () => {
  const { app, host } = await setup();
  try {
    const sub = await createSubscription(app, host, {
      url: "http://127.0.0.1:9/hooks",
      events: ["booking.confirmed"],
      description: "",
    });
    assert.ok(sub.ok);
    const subId = sub.subscription.id;
    const ids: string[] = [];
    for (let i = 0; i < 2_500; i++) {
      const id = `msg_${newId(app.now() + i)}`;
      ids.push(id);
      const who = i % 5 ? GUEST : "cy@example.test";
      await insertMessage(app.kv, {
        v: 1,
        id,
        hostId: host.id,
        event: "booking.confirmed",
        body: JSON.stringify({ type: "booking.confirmed", data: { booking: { guestEmail: who } } }),
        createdAtMs: app.now(),
      }, []);
      await logAttempt(app.kv, host.id, subId, {
        v: 1,
        id: newId(app.now() + i),
        messageId: id,
        event: "booking.confirmed",
        attempt: 1,
        atMs: app.now(),
        durationMs: 1,
        status: 200,
        ok: true,
        error: null,
        // A receiver that echoes what it got.
        responseExcerpt: i % 5 ? `got ${GUEST}` : "ok",
        nextRetryAtMs: null,
      });
    }
    // The store refuses a write larger than remote KV takes (tests/support/kv-guard.ts).
    assert.ok((await eraseGuest(app, host, GUEST)).ok);
    assert.deepEqual(await mentions(app, GUEST), []);
    assert.equal(await redeliver(app, host, subId, ids[1]), false, "an erased body is gone");
    assert.equal(await redeliver(app, host, subId, ids[0]), true, "another guest's is not");
  } finally {
    app.close();
  }
});

/**
 * What the deliver job does first with a booking's event: its bodies and one delivery job per
 * subscription. The deliveries wait for the job's next run: no attempt is made, none is logged.
 */
async function fanOutOnly(app: TestApp) {
  const events: OutboxRecord[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: keys.outboxPrefix() })) {
    if (e.value.payload.kind === "webhook_event") events.push(e.value);
  }
  for (const job of events) {
    assert.deepEqual(await fanOutEvent(app, job), { ok: true });
    await complete(app.kv, job);
  }
}

async function queuedDeliveries(app: TestApp): Promise<string[]> {
  const out: string[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: keys.outboxPrefix() })) {
    if (e.value.payload.kind === "webhook_delivery") out.push(e.value.payload.messageId);
  }
  return out;
}

Deno.test("eraseGuest: a webhook body whose first delivery is still queued, and a team booking's copies sent to another member's webhook, name the guest nowhere afterwards; no receiver gets them, not by the queued delivery, not by Send again", async () => {
  const NAME = "Bo Quaxley";
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: {
      INVITO_RATE_LIMIT: "off",
      INVITO_MAX_PENDING_PER_GUEST: "9999",
      INVITO_ALLOW_PRIVATE_WEBHOOKS: "true",
    },
  });
  const hits: { path: string; body: string }[] = [];
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    hits.push({ path: new URL(req.url).pathname, body: await req.text() });
    return new Response("ok");
  });
  const naming = (from: number) =>
    hits.slice(from).filter((h) => h.body.includes(GUEST) || h.body.includes("Quaxley"));
  try {
    const { team, users: [ann, ben] } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    await seedTeamEventType(app, team, { slug: "panel", teamMode: "collective" });
    await createEventType(app, ann, { slug: "chat", requiresConfirmation: false, minNoticeMin: 0 });
    const subs: Record<string, string> = {};
    for (const u of [ann, ben]) {
      const sub = await createSubscription(app, u, {
        url: `http://127.0.0.1:${port}/${u.username}`,
        events: [...WEBHOOK_EVENTS],
        description: "",
      });
      assert.ok(sub.ok);
      subs[u.id] = sub.subscription.id;
    }
    // Bo books the team's panel: its message goes to Ann's webhook and a copy to Ben's.
    const panel = await bookTeamSlot(app, {
      team: "crew",
      slug: "panel",
      start: "2026-11-23T09:00:00Z",
      name: NAME,
      email: GUEST,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(panel.ok, JSON.stringify(panel));
    await deliverOutbox(app, app.now(), 10_000);
    assert.ok(naming(0).some((h) => h.path === "/ben"), "Ben's webhook heard of Bo");
    // Bo books Ann alone; the event is fanned out, its delivery waits in the queue.
    const chat = await bookSlot(app, {
      username: "ann",
      slug: "chat",
      start: "2026-11-24T09:00:00Z",
      name: NAME,
      email: GUEST,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(chat.ok, JSON.stringify(chat));
    const sent = hits.length;
    await fanOutOnly(app);
    assert.ok((await queuedDeliveries(app)).length > 0, "a delivery waits");
    assert.equal(hits.length, sent, "nothing was attempted yet");

    assert.ok((await eraseGuest(app, ann, GUEST)).ok);
    assert.deepEqual(await mentions(app, GUEST), []);
    assert.deepEqual(await mentions(app, "Quaxley"), []);

    // The queued delivery runs, and Ann and Ben press "Send again" on everything in their logs.
    await deliverOutbox(app, app.now(), 10_000);
    for (const u of [ann, ben]) {
      const log = (await deliveryLog(app, u, subs[u.id], 200)) ?? [];
      assert.ok(log.length > 0, `${u.username}'s log lists the panel's delivery`);
      for (const a of log) {
        assert.equal(await redeliver(app, u, subs[u.id], a.messageId), false, "its body is gone");
      }
    }
    await deliverOutbox(app, app.now(), 10_000);
    assert.deepEqual(naming(sent), [], "no receiver heard of Bo after the erasure");
    assert.deepEqual(await mentions(app, GUEST), []);
  } finally {
    await server.shutdown();
    app.close();
  }
});

Deno.test("eraseGuest: hundreds of queued bodies naming the guest, and hundreds of a team booking's copies to another member, all go, in writes remote KV takes; a member's message about another booking stays", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: {
      INVITO_RATE_LIMIT: "off",
      INVITO_MAX_PENDING_PER_GUEST: "9999",
      INVITO_ALLOW_PRIVATE_WEBHOOKS: "true",
    },
  });
  try {
    const { team, users: [ann, ben] } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    await seedTeamEventType(app, team, { slug: "panel", teamMode: "collective" });
    const subs: Record<string, string> = {};
    for (const u of [ann, ben]) {
      const sub = await createSubscription(app, u, {
        url: "http://127.0.0.1:9/hooks",
        events: [...WEBHOOK_EVENTS],
        description: "",
      });
      assert.ok(sub.ok);
      subs[u.id] = sub.subscription.id;
    }
    const panel = await bookTeamSlot(app, {
      team: "crew",
      slug: "panel",
      start: "2026-11-23T09:00:00Z",
      name: "Bo",
      email: GUEST,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(panel.ok, JSON.stringify(panel));
    await fanOutOnly(app);
    const [first] = await queuedDeliveries(app);
    const model = (await getMessage(app.kv, first))!;
    assert.ok(model.body.includes(GUEST));
    // More of the same (as many events of one booking would make), each with its delivery queued.
    for (let i = 0; i < 600; i++) {
      const u = i % 2 ? ann : ben;
      const id = `msg_${newId(app.now() + i)}${u === ann ? "" : `_${u.id}`}`;
      await insertMessage(
        app.kv,
        { ...model, id, hostId: u.id },
        [deliveryJob(u.id, subs[u.id], id, app.now())],
      );
    }
    // Ben's message about a booking of his own with Bo, which Ann's erasure is not about.
    const own = `msg_${newId(app.now() + 1_000)}`;
    await insertMessage(
      app.kv,
      { ...model, id: own, hostId: ben.id, bookingId: newId(app.now()) },
      [deliveryJob(ben.id, subs[ben.id], own, app.now())],
    );
    // The store refuses a write larger than remote KV takes (tests/support/kv-guard.ts).
    assert.ok((await eraseGuest(app, ann, GUEST)).ok);
    const left = await mentions(app, GUEST);
    assert.equal(left.length, 1, left.join("\n"));
    assert.ok(left[0].includes(own), left[0]);
    assert.ok((guardStats(app.kv)?.maxMutations ?? 0) <= 1_000);
  } finally {
    app.close();
  }
});

/** Ann and Ben in a team, each with a webhook that hears everything (nothing is delivered). */
async function teamWithWebhooks(
  opts: { kv?: Deno.Kv; bothOwners?: boolean; url?: (username: string) => string } = {},
) {
  const app = await memoryApp({
    kv: opts.kv,
    nowIso: "2026-11-20T08:00:00Z",
    env: {
      INVITO_RATE_LIMIT: "off",
      INVITO_MAX_PENDING_PER_GUEST: "9999",
      INVITO_ALLOW_PRIVATE_WEBHOOKS: "true",
    },
  });
  const { team, users: [ann, ben] } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben", role: opts.bothOwners ? "owner" : "member" }],
  });
  await seedTeamEventType(app, team, { slug: "panel", teamMode: "collective" });
  for (const u of [ann, ben]) {
    const sub = await createSubscription(app, u, {
      url: opts.url?.(u.username) ?? "http://127.0.0.1:9/hooks",
      events: [...WEBHOOK_EVENTS],
      description: "",
    });
    assert.ok(sub.ok);
  }
  const bookPanel = async (start: string) => {
    const panel = await bookTeamSlot(app, {
      team: "crew",
      slug: "panel",
      start,
      name: "Bo Quaxley",
      email: GUEST,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(panel.ok, JSON.stringify(panel));
    return panel;
  };
  return { app, team, ann, ben, bookPanel };
}

async function queuedEvents(app: TestApp): Promise<OutboxRecord[]> {
  const out: OutboxRecord[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: keys.outboxPrefix() })) {
    if (e.value.payload.kind === "webhook_event") out.push(e.value);
  }
  return out;
}

Deno.test("eraseGuest between a fan-out's read of a team booking and its write of the members' messages: no copy names the guest afterwards", async () => {
  // The fan-out reads the booking (naming Bo); the whole erasure runs (the booking is rewritten,
  // the index of messages read: none yet); then the fan-out writes what it built from its read.
  const raw = await Deno.openKv(":memory:");
  let between: (() => Promise<void>) | null = null;
  const hook = async (keys: Deno.KvKey[]) => {
    const run = between;
    if (run && keys.some((k) => k[0] === "booking")) {
      between = null;
      await run();
    }
  };
  const kv = new Proxy(raw, {
    get(t, p) {
      if (p === "get") {
        return async (key: Deno.KvKey) => {
          const read = await t.get(key);
          await hook([key]);
          return read;
        };
      }
      if (p === "getMany") {
        return async (keys: Deno.KvKey[]) => {
          const read = await t.getMany(keys);
          await hook(keys);
          return read;
        };
      }
      const v = Reflect.get(t, p, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  const { app, ann, bookPanel } = await teamWithWebhooks({ kv });
  try {
    await bookPanel("2026-11-23T09:00:00Z");
    const events = await queuedEvents(app);
    assert.ok(events.length > 0);
    for (const job of events) {
      between = async () => {
        assert.ok((await eraseGuest(app, ann, GUEST)).ok);
      };
      assert.equal((await fanOutEvent(app, job)).ok, true);
      assert.equal(between, null, "the erasure ran inside the fan-out");
      await complete(app.kv, job);
    }
    assert.ok((await queuedDeliveries(app)).length > 0, "the members' messages were written");
    assert.deepEqual(await mentions(app, GUEST), []);
    assert.deepEqual(await mentions(app, "Quaxley"), []);
  } finally {
    app.close();
    raw.close();
  }
});

Deno.test("eraseGuest racing many fan-outs of a team booking's events, fired at once, round after round: afterwards nothing names the guest", async () => {
  const { app, ann, bookPanel } = await teamWithWebhooks();
  // Each fan-out starts a few reads later than the one before, so that together they meet the
  // erasure at every step of it.
  const later = async (n: number) => {
    for (let i = 0; i < n; i++) await app.kv.get(["nothing"]);
  };
  try {
    for (let round = 0; round < 25; round++) {
      await bookPanel(
        new Date(Date.parse("2026-11-23T09:00:00Z") + round * 3_600_000).toISOString(),
      );
      const events = await queuedEvents(app);
      await Promise.all([
        eraseGuest(app, ann, GUEST).then((r) => assert.ok(r.ok)),
        ...events.flatMap((job) =>
          Array.from({ length: 12 }, (_, i) => later(i).then(() => fanOutEvent(app, job)))
        ),
      ]);
      for (const job of events) await complete(app.kv, job);
      assert.deepEqual(await mentions(app, GUEST), [], `round ${round}`);
    }
  } finally {
    app.close();
  }
});

/** A form of `ownerId`'s (a host's or a team's) that asks for an address, answered by Bo. */
async function formAnsweredByBo(app: TestApp, ownerId: string, owner: string) {
  const made = await createForm(app, ownerId, { title: "Ask", slug: "ask" });
  assert.ok(made.ok);
  const saved = await saveForm(
    app,
    ownerId,
    made.form.id,
    { title: "Ask", slug: "ask", description: "", active: true },
    {
      questions: [{ key: "email", type: "email", label: "Email", required: true }],
      routes: [],
      fallback: { kind: "message", text: "Thanks" },
    },
  );
  assert.ok(saved.ok, JSON.stringify(saved));
  const ft = await fillToken(app);
  app.clock.ms += 10_000;
  const sent = await submitForm(app, {
    owner,
    slug: "ask",
    posted: (k) => (k === "email" ? [GUEST] : []),
    fillToken: ft,
    honeypot: "",
  });
  assert.ok(sent.ok, JSON.stringify(sent));
}

async function queuedHostEvents(app: TestApp): Promise<OutboxRecord[]> {
  const out: OutboxRecord[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: keys.outboxPrefix() })) {
    if (e.value.payload.kind === "host_event") out.push(e.value);
  }
  return out;
}

Deno.test("eraseGuest: a poll answer and form submissions (the host's form, a team's) whose webhook event still waits in the outbox with its body are never sent, and nothing names the guest", async () => {
  const hits: string[] = [];
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    hits.push(await req.text());
    return new Response("ok");
  });
  const { app, team, ann } = await teamWithWebhooks({
    bothOwners: true,
    url: (u) => `http://127.0.0.1:${port}/${u}`,
  });
  try {
    await createEventType(app, ann, { slug: "chat", requiresConfirmation: false, minNoticeMin: 0 });
    const poll = await createPoll(app, ann, {
      slug: "chat",
      title: "Sync",
      starts: ["2026-11-24T10:00:00Z", "2026-11-24T13:00:00Z"],
    });
    assert.ok(poll.ok);
    await deliverOutbox(app, app.now(), 10_000); // poll.created goes out; it names nobody
    const token = new URL(poll.url).pathname.split("/").pop()!;
    const voted = await votePoll(app, token, { name: "Bo", email: GUEST, answers: { t0: "yes" } });
    assert.equal(voted.ok, true, JSON.stringify(voted));
    await formAnsweredByBo(app, ann.id, "ann");
    await formAnsweredByBo(app, team.id, "crew");
    await settleCounts();
    const queued = await queuedHostEvents(app);
    assert.equal(queued.length, 3, "three events wait, each with its body");
    assert.ok(queued.every((j) => JSON.stringify(j).includes(GUEST)));

    assert.ok((await eraseGuest(app, ann, GUEST)).ok);
    assert.deepEqual(await mentions(app, GUEST), []);
    await deliverOutbox(app, app.now(), 10_000);
    assert.deepEqual(hits.filter((h) => h.includes(GUEST)), [], "no receiver heard of Bo");
    assert.deepEqual(await mentions(app, GUEST), []);
  } finally {
    await server.shutdown();
    app.close();
  }
});

Deno.test("eraseGuest while a poll answer's event is being fanned out (its body read from the job, its message not yet written): no message names the guest afterwards", async () => {
  // The outbox claimed the job and its performer holds the body; the whole erasure runs before
  // the performer writes the message.
  const raw = await Deno.openKv(":memory:");
  let between: (() => Promise<void>) | null = null;
  const kv = new Proxy(raw, {
    get(t, p) {
      if (p === "list") {
        return (sel: Deno.KvListSelector, opts?: Deno.KvListOptions) => {
          const run = between;
          if (run && "prefix" in sel && sel.prefix[0] === "webhook_sub") {
            between = null;
            return (async function* () {
              await run();
              yield* t.list(sel, opts);
            })();
          }
          return t.list(sel, opts);
        };
      }
      const v = Reflect.get(t, p, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  const { app, ann } = await teamWithWebhooks({ kv });
  try {
    await createEventType(app, ann, { slug: "chat", requiresConfirmation: false, minNoticeMin: 0 });
    const poll = await createPoll(app, ann, {
      slug: "chat",
      title: "Sync",
      starts: ["2026-11-24T10:00:00Z", "2026-11-24T13:00:00Z"],
    });
    assert.ok(poll.ok);
    await deliverOutbox(app, app.now(), 10_000);
    const token = new URL(poll.url).pathname.split("/").pop()!;
    const voted = await votePoll(app, token, { name: "Bo", email: GUEST, answers: { t0: "yes" } });
    assert.equal(voted.ok, true, JSON.stringify(voted));
    between = async () => {
      assert.ok((await eraseGuest(app, ann, GUEST)).ok);
    };
    await deliverOutbox(app, app.now(), 10_000);
    assert.equal(between, null, "the erasure ran inside the fan-out");
    assert.deepEqual(await mentions(app, GUEST), []);
  } finally {
    app.close();
    raw.close();
  }
});

Deno.test("deleteAccount, then the purge: the copies of the closed host's team bookings that another member's webhook heard name their guests no more, as the bookings do not", async () => {
  const { app, ann, ben, bookPanel } = await teamWithWebhooks({ bothOwners: true });
  try {
    const panel = await bookPanel("2026-11-23T09:00:00Z");
    // Bo also books Ben alone: that booking, and what Ben's webhook heard of it, are Ben's.
    await createEventType(app, ben, { slug: "chat", requiresConfirmation: false, minNoticeMin: 0 });
    const own = await bookSlot(app, {
      username: "ben",
      slug: "chat",
      start: "2026-11-24T09:00:00Z",
      name: "Bo Quaxley",
      email: GUEST,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(own.ok, JSON.stringify(own));
    await fanOutOnly(app);
    assert.equal((await getBooking(app.kv, panel.bookingId))?.hostId, ann.id, "Ann organises it");
    assert.ok((await deleteAccount(app, ann, "ann")).ok);
    await fanOutOnly(app);
    app.clock.ms += PURGE_AFTER_MS + 1;
    assert.equal(await purgeClosedAccounts(app, app.now()), 1);
    const b = (await getBooking(app.kv, panel.bookingId))!;
    assert.equal(b.guestName, "Erased guest", "the booking Ben attended lost its guest");
    // The copies name the guest, not the closed host (a booking's body has no organiser).
    assert.ok((await mentions(app, ann.email)).every((m) => m.startsWith('["audit"')));
    const naming: (string | undefined)[] = [];
    for await (const e of app.kv.list<WebhookMessageRecord>({ prefix: ["webhook_message"] })) {
      if (e.value.body.includes(GUEST)) naming.push(e.value.bookingId);
    }
    assert.ok(naming.length > 0, "Ben's messages about his own booking stay");
    assert.deepEqual(naming.filter((id) => id !== own.bookingId), [], "no other message names Bo");
    assert.equal((await getBooking(app.kv, own.bookingId))?.guestEmail, GUEST);
  } finally {
    app.close();
  }
});
