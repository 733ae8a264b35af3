/**
 * The team a dashboard page under /dashboard/teams/{teamId} is about, as its signed-in member
 * sees it, or "not found" for anyone else (no hint it exists). The layout finds the team and each
 * page that needs its record reads it again: a delete can land between the two reads (a second tab,
 * another owner), so every read answers a missing team the same way.
 */
import { error, type RequestEvent } from "@sveltejs/kit";
import { teamForMember, type TeamView } from "../services/teams.ts";

export async function teamViewOr404(
  event: Pick<RequestEvent<{ teamId?: string }>, "locals" | "params">,
): Promise<TeamView> {
  const { locals, params } = event;
  const view = await teamForMember(locals.app, locals.user!, params.teamId ?? "");
  if (!view) error(404, locals.t.t("errors.not_found_heading"));
  return view;
}
