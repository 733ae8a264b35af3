import assert from "node:assert/strict";
import ICAL from "ical.js";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { bookSlot } from "./book-slot.ts";
import { decideBooking } from "./decide-booking.ts";
import { eraseGuest, exportHostIcs, exportHostJson } from "./host-data.ts";
import { ACCOUNT_CLOSED_REASON } from "../../shared/system-reasons.ts";
import { deleteAccount, PURGE_AFTER_MS, purgeClosedAccounts } from "./account-closing.ts";
import { getBooking } from "../store/bookings.ts";
import { keys } from "../store/keys.ts";
import { getUser, getUserByEmail, getUserByUsername } from "../store/users.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import type { BookingRecord, RoutingResponseRecord } from "../domain/model/records.ts";
import { createForm, saveForm } from "./routing-forms.ts";
import { submitForm } from "./routing-visits.ts";
import { fillToken } from "./anti-spam.ts";
import { settleCounts } from "./insights-count.ts";
import { createTeam } from "./teams.ts";
import { setHostPhoto } from "./photo.ts";
import { PHOTO_MAX_BYTES } from "../domain/photo.ts";
import { newId } from "../store/users.ts";
import { translator } from "../i18n.ts";

const collect = async (it: AsyncIterable<string>) => {
  let s = "";
  for await (const c of it) s += c;
  return s;
};

async function setup(count: number) {
  const app = await memoryApp({
    nowIso: "2026-11-23T06:00:00Z",
    env: { INVITO_MAX_PENDING_PER_GUEST: "9999" },
  });
  const host = await createHost(app);
  await createEventType(app, host, { slug: "call", requiresConfirmation: true });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    // Monday 23 November on: 16 half hours a day from 09:00 Berlin (08:00 UTC).
    const day = Math.floor(i / 16), slot = i % 16;
    const start = new Date(
      Date.parse("2026-11-23T08:00:00Z") + day * 86_400_000 + slot * 30 * 60_000,
    ).toISOString();
    const r = await bookSlot(app, {
      username: host.username,
      slug: "call",
      start,
      name: i % 2 ? `Other ${i}` : "Eve <script>alert(1)</script>",
      email: i % 2 ? `other${i}@example.test` : "Eve@Example.test",
      note: `private note ${i}`,
      timeZone: "Europe/Berlin",
    });
    assert.ok(r.ok, JSON.stringify(r));
    ids.push(r.bookingId);
  }
  return { app, host, ids };
}

Deno.test("eraseGuest: 8 erasures and 8 host decisions at once on the same bookings: every decision stays, every booking of the guest ends erased", async () => {
  const { app, host, ids } = await setup(8);
  try {
    const eve = ids.filter((_, i) => i % 2 === 0);
    const results = await Promise.all([
      ...ids.map((id, i) => decideBooking(app, id, i % 3 ? "confirm" : "reject", "host")),
      ...Array.from({ length: 8 }, () => eraseGuest(app, host, "eve@example.TEST")),
    ]);
    assert.ok(results.slice(0, 8).every((r) => (r as { ok: boolean }).ok), "decisions all applied");
    for (const [i, id] of ids.entries()) {
      const b = (await getBooking(app.kv, id))!;
      assert.equal(b.status, i % 3 ? "CONFIRMED" : "REJECTED", `${id} kept its decision`);
      if (eve.includes(id)) {
        assert.equal(b.guestName, "Erased guest");
        assert.equal(b.guestEmail, "");
        assert.equal(b.guestNote, "");
        assert.deepEqual(b.answers, []);
        assert.ok(b.guestErasedAtMs);
      } else {
        assert.match(b.guestName, /^Other/);
        assert.match(b.guestNote, /private note/);
      }
    }
    const json = await collect(exportHostJson(app, host));
    assert.equal(json.includes("Eve"), false, "the export no longer holds her");
    assert.equal(json.includes("eve@"), false);
  } finally {
    app.close();
  }
});

