import assert from "node:assert/strict";
import { newEventTypeValues } from "../../shared/forms/event-type-editor.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { hostHome } from "./host-home.ts";
import { completeSetup, finishSetup } from "./setup.ts";
import { bookSlot } from "./book-slot.ts";
import { expireHolds } from "../jobs/expire-holds.ts";
import { translator } from "../i18n.ts";
import { getUser, insertUser } from "../store/users.ts";
import { getAvailability } from "../store/availability.ts";
import { listEventTypes } from "../store/event-types.ts";
import { emptyHead, getAccountEntry, insertAccount, putAccountStatus } from "../store/calendars.ts";
import { seal } from "../integrations/crypto.ts";
import { newId } from "../store/users.ts";

const en = translator("en-GB");

const book = (
  app: Awaited<ReturnType<typeof memoryApp>>,
  slug: string,
  start: string,
  who: string,
) =>
  bookSlot(app, {
    username: "ana",
    slug,
    start,
    name: who,
    email: `${who.toLowerCase()}@example.test`,
    note: "",
    timeZone: "UTC",
  });

Deno.test("dashboard home: requests waiting, the next meetings, and a request that expired unanswered", async () => {
  const app = await memoryApp();
  try {
    const host = await createHost(app, { username: "ana" });
    await createEventType(app, host, { slug: "req", title: "Request call" });
    await createEventType(app, host, { slug: "now", title: "Quick", requiresConfirmation: false });
    assert.ok((await book(app, "req", "2026-11-25T09:00:00Z", "Pia")).ok);
    assert.ok((await book(app, "now", "2026-11-24T13:00:00Z", "Cem")).ok);
    let home = await hostHome(app, host, en);
    assert.deepEqual(home.pending.map((b) => [b.guestName, b.date, b.time]), [
      ["Pia", "Wednesday, 25 November 2026", "10:00–10:30"],
    ]);
    assert.deepEqual(home.upcoming.map((b) => b.guestName), ["Cem"]);
    assert.deepEqual(home.problems, []);

    app.clock.ms += 25 * 3_600_000;
    await expireHolds(app, app.now());
    home = await hostHome(app, host, translator("de"));
    assert.deepEqual(home.pending, []);
    assert.deepEqual(
      home.problems.map((p) => p.kind === "expired_unanswered" && [p.guestName, p.date]),
      [["Pia", "Mittwoch, 25. November 2026"]],
    );
  } finally {
    app.close();
  }
});

Deno.test("dashboard home: a calendar that cannot be read shows as a problem, and booking paused when it is too old", async () => {
  const app = await memoryApp();
  try {
    const host = await createHost(app, { username: "ana" });
    const accountId = newId(app.now());
    assert.ok(
      await insertAccount(app.kv, {
        account: {
          v: 1,
          id: accountId,
          hostId: host.id,
          serverUrl: "https://dav.example/",
          username: "ana",
          password: await seal(app.credentialKey, "caldav-credential-v1", "secret"),
          principalUrl: "https://dav.example/ana/",
          homeUrl: "https://dav.example/ana/cal/",
          createdAtMs: app.now(),
        },
        calendars: [{
          v: 1,
          id: "0123456789abcdef0123",
          hostId: host.id,
          accountId,
          url: "https://dav.example/ana/cal/work/",
          displayName: "Work",
          color: null,
          writable: true,
          checkConflicts: true,
          createdAtMs: app.now(),
        }],
        heads: [emptyHead("0123456789abcdef0123", accountId)],
        writeback: null,
      }),
    );
    const account = await getAccountEntry(app.kv, host.id, accountId);
    await putAccountStatus(app.kv, account as Deno.KvEntry<typeof account.value & object>, {
      v: 1,
      lastAttemptMs: app.now(),
      lastSuccessMs: null,
      lastError: { kind: "auth", detail: "401 Unauthorized", atMs: app.now() },
    });
    const home = await hostHome(app, host, en);
    assert.deepEqual(home.problems.map((p) => p.kind), ["calendar_error", "calendar_paused"]);
    const err = home.problems[0];
    assert.ok(
      err.kind === "calendar_error" && /Sign-in failed: 401 Unauthorized/.test(err.message),
    );
  } finally {
    app.close();
  }
});

