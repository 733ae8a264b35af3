import { error, fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import {
  editTeamEventType,
  findTeamEventType,
  teamFieldValuesOf,
} from "$lib/server/services/team-event-types.ts";
import {
  applyEventTypeIntent,
  eventTypeValuesOf,
  parseEventTypeValues,
  readEventTypeForm,
} from "$lib/shared/forms/event-type-editor.ts";
import { translateRefs } from "$lib/shared/i18n.ts";
import { readTeamFields } from "$lib/shared/team-forms.ts";

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const found = await findTeamEventType(locals.app, locals.user!, params.teamId, params.id);
  if (!found) error(404, locals.t.t("errors.not_found_heading"));
  if (found.role !== "owner") error(403, locals.t.t("team.owners_only"));
  return {
    id: found.et.id,
    savedTitle: found.et.title,
    savedSlug: found.et.slug,
    values: eventTypeValuesOf(found.et),
    teamValues: teamFieldValuesOf(found.et),
    created: url.searchParams.get("created") === "1",
  };
};

export const actions: Actions = {
  default: async ({ request, locals, params }) => {
    const data = await request.formData();
    const { values, intent } = readEventTypeForm(data);
    const teamValues = readTeamFields(data);
    if (intent.kind !== "save") {
      return { values: applyEventTypeIntent(values, intent), teamValues, unsaved: true };
    }
    const parsed = parseEventTypeValues(values, locals.t);
    if (!parsed.ok) return fail(400, { values: parsed.values, teamValues, errors: parsed.errors });
    const res = await editTeamEventType(
      locals.app,
      locals.user!,
      params.teamId,
      params.id,
      parsed.input,
      teamValues,
    );
    if (res.ok) return { saved: true };
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
