import type { LayoutServerLoad } from "./$types";
import { membersOf } from "$lib/server/services/teams.ts";
import { teamViewOr404 } from "$lib/server/http/team-view.ts";

/** Every page of a team: members see it, anyone else gets "not found" (no hint it exists). */
export const load: LayoutServerLoad = async (event) => {
  const { team, role } = await teamViewOr404(event);
  const { locals } = event;
  return {
    team: { id: team.id, name: team.name, slug: team.slug, timeZone: team.timeZone },
    role,
    members: (await membersOf(locals.app, team)).map((m) => ({
      userId: m.userId,
      name: m.name,
      email: m.email,
      role: m.role,
      weight: m.weight,
      priority: m.priority,
      timeZone: m.timeZone,
    })),
  };
};
