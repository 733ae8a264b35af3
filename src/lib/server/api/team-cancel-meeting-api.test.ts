/**
 * A team's owner cancels a collective seated meeting someone else organises through the JSON API
 * (POST /teams/{teamId}/bookings/{id}/cancel-meeting): the team page's own cancel
 * (services/team-dashboard.ts `cancelTeamMeeting`), who is refused, and presses at once. And
 * asks one seat's guest for a new time (POST /teams/{teamId}/bookings/{id}/request-reschedule,
 * the team page's own `decideTeamBooking` "request"), pressed at once with the organiser.
 */
import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { createApiKey } from "../services/api-keys.ts";
import { bookTeamSlot } from "../services/team-bookings.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getBooking } from "../store/bookings.ts";
import { getSeatLedger } from "../store/seats.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import type { UserRecord } from "../domain/model/records.ts";

const AT = "2026-11-23T10:00:00Z";
const GUESTS = ["Anne", "Bea", "Cy"];

/**
 * Olga owns the crew and does not attend; Ann organises its class, Ben attends. Three seats of
 * five taken. Vera owns another team.
 */
async function ownersClass() {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const { team, users } = await seedTeam(app, {
    members: [{ username: "olga", role: "owner" }, { username: "ann" }, { username: "ben" }],
  });
  const [olga, ann, ben] = users;
  const other = await seedTeam(app, {
    slug: "others",
    name: "Others",
    members: [{ username: "vera", role: "owner" }],
  });
  const et = await seedTeamEventType(app, team, {
    slug: "class",
    title: "Class",
    teamMode: "collective",
    durationMin: 60,
    hostIds: [ann.id, ben.id],
    organiserId: ann.id,
    seats: { perTime: 5, showAttendees: false, hideCount: false },
  });
  const ids: string[] = [];
  for (const name of GUESTS) {
    const r = await bookTeamSlot(app, {
      team: "crew",
      slug: "class",
      start: AT,
      name,
      email: `${name.toLowerCase()}@example.test`,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok, JSON.stringify(r));
    ids.push(r.bookingId);
  }
  assert.equal((await getBooking(app.kv, ids[0]))!.hostId, ann.id, "Ann organises");
  await deliverOutbox(app, app.now());
  app.mailer.sent.length = 0;
  const keyOf = async (u: UserRecord, scopes: ("read" | "write")[] = ["read", "write"]) => {
    const made = await createApiKey(app, u, { name: "t", scopes, expiresAtMs: null });
    assert.ok(made.ok);
    return made.secret;
  };
  return { app, team, otherTeam: other.team, vera: other.users[0], olga, ann, ben, et, ids, keyOf };
}

Deno.test("API team seats: an owner's write key cancels the class Ann organises — every seat cancelled with the reason, a repeat replays, a second press is 409 cancelled; Ben (a member), another team's owner and a read-only key are refused and nothing changes; documented in OpenAPI", async () => {
  const { app, team, otherTeam, vera, olga, ann, ben, ids, keyOf } = await ownersClass();
  try {
    const { call } = apiClient(app);
    const path = (teamId: string, id: string) => `/teams/${teamId}/bookings/${id}/cancel-meeting`;
    const member = await call("POST", path(team.id, ids[0]), {
      key: await keyOf(ben),
      idem: "b-1",
      body: { reason: "no" },
    });
    assert.equal(member.status, 404, JSON.stringify(member.body));
    assert.equal(member.body.reason, "not_found");
    assert.match(member.body.detail, /owners/);
    const veraKey = await keyOf(vera);
    for (const teamId of [team.id, otherTeam.id]) {
      const stranger = await call("POST", path(teamId, ids[0]), {
        key: veraKey,
        idem: `v-${teamId}`,
        body: {},
      });
      assert.equal(stranger.status, 404, JSON.stringify(stranger.body));
      assert.equal(stranger.body.reason, "not_found");
    }
    const readOnly = await call("POST", path(team.id, ids[0]), {
      key: await keyOf(olga, ["read"]),
      idem: "r-1",
      body: {},
    });
    assert.equal(readOnly.status, 403, JSON.stringify(readOnly.body));
    assert.equal(readOnly.body.reason, "forbidden_scope");
    for (const id of ids) assert.equal((await getBooking(app.kv, id))!.status, "CONFIRMED");

    const key = await keyOf(olga);
    const res = await call("POST", path(team.id, ids[1]), {
      key,
      idem: "o-1",
      body: { reason: "Studio flooded" },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.cancelled, 3);
    assert.equal(res.body.start, AT);
    for (const id of ids) {
      const b = (await getBooking(app.kv, id))!;
      assert.equal(b.status, "CANCELLED");
      assert.equal(b.cancelReason, "Studio flooded");
    }
    const replay = await call("POST", path(team.id, ids[1]), {
      key,
      idem: "o-1",
      body: { reason: "Studio flooded" },
    });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.equal(replay.headers.get("idempotent-replayed"), "true");
    assert.equal(replay.body.cancelled, 3);
    const again = await call("POST", path(team.id, ids[1]), { key, idem: "o-2", body: {} });
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.reason, "cancelled");

    await deliverOutbox(app, app.now());
    for (const m of [ann, ben]) {
      const told = app.mailer.sent.filter((x) => x.to === m.email);
      assert.equal(told.length, 1, m.username);
      assert.match(told[0].text, /olga cancelled “Class” of The Crew/);
    }

    const spec = await call("GET", "/openapi.json", {});
    const op = spec.body.paths["/teams/{teamId}/bookings/{id}/cancel-meeting"]?.post;
    assert.ok(op, "documented");
    assert.ok(op.responses["404"] && op.responses["409"] && op.responses["403"]);
  } finally {
    await settleCounts();
    app.close();
  }
});

Deno.test("API team seats: the owner's key and the organiser's key cancel the meeting many times at once — every seat cancelled once, each guest and each member mailed once", async () => {
  for (let run = 0; run < 3; run++) {
    const { app, team, olga, ann, ben, et, ids, keyOf } = await ownersClass();
    try {
      const { call } = apiClient(app);
      const [ownerKey, annKey] = [await keyOf(olga), await keyOf(ann)];
      const presses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 2
            // Two presses each for the same seat under one key (a client's retry).
            ? call("POST", `/teams/${team.id}/bookings/${ids[(i >> 1) % 3]}/cancel-meeting`, {
              key: ownerKey,
              idem: `o-${(i >> 1) % 3}`,
              body: { reason: "Owner" },
            })
            : call("POST", `/bookings/${ids[i % 3]}/cancel-meeting`, {
              key: annKey,
              idem: `a-${i}`,
              body: { reason: "Organiser" },
            })),
      );
      for (const p of presses) {
        assert.ok(
          p.status === 200 ? p.body.cancelled === 3 : p.status === 409 &&
            ["cancelled", "idempotency_in_progress"].includes(p.body.reason),
          JSON.stringify(presses.map((x) => [x.status, x.body])),
        );
      }
      assert.ok(presses.some((p) => p.status === 200));
      for (const id of ids) assert.equal((await getBooking(app.kv, id))!.status, "CANCELLED");
      assert.equal(await getSeatLedger(app.kv, et.id, Date.parse(AT)), null);
      await deliverOutbox(app, app.now());
      for (const name of GUESTS) {
        const to = `${name.toLowerCase()}@example.test`;
        assert.equal(app.mailer.sent.filter((m) => m.to === to).length, 1, to);
      }
      for (const m of [ann, ben]) {
        assert.equal(app.mailer.sent.filter((x) => x.to === m.email).length, 1, m.username);
      }
      assert.equal(
        app.mailer.sent.filter((x) => x.to === olga.email).length,
        0,
        "olga attends not",
      );
    } finally {
      await settleCounts();
      app.close();
    }
  }
});

