import { error } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";

/**
 * Removing a member, or leaving, asked without scripts (with them the team page asks in a
 * dialog): says what happens; its button posts the team page's `?/remove`, which answers there.
 * Showing it changes nothing.
 */
export const load: PageServerLoad = async ({ locals, params, parent }) => {
  const { role, members } = await parent();
  const member = members.find((m) => m.userId === params.memberId);
  if (!member) error(404, locals.t.t("errors.not_found_heading"));
  const self = member.userId === locals.user!.id;
  if (!self && role !== "owner") error(403, locals.t.t("team.owners_only"));
  const owners = members.filter((m) => m.role === "owner").length;
  return {
    member: { userId: member.userId, name: member.name },
    self,
    // The last owner cannot go (the team page says so too); the button is off.
    lastOwner: member.role === "owner" && owners <= 1,
  };
};