Deno.test("first-run setup: name, username, zone, working hours and a first event type in one go", async () => {
  const app = await memoryApp();
  try {
    const res = await insertUser(app.kv, {
      email: "new.host@example.test",
      name: "",
      wantedUsername: "new.host",
      timeZone: "UTC",
      onboarding: true,
      emailVerifiedMs: null,
      image: null,
    }, app.now());
    assert.ok(res.ok);
    assert.equal(res.user.onboarding, "pending");
    const de = translator("de");
    const refused = await completeSetup(app, res.user, {
      name: "Nina",
      username: "nina",
      timeZone: "Asia/Tokyo",
      days: [1, 2],
      start: "18:00",
      end: "09:00",
      eventTitle: "Erstgespräch",
      durationMin: "45",
      requiresConfirmation: false,
    }, de);
    assert.deepEqual(refused, {
      ok: false,
      errors: { end: "Das Ende muss nach dem Beginn liegen" },
    });
    assert.equal((await getUser(app.kv, res.user.id))!.username, "new-host", "nothing saved");

    const done = await completeSetup(app, res.user, {
      name: "Nina",
      username: "nina",
      timeZone: "Asia/Tokyo",
      days: [1, 2, 3],
      start: "08:00",
      end: "12:00",
      eventTitle: "Erstgespräch",
      durationMin: "45",
      requiresConfirmation: false,
    }, de);
    assert.ok(done.ok);
    const user = (await getUser(app.kv, res.user.id))!;
    assert.deepEqual([user.name, user.username, user.timeZone, user.onboarding], [
      "Nina",
      "nina",
      "Asia/Tokyo",
      undefined,
    ]);
    const weekly = (await getAvailability(app.kv, user.id, app.now())).weekly;
    assert.deepEqual(weekly[1], [{ start: "08:00", end: "12:00" }]);
    assert.deepEqual(weekly[4], []);
    const [et] = await listEventTypes(app.kv, user.id);
    assert.deepEqual([et.title, et.slug, et.durationMin, et.requiresConfirmation], [
      "Erstgespräch",
      "erstgesprach",
      45,
      false,
    ]);
    assert.equal(newEventTypeValues(user).requiresConfirmation, false, "instant, as chosen");

    // Opened again once finished, with requests and no event type: the choice is kept for later.
    const again = await completeSetup(app, user, {
      name: "Nina",
      username: "nina",
      timeZone: "Asia/Tokyo",
      days: [1, 2, 3],
      start: "08:00",
      end: "12:00",
      eventTitle: "",
      durationMin: "45",
      requiresConfirmation: true,
    }, de);
    assert.ok(again.ok);
    const later = (await getUser(app.kv, user.id))!;
    assert.equal(later.confirmByDefault, true);
    assert.equal(newEventTypeValues(later).requiresConfirmation, true);
    assert.equal((await listEventTypes(app.kv, user.id)).length, 1);
  } finally {
    app.close();
  }
});

Deno.test("first-run setup: skipping ends it; hosts who never had it are not sent to it", async () => {
  const app = await memoryApp();
  try {
    const res = await insertUser(app.kv, {
      email: "skip@example.test",
      name: "Sam",
      wantedUsername: "sam",
      timeZone: "UTC",
      onboarding: true,
      emailVerifiedMs: null,
      image: null,
    }, app.now());
    assert.ok(res.ok);
    const after = await finishSetup(app, res.user);
    assert.equal(after?.onboarding, undefined);
    assert.equal((await getUser(app.kv, res.user.id))!.onboarding, undefined);
    const old = await createHost(app, { username: "old" });
    assert.equal(old.onboarding, undefined);
  } finally {
    app.close();
  }
});
