/**
 * The API's team bookings say who hosts each (an integrator's gap: `GET /teams/{teamId}/bookings`
 * answered every team booking without naming its round robin's member or a collective
 * meeting's organiser and members, so a program could not route or show them). Each booking of a
 * team carries `team`: its id, the member who hosts it and everyone attending for the team, by
 * id, name and username (no addresses); a booking of one host's own has `team: null`.
 */
import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { createApiKey } from "../services/api-keys.ts";
import { bookTeamSlot } from "../services/team-bookings.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-11-23T00:00:00Z");
const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

Deno.test("API: a team's bookings name the member who hosts each (round robin) and the organiser and members of a collective one", async () => {
  const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" } });
  const { team, users } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }],
  });
  const [ann, ben] = users;
  await seedTeamEventType(app, team, { slug: "rr", teamMode: "round_robin" });
  await seedTeamEventType(app, team, { slug: "panel", teamMode: "collective" });
  const book = async (slug: string, ms: number, email: string) => {
    const r = await bookTeamSlot(app, {
      team: team.slug,
      slug,
      start: at(ms),
      name: "Gail",
      email,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok, JSON.stringify(r));
    return r.bookingId;
  };
  const rr = await book("rr", T0 + 10 * HOUR, "g1@example.test");
  const panel = await book("panel", T0 + 14 * HOUR, "g2@example.test");

  const made = await createApiKey(app, ann, { name: "k", scopes: ["read"], expiresAtMs: null });
  assert.ok(made.ok);
  const key = made.secret;
  const { call } = apiClient(app);
  const res = await call("GET", `/teams/${team.id}/bookings`, { key });
  assert.equal(res.status, 200, res.text);
  // deno-lint-ignore no-explicit-any
  const list = (res.body as any).data as any[];
  const byId = new Map(list.map((b) => [b.id, b]));
  const person = (u: typeof ann) => ({ id: u.id, name: u.name, username: u.username });
  const hostOfRr = byId.get(rr).team.host.id === ann.id ? ann : ben;
  assert.deepEqual(byId.get(rr).team, {
    id: team.id,
    host: person(hostOfRr),
    people: [person(hostOfRr)],
  });
  const p = byId.get(panel).team;
  assert.equal(p.id, team.id);
  assert.deepEqual(
    p.people.map((x: { id: string }) => x.id).sort(),
    [ann.id, ben.id].sort(),
    "every member attends the collective meeting",
  );
  assert.ok([ann.id, ben.id].includes(p.host.id), "its organiser is one of them");
  assert.doesNotMatch(JSON.stringify(p), /@/, "no member's address");
});
