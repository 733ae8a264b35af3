/**
 * A team's collective seated class for the built server's tests: an owner who does not attend,
 * two members who do (one of them its organiser), and guests holding seats of five at one time.
 * Written into a data folder through the app's own services; the caller starts the server on it.
 * `apiKeys`: each person's API key too (scopes read and write; the owner's read-only one beside).
 */
import assert from "node:assert/strict";
import { seedStore } from "./memory-app.ts";
import { seedTeam, seedTeamEventType } from "./teams.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { settleCounts } from "../../src/lib/server/ops/counts-in-flight.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import type { UserRecord } from "../../src/lib/server/domain/model/records.ts";

export async function seededTeamClass(
  prefix: string,
  opts: { start: string; guests: { name: string; email: string }[]; apiKeys?: true },
) {
  const { dataDir, kv, app } = await seedStore(prefix);
  const { team, users } = await seedTeam(app, {
    members: [{ username: "olga", role: "owner" }, { username: "ann" }, { username: "ben" }],
  });
  const [owner, ann, ben] = users;
  await seedTeamEventType(app, team, {
    slug: "class",
    title: "Class",
    teamMode: "collective",
    durationMin: 60,
    hostIds: [ann.id, ben.id],
    seats: { perTime: 5, showAttendees: false, hideCount: false },
  });
  const ids: string[] = [];
  for (const g of opts.guests) {
    const r = await bookTeamSlot(app, {
      team: "crew",
      slug: "class",
      start: opts.start,
      name: g.name,
      email: g.email,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok, JSON.stringify(r));
    ids.push(r.bookingId);
  }
  const organiserId = (await getBooking(app.kv, ids[0]))!.hostId;
  const organiser = [ann, ben].find((u) => u.id === organiserId)!;
  const other = [ann, ben].find((u) => u.id !== organiserId)!;
  const keyOf = async (u: UserRecord, scopes: ("read" | "write")[]) => {
    const made = await createApiKey(app, u, { name: "test", scopes, expiresAtMs: null });
    assert.ok(made.ok);
    return made.secret;
  };
  const keys = opts.apiKeys
    ? {
      owner: await keyOf(owner, ["read", "write"]),
      ownerRead: await keyOf(owner, ["read"]),
      organiser: await keyOf(organiser, ["read", "write"]),
      other: await keyOf(other, ["read", "write"]),
    }
    : null;
  await settleCounts();
  kv.close();
  return { dataDir, team, owner, organiser, other, ids, keys };
}
