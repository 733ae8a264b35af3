import { fail, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { createEventType } from "$lib/server/services/event-types.ts";
import {
  EVENT_TYPE_FIELDS,
  EventTypeForm,
  eventTypeValuesFromForm,
  fieldErrors,
  formValues,
  NEW_EVENT_TYPE_VALUES,
  slugify,
} from "$lib/shared/forms.ts";

export const load: PageServerLoad = () => ({ values: NEW_EVENT_TYPE_VALUES });

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const raw = formValues(await request.formData(), EVENT_TYPE_FIELDS);
    // Without JavaScript the slug is not filled in from the title as one types: do it here.
    if (raw.slug.trim() === "") raw.slug = slugify(raw.title);
    const values = eventTypeValuesFromForm(raw);
    const parsed = v.safeParse(EventTypeForm, raw);
    if (!parsed.success) return fail(400, { values, errors: fieldErrors(parsed.issues) });
    const res = await createEventType(locals.app, locals.user!, parsed.output);
    if (!res.ok) return fail(400, { values, errors: { slug: "You already use this URL slug" } });
    redirect(303, `/dashboard/event-types/${res.record.id}?created=1`);
  },
};