Deno.test("eraseGuest: 8 erasures of a guest others invited along and 8 host decisions at once on those bookings: every decision stays, no booking names the invitee, the bookings' own guests and other invitees stay", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-23T06:00:00Z",
    env: { INVITO_MAX_PENDING_PER_GUEST: "9999" },
  });
  try {
    const host = await createHost(app);
    await createEventType(app, host, { slug: "call", requiresConfirmation: true });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await bookSlot(app, {
        username: host.username,
        slug: "call",
        start: new Date(Date.parse("2026-11-23T08:00:00Z") + i * 30 * 60_000).toISOString(),
        name: `Other ${i}`,
        email: `other${i}@example.test`,
        note: `Bringing Eve@Example.test and jimeve@example.test`,
        timeZone: "Europe/Berlin",
        guests: "Eve@Example.test, sam@example.test",
      });
      assert.ok(r.ok, JSON.stringify(r));
      ids.push(r.bookingId);
    }
    const results = await Promise.all([
      ...ids.map((id, i) => decideBooking(app, id, i % 3 ? "confirm" : "reject", "host")),
      ...Array.from({ length: 8 }, () => eraseGuest(app, host, "eve@example.TEST")),
    ]);
    assert.ok(results.slice(0, 8).every((r) => (r as { ok: boolean }).ok), "decisions all applied");
    for (const [i, id] of ids.entries()) {
      const b = (await getBooking(app.kv, id))!;
      assert.equal(b.status, i % 3 ? "CONFIRMED" : "REJECTED", `${id} kept its decision`);
      assert.equal(b.guestName, `Other ${i}`);
      assert.equal(b.guestEmail, `other${i}@example.test`);
      assert.deepEqual(b.additionalGuests, ["sam@example.test"]);
      assert.equal(b.guestNote, "Bringing Erased guest and jimeve@example.test");
      assert.equal(b.guestErasedAtMs, undefined, "their own guest was not erased");
    }
    const json = await collect(exportHostJson(app, host));
    assert.equal(/(?<!jim)eve@/i.test(json), false, "the export no longer names her");
  } finally {
    app.close();
  }
});

