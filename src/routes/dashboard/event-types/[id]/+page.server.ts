import { error, fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { editEventType, findEventType } from "$lib/server/services/event-types.ts";
import {
  applyEventTypeIntent,
  eventTypeValuesOf,
  parseEventTypeValues,
  readEventTypeForm,
} from "$lib/shared/forms/event-type-editor.ts";

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const record = await findEventType(locals.app, locals.user!, params.id);
  if (!record) error(404, locals.t.t("errors.not_found_heading"));
  return {
    id: record.id,
    savedTitle: record.title,
    savedSlug: record.slug,
    values: eventTypeValuesOf(record),
    created: url.searchParams.get("created") === "1",
  };
};

export const actions: Actions = {
  default: async ({ request, locals, params }) => {
    const { values, intent } = readEventTypeForm(await request.formData());
    // Add / move / remove a question or reminder without JavaScript: hand the form back, unsaved.
    if (intent.kind !== "save") {
      return { values: applyEventTypeIntent(values, intent), unsaved: true };
    }
    const parsed = parseEventTypeValues(values, locals.t);
    if (!parsed.ok) return fail(400, { values: parsed.values, errors: parsed.errors });
    const res = await editEventType(locals.app, locals.user!, params.id, parsed.input);
    if (!res.ok && res.reason === "not_found") error(404, locals.t.t("errors.not_found_heading"));
    if (!res.ok && res.reason === "meeting_needs_calendar") {
      return fail(400, {
        values: parsed.values,
        errors: { locationKind: locals.t.t("refusal.meeting_needs_calendar") },
      });
    }
    if (!res.ok) {
      return fail(400, {
        values: parsed.values,
        errors: { slug: locals.t.t("et.slug_taken") },
      });
    }
    return { saved: true };
  },
};
