/**
 * Teams for store/service tests: users, a team with them as members, and team event types,
 * written straight into the store (the dashboard flows have their own tests).
 */
import type { App } from "../../src/lib/server/app.ts";
import type {
  EventTypeRecord,
  TeamMembership,
  TeamRecord,
  UserRecord,
} from "../../src/lib/server/domain/model/records.ts";
import { insertTeam } from "../../src/lib/server/store/teams.ts";
import { newId } from "../../src/lib/server/store/users.ts";
import type { WeeklyRules } from "../../src/lib/server/domain/availability.ts";
import { createEventType, createHost, guestOf } from "./memory-app.ts";

const allDay = () => [{ start: "00:00", end: "24:00" }];
/** The team tests' clock: Monday 23 November 2026, 00:00 UTC, and hours after it. */
export const HOUR = 3_600_000;
export const T0 = Date.parse("2026-11-23T00:00:00Z");
export const at = (ms: number) => new Date(ms).toISOString();

/** Guest `i` of a team test, as a booking form fills them in (in UTC). */
export const guest = (i: number | string) => guestOf(i);

export const EVERY_DAY_ALL_DAY: WeeklyRules = {
  1: allDay(),
  2: allDay(),
  3: allDay(),
  4: allDay(),
  5: allDay(),
  6: allDay(),
  7: allDay(),
};

export type MemberSpec = {
  username: string;
  timeZone?: string;
  weekly?: WeeklyRules;
  role?: TeamMembership["role"];
  weight?: number;
  priority?: number;
};

export async function seedTeam(
  app: App,
  opts: { slug?: string; name?: string; timeZone?: string; members: MemberSpec[] },
): Promise<{ team: TeamRecord; users: UserRecord[] }> {
  const users: UserRecord[] = [];
  for (const m of opts.members) {
    users.push(
      await createHost(app, {
        username: m.username,
        timeZone: m.timeZone ?? "UTC",
        weekly: m.weekly ?? EVERY_DAY_ALL_DAY,
      }),
    );
  }
  const nowMs = app.now();
  const team: TeamRecord = {
    v: 1,
    id: newId(nowMs),
    slug: opts.slug ?? "crew",
    name: opts.name ?? "The Crew",
    timeZone: opts.timeZone ?? "UTC",
    members: opts.members.map((m, i) => ({
      userId: users[i].id,
      role: m.role ?? (i === 0 ? "owner" : "member"),
      weight: m.weight ?? 1,
      priority: m.priority ?? 2,
      joinedAtMs: nowMs,
    })),
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  const res = await insertTeam(app.kv, team);
  if (!res.ok) throw new Error("team slug taken");
  return { team, users };
}

export async function seedTeamEventType(
  app: App,
  team: TeamRecord,
  opts: Partial<EventTypeRecord> & {
    slug: string;
    teamMode: "round_robin" | "collective";
    hostIds?: string[];
  },
): Promise<EventTypeRecord> {
  return await createEventType(app, { id: team.id } as UserRecord, {
    requiresConfirmation: false,
    hostIds: team.members.map((m) => m.userId),
    organiserId: null,
    ...opts,
    teamId: team.id,
  });
}
