import { error } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import {
  listTeamEventTypes,
  setTeamEventTypeActive,
} from "$lib/server/services/team-event-types.ts";
import { teamViewOr404 } from "$lib/server/http/team-view.ts";
import { readFields } from "$lib/shared/field-bounds.ts";

export const load: PageServerLoad = async (event) => {
  const { locals, url, parent } = event;
  const { members } = await parent();
  const view = await teamViewOr404(event);
  const names = new Map(members.map((m) => [m.userId, m.name]));
  const types = await listTeamEventTypes(locals.app, view.team);
  return {
    eventTypes: types.map((t) => ({
      id: t.id,
      title: t.title,
      slug: t.slug,
      durationMin: t.durationMin,
      active: t.active,
      color: t.color,
      requiresConfirmation: t.requiresConfirmation,
      mode: t.teamMode ?? "round_robin",
      people: (t.hostIds ?? []).flatMap((id) => names.get(id) ?? []),
    })),
    deleted: url.searchParams.get("deleted") === "1",
  };
};

export const actions: Actions = {
  toggle: async ({ request, locals, params }) => {
    const { id, active } = readFields(await request.formData(), { id: "id", active: "choice" });
    const res = await setTeamEventTypeActive(
      locals.app,
      locals.user!,
      params.teamId,
      id,
      active === "true",
    );
    if (!res.ok && res.reason === "forbidden") error(403, locals.t.t("team.owners_only"));
    if (!res.ok) error(404, locals.t.t("errors.not_found_heading"));
    return { toggled: { title: res.record.title, active: res.record.active } };
  },
};
