import { error, fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { createTeamEventType } from "$lib/server/services/team-event-types.ts";
import {
  applyEventTypeIntent,
  NEW_EVENT_TYPE_VALUES,
  parseEventTypeValues,
  readEventTypeForm,
  slugify,
} from "$lib/shared/forms.ts";
import { NEW_TEAM_FIELDS, readTeamFields } from "$lib/shared/team-forms.ts";

export const load: PageServerLoad = async ({ parent }) => {
  const { role, members } = await parent();
  if (role !== "owner") error(403, "Only the team's owners can do that.");
  return {
    values: NEW_EVENT_TYPE_VALUES,
    teamValues: { ...NEW_TEAM_FIELDS, hostIds: members.map((m) => m.userId) },
  };
};

export const actions: Actions = {
  default: async ({ request, locals, params }) => {
    const data = await request.formData();
    const { values, intent } = readEventTypeForm(data);
    const teamValues = readTeamFields(data);
    if (values.slug.trim() === "") values.slug = slugify(values.title);
    if (intent.kind !== "save") {
      return { values: applyEventTypeIntent(values, intent), teamValues, unsaved: true };
    }
    const parsed = parseEventTypeValues(values);
    if (!parsed.ok) return fail(400, { values: parsed.values, teamValues, errors: parsed.errors });
    const res = await createTeamEventType(
      locals.app,
      locals.user!,
      params.teamId,
      parsed.input,
      teamValues,
    );
    if (res.ok) {
      redirect(303, `/dashboard/teams/${params.teamId}/event-types/${res.record.id}?created=1`);
    }
    if (res.reason === "not_found") error(404, "Not found");
    if (res.reason === "forbidden") error(403, "Only the team's owners can do that.");
    if (res.reason === "invalid") {
      return fail(400, {
        values: parsed.values,
        teamValues,
        errors: res.errors as Record<string, string>,
      });
    }
    return fail(400, {
      values: parsed.values,
      teamValues,
      errors: { slug: "The team already uses this URL slug" },
    });
  },
};