Deno.test("API team seats: the owner's key (each press twice under one key) and the organiser's key ask Bea's seat for a new time at once — it leaves the meeting once, one answer made the change, Bea is mailed once", async () => {
  for (let run = 0; run < 3; run++) {
    const { app, team, olga, ann, et, ids, keyOf } = await ownersClass();
    try {
      const { call } = apiClient(app);
      const [ownerKey, annKey] = [await keyOf(olga), await keyOf(ann)];
      const presses = await Promise.all(
        Array.from(
          { length: 8 },
          (_, i) =>
            i % 2
              ? call("POST", `/teams/${team.id}/bookings/${ids[1]}/request-reschedule`, {
                key: ownerKey,
                idem: `o-${i >> 2}`,
                body: { reason: "Owner" },
              })
              : call("POST", `/bookings/${ids[1]}/request-reschedule`, {
                key: annKey,
                idem: `a-${i}`,
                body: { reason: "Organiser" },
              }),
        ),
      );
      const all = JSON.stringify(presses.map((x) => [x.status, x.body?.reason ?? x.body?.state]));
      for (const p of presses) {
        assert.ok(
          p.status === 200
            ? p.body.id === ids[1] && p.body.endReason === "reschedule_requested"
            : p.status === 409,
          all,
        );
      }
      const made = presses.filter((p) =>
        p.status === 200 && p.headers.get("idempotent-replayed") !== "true"
      );
      assert.equal(made.length, 1, all);
      assert.equal((await getBooking(app.kv, ids[1]))!.endReason, "reschedule_requested");
      const ledger = await getSeatLedger(app.kv, et.id, Date.parse(AT));
      assert.deepEqual(ledger!.seats.map(([id]) => id).sort(), [ids[0], ids[2]].sort());
      await deliverOutbox(app, app.now());
      assert.equal(app.mailer.sent.filter((m) => m.to === "bea@example.test").length, 1);
      for (const name of ["Anne", "Cy"]) {
        const to = `${name.toLowerCase()}@example.test`;
        assert.equal(app.mailer.sent.filter((m) => m.to === to).length, 0, to);
      }
    } finally {
      await settleCounts();
      app.close();
    }
  }
});

