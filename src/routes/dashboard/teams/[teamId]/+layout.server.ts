import { error } from "@sveltejs/kit";
import type { LayoutServerLoad } from "./$types";
import { membersOf, teamForMember } from "$lib/server/services/teams.ts";

/** Every page of a team: members see it, anyone else gets "not found" (no hint it exists). */
export const load: LayoutServerLoad = async ({ locals, params }) => {
  const view = await teamForMember(locals.app, locals.user!, params.teamId);
  if (!view) error(404, locals.t.t("errors.not_found_heading"));
  const { team, role } = view;
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
