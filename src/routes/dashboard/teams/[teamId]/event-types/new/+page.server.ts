import { error, fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { createTeamEventType } from "$lib/server/services/team-event-types.ts";
import {
  applyEventTypeIntent,
  newEventTypeValues,
  parseEventTypeValues,
  readEventTypeForm,
} from "$lib/shared/forms/event-type-editor.ts";
import { addressOr } from "$lib/shared/slug.ts";
import { NEW_TEAM_FIELDS, readTeamFields } from "$lib/shared/team-forms.ts";
import { translateRefs } from "$lib/shared/i18n.ts";

export const load: PageServerLoad = async ({ parent, locals }) => {
  const { role, members } = await parent();
  if (role !== "owner") error(403, locals.t.t("team.owners_only"));
  return {
    // The creating owner's preset, as on their own new event type form.
    values: newEventTypeValues(locals.user!),
    teamValues: { ...NEW_TEAM_FIELDS, hostIds: members.map((m) => m.userId) },
  };
};

export const actions: Actions = {
  default: async ({ request, locals, params }) => {
    const data = await request.formData();
    const { values, intent } = readEventTypeForm(data);
    const teamValues = readTeamFields(data);
    values.slug = addressOr(values.slug, values.title);
    if (intent.kind !== "save") {
      return { values: applyEventTypeIntent(values, intent), teamValues, unsaved: true };
    }
    const parsed = parseEventTypeValues(values, locals.t);
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
    if (res.reason === "not_found") error(404, locals.t.t("errors.not_found_heading"));
    if (res.reason === "forbidden") error(403, locals.t.t("team.owners_only"));
    if (res.reason === "invalid") {
      return fail(400, {
        values: parsed.values,
        teamValues,
        errors: translateRefs(locals.t, res.errors) as Record<string, string>,
      });
    }
    return fail(400, {
      values: parsed.values,
      teamValues,
      errors: { slug: locals.t.t("team.err_slug_used") },
    });
  },
};