Deno.test("API teams: an owner's key finds her team (GET /teams) and every seat of its class (GET /teams/{teamId}/bookings) though she attends none, and cancels the class from there; Ben's key lists only what he attends; another team's owner is answered 404", async () => {
  const { app, team, otherTeam, vera, olga, ann, ben, ids, keyOf } = await ownersClass();
  try {
    await seedTeamEventType(app, team, {
      slug: "intro",
      title: "Intro",
      teamMode: "round_robin",
      durationMin: 30,
      hostIds: [ann.id],
    });
    const intro = await bookTeamSlot(app, {
      team: "crew",
      slug: "intro",
      start: "2026-11-24T09:00:00Z",
      name: "Ida",
      email: "ida@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(intro.ok, JSON.stringify(intro));
    const { call } = apiClient(app);
    const key = await keyOf(olga);
    const teams = await call("GET", "/teams", { key });
    assert.equal(teams.status, 200, JSON.stringify(teams.body));
    assert.deepEqual(teams.body.data, [
      { id: team.id, slug: "crew", name: "The Crew", role: "owner" },
    ]);
    const all = await call("GET", `/teams/${team.id}/bookings`, { key });
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.deepEqual(all.body.data.map((b: { id: string }) => b.id), [...ids, intro.bookingId]);
    const seat = all.body.data[0];
    assert.equal(seat.seat.taken, 3);
    // Page by page, as a client follows the cursor.
    const first = await call("GET", `/teams/${team.id}/bookings?limit=2`, { key });
    assert.equal(first.body.data.length, 2);
    const rest = await call(
      "GET",
      `/teams/${team.id}/bookings?limit=2&cursor=${first.body.nextCursor}`,
      { key },
    );
    assert.deepEqual(
      [...first.body.data, ...rest.body.data].map((b: { id: string }) => b.id),
      [...ids, intro.bookingId],
    );
    const upcomingIntro = await call(
      "GET",
      `/teams/${team.id}/bookings?from=2026-11-24T00:00:00Z`,
      { key },
    );
    assert.deepEqual(upcomingIntro.body.data.map((b: { id: string }) => b.id), [intro.bookingId]);

    const bens = await call("GET", `/teams/${team.id}/bookings`, { key: await keyOf(ben) });
    assert.equal(bens.status, 200);
    assert.deepEqual(bens.body.data.map((b: { id: string }) => b.id), ids);
    const veraKey = await keyOf(vera);
    const stranger = await call("GET", `/teams/${team.id}/bookings`, { key: veraKey });
    assert.equal(stranger.status, 404, JSON.stringify(stranger.body));
    const own = await call("GET", `/teams/${otherTeam.id}/bookings`, { key: veraKey });
    assert.deepEqual(own.body.data, []);

    const res = await call("POST", `/teams/${team.id}/bookings/${seat.id}/cancel-meeting`, {
      key,
      idem: "from-list",
      body: {},
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.cancelled, 3);
    const after = await call("GET", `/teams/${team.id}/bookings?status=cancelled`, { key });
    assert.deepEqual(after.body.data.map((b: { id: string }) => b.id), ids);
  } finally {
    await settleCounts();
    app.close();
  }
});
