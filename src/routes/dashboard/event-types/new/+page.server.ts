import { fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { createEventType } from "$lib/server/services/event-types.ts";
import {
  applyEventTypeIntent,
  newEventTypeValues,
  parseEventTypeValues,
  readEventTypeForm,
} from "$lib/shared/forms/event-type-editor.ts";
import { addressOr } from "$lib/shared/slug.ts";

export const load: PageServerLoad = ({ locals }) => ({ values: newEventTypeValues(locals.user!) });

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const { values, intent } = readEventTypeForm(await request.formData());
    // Without JavaScript the slug is not filled in from the title as one types: do it here.
    values.slug = addressOr(values.slug, values.title);
    // Add / move / remove a question or reminder without JavaScript: hand the form back, unsaved.
    if (intent.kind !== "save") {
      return { values: applyEventTypeIntent(values, intent), unsaved: true };
    }
    const parsed = parseEventTypeValues(values, locals.t);
    if (!parsed.ok) return fail(400, { values: parsed.values, errors: parsed.errors });
    const res = await createEventType(locals.app, locals.user!, parsed.input);
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
    redirect(303, `/dashboard/event-types/${res.record.id}?created=1`);
  },
};