Deno.test("eraseGuest: the engine's pending-request entries keyed by the guest's address go too; the guest can book again", async () => {
  const { app, host } = await setup(2);
  try {
    const keysOfEve = async () => {
      const out: string[] = [];
      for (
        const prefix of [keys.guestHoldHostPrefix(host.id), keys.guestHoldFenceHostPrefix(host.id)]
      ) {
        for await (const e of app.kv.list({ prefix })) {
          if (e.key.includes("eve@example.test")) out.push(String(e.key[0]));
        }
      }
      return out.sort();
    };
    assert.deepEqual(await keysOfEve(), ["guest_hold", "guest_hold_fence"], "her request holds");
    assert.deepEqual(await eraseGuest(app, host, "eve@example.test"), { ok: true, bookings: 1 });
    assert.deepEqual(await keysOfEve(), [], "no key holds her address");
    const again = await bookSlot(app, {
      username: host.username,
      slug: "call",
      start: "2026-11-25T08:00:00Z",
      name: "Eve",
      email: "eve@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(again.ok, JSON.stringify(again));
  } finally {
    app.close();
  }
});

Deno.test("eraseGuest refuses what is not an address; an unknown address erases nothing", async () => {
  const { app, host } = await setup(2);
  try {
    assert.deepEqual(await eraseGuest(app, host, "not an address"), {
      ok: false,
      reason: "invalid_email",
    });
    assert.deepEqual(await eraseGuest(app, host, "nobody@example.test"), { ok: true, bookings: 0 });
  } finally {
    app.close();
  }
});

Deno.test("export: JSON holds profile, event types, availability and every booking with answers but no token salt; ICS holds the live bookings", async () => {
  const { app, host, ids } = await setup(48);
  try {
    const json = await collect(exportHostJson(app, host));
    const data = JSON.parse(json);
    assert.equal(data.format, "invito-host-export");
    assert.equal(data.version, 1);
    assert.equal(data.profile.username, host.username);
    assert.equal(data.eventTypes.length, 1);
    assert.ok(data.availability.weekly);
    assert.deepEqual(data.calendars, []);
    assert.equal(data.bookings.length, 48);
    assert.deepEqual(data.bookings.map((b: BookingRecord) => b.id), ids);
    assert.equal(json.includes("tokenSalt"), false, "no link secret in the export");
    assert.equal(data.bookings[0].guestName, "Eve <script>alert(1)</script>");

    await decideBooking(app, ids[0], "reject", "host");
    const ics = await collect(exportHostIcs(app, host));
    const cal = new ICAL.Component(ICAL.parse(ics));
    const events = cal.getAllSubcomponents("vevent");
    assert.equal(events.length, 47, "the rejected one is left out");
    assert.equal(events[0].getFirstPropertyValue("status"), "TENTATIVE");
  } finally {
    app.close();
  }
});

Deno.test("eraseGuest: a decision committed between the erasure's read and its write is kept (the write is checked, then redone)", async () => {
  const { app, host, ids } = await setup(1);
  try {
    let injected = false;
    const racing = new Proxy(app.kv, {
      get(t, p) {
        if (p === "getMany") {
          return async (keys: Deno.KvKey[], o?: { consistency?: Deno.KvConsistencyLevel }) => {
            const res = await t.getMany(keys, o);
            if (!injected && keys.length === 2 && keys[1][0] === "booking_writeback") {
              injected = true;
              assert.ok((await decideBooking(app, ids[0], "confirm", "host")).ok);
            }
            return res;
          };
        }
        const v = Reflect.get(t, p, t);
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
    const r = await eraseGuest({ ...app, kv: racing }, host, "eve@example.test");
    assert.deepEqual(r, { ok: true, bookings: 1 });
    assert.ok(injected);
    const b = (await getBooking(app.kv, ids[0]))!;
    assert.equal(b.status, "CONFIRMED", "the host's confirmation is not lost");
    assert.equal(b.guestName, "Erased guest");
  } finally {
    app.close();
  }
});

Deno.test("deleteAccount: needs the username; then the page and sign-in are gone, meetings ahead are cancelled through the engine and their guests mailed, past ones stay until the purge erases them", async () => {
  const { app, host, ids } = await setup(4);
  try {
    // The first meeting is over by now; the others are ahead.
    app.clock.ms = Date.parse("2026-11-23T08:45:00Z");
    await decideBooking(app, ids[0], "confirm", "host");
    await decideBooking(app, ids[1], "confirm", "host");
    assert.deepEqual(await deleteAccount(app, host, "someone-else"), {
      ok: false,
      reason: "confirm_mismatch",
    });
    assert.equal((await getBooking(app.kv, ids[1]))!.status, "CONFIRMED", "nothing changed");

    const r = await deleteAccount(app, host, ` ${host.username.toUpperCase()} `);
    assert.deepEqual(r, { ok: true, cancelled: 3 });
    assert.equal(await getUserByUsername(app.kv, host.username), null, "no booking page");
    assert.equal(await getUserByEmail(app.kv, host.email), null, "the address is free again");
    const late = await bookSlot(app, {
      username: host.username,
      slug: "call",
      start: "2026-11-24T09:00:00Z",
      name: "Late",
      email: "late@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.deepEqual(late, { ok: false, reason: "not_found" });
    assert.equal((await getBooking(app.kv, ids[0]))!.status, "CONFIRMED", "the past stays");
    for (const id of ids.slice(1)) {
      const b = (await getBooking(app.kv, id))!;
      assert.equal(b.status, "CANCELLED");
      assert.equal(b.endReason, "cancelled_by_host");
      assert.equal(b.cancelReason, ACCOUNT_CLOSED_REASON);
    }
    await deliverOutbox(app, app.now());
    const cancelMails = app.mailer.sent.filter((m) => /cancel/i.test(m.subject));
    const told = cancelMails.map((m) => m.to).filter((to) => to !== host.email);
    assert.equal(told.length, 3, `each guest of a cancelled meeting is told: ${told}`);
    // The confirmed meeting is in the host's own calendar too: it goes with a CANCEL (ADR 013).
    const toHost = cancelMails.filter((m) => m.to === host.email);
    assert.equal(toHost.length, 1);
    assert.equal(toHost[0].icalEvent?.method, "CANCEL");

    assert.equal(await purgeClosedAccounts(app, app.now() + 3_600_000), 0, "not yet");
    // The booking engine's keys of the host: busy time, caps and guests' holds (keyed by address).
    const eventTypeId = (await getBooking(app.kv, ids[0]))!.eventTypeId;
    const engineKeys = async () => {
      const out: string[] = [];
      for (
        const prefix of [
          keys.busyPrefix(host.id),
          keys.busyFencePrefix(host.id),
          keys.capEntryPrefix(eventTypeId),
          keys.capFencePrefix(eventTypeId),
          keys.guestHoldHostPrefix(host.id),
          keys.guestHoldFenceHostPrefix(host.id),
        ]
      ) {
        for await (const e of app.kv.list({ prefix })) out.push(String(e.key[0]));
      }
      return [...new Set(out)].sort();
    };
    // Its event type has no cap: its periods are counted (cap_entry) but not fenced.
    assert.deepEqual(await engineKeys(), [
      "busy",
      "busy_fence",
      "cap_entry",
      "guest_hold_fence",
    ]);
    assert.equal(await purgeClosedAccounts(app, app.now() + PURGE_AFTER_MS + 1), 1);
    assert.deepEqual(await engineKeys(), [], "no key of the engine names the host or a guest");
    assert.equal(await getUser(app.kv, host.id), null);
    for (const id of ids) {
      const b = (await getBooking(app.kv, id))!;
      assert.equal(b.guestEmail, "");
      assert.equal(b.guestNote, "");
    }
    assert.equal(await purgeClosedAccounts(app, app.now() + PURGE_AFTER_MS + 1), 0, "once");
  } finally {
    app.close();
  }
});

Deno.test("export: the file holds every response to the host's routing forms, streamed page by page (a team's forms stay the team's)", async () => {
  const { app, host } = await setup(1);
  try {
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
        fallback: { kind: "message", text: "Thanks!" },
      },
    );
    assert.ok(saved.ok, JSON.stringify(saved));
    // Many visitors answered before (more than one page of the store's reads)…
    const older = 1_200;
    const base = Date.parse("2026-11-01T00:00:00Z");
    for (let i = 0; i < older; i++) {
      const rec: RoutingResponseRecord = {
        v: 1,
        id: newId(base + i * 60_000),
        formId: made.form.id,
        ownerId: host.id,
        answers: { topic: `older ${i}` },
        routeId: "fallback",
        destination: { kind: "message", text: "Thanks!" },
        createdAtMs: base + i * 60_000,
      };
      await app.kv.set(keys.routingResponse(made.form.id, rec.id), rec);
    }
    // …and one more answers the form on its page now.
    const ft = await fillToken(app);
    app.clock.ms += 10_000;
    const sent = await submitForm(app, {
      owner: host.username,
      slug: "ask",
      posted: (k) => (k === "topic" ? ["pricing for 40 seats"] : []),
      fillToken: ft,
      honeypot: "",
    });
    assert.ok(sent.ok, JSON.stringify(sent));
    await settleCounts();
    // A form of a team the host owns, with a response: the team's, not in the host's file.
    const team = await createTeam(app, host, { name: "Crew", slug: "crew", timeZone: "UTC" });
    assert.ok(team.ok, JSON.stringify(team));
    const teamForm = await createForm(app, team.team.id, { title: "Team ask", slug: "team-ask" });
    assert.ok(teamForm.ok);
    const teamResponse: RoutingResponseRecord = {
      v: 1,
      id: newId(app.now()),
      formId: teamForm.form.id,
      ownerId: team.team.id,
      answers: { topic: "a team visitor" },
      routeId: "fallback",
      destination: { kind: "message", text: "Thanks!" },
      createdAtMs: app.now(),
    };
    await app.kv.set(keys.routingResponse(teamForm.form.id, teamResponse.id), teamResponse);
    const pieces: string[] = [];
    for await (const piece of exportHostJson(app, host)) pieces.push(piece);
    const json = pieces.join("");
    const data = JSON.parse(json);
    type Exported = { formSlug: string; answers: Record<string, string>; erased: boolean };
    const responses: Exported[] = data.routingResponses;
    assert.equal(responses.length, older + 1, "every response, the oldest too");
    assert.deepEqual(responses[0].answers, { topic: "pricing for 40 seats" }, "newest first");
    assert.equal(responses[0].formSlug, "ask", "named by its form's address in the file");
    assert.equal(responses[0].erased, false);
    assert.equal(responses.at(-1)!.answers.topic, "older 0");
    assert.equal(json.includes("a team visitor"), false);
    assert.equal(data.bookings.length, 1, "the bookings are still there");
    // Streamed: no piece of the file holds all the responses.
    const longest = Math.max(...pieces.map((p) => p.length));
    assert.ok(longest < JSON.stringify(responses).length / 2, `a piece of ${longest} characters`);
  } finally {
    app.close();
  }
});

Deno.test("export: the host's photo is in the file, as a data: URL of its type and bytes (none: null)", async () => {
  const { app, host } = await setup(0);
  try {
    assert.equal(JSON.parse(await collect(exportHostJson(app, host))).profile.photo, null);
    // A photo at the largest size allowed.
    const photo = new Uint8Array(PHOTO_MAX_BYTES).map((_, i) => i % 251);
    photo.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok((await setHostPhoto(app, host, photo, translator("en"))).ok);
    const data = JSON.parse(await collect(exportHostJson(app, (await getUser(app.kv, host.id))!)));
    assert.match(data.profile.photo, /^data:image\/png;base64,/);
    const b64 = data.profile.photo.slice("data:image/png;base64,".length);
    assert.deepEqual(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), photo);
  } finally {
    app.close();
  }
});
