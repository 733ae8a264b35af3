import { error, fail } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { editEventType, findEventType } from "$lib/server/services/event-types.ts";
import type { EventTypeRecord } from "$lib/server/store/records.ts";
import {
  EVENT_TYPE_FIELDS,
  EventTypeForm,
  type EventTypeValues,
  eventTypeValuesFromForm,
  fieldErrors,
  formValues,
} from "$lib/shared/forms.ts";

function toValues(r: EventTypeRecord): EventTypeValues {
  return {
    title: r.title,
    slug: r.slug,
    description: r.description,
    durationMin: String(r.durationMin),
    bookingWindowDays: String(r.bookingWindowDays),
    requiresConfirmation: r.requiresConfirmation,
    active: r.active,
    color: r.color,
    confirmedMessage: r.confirmedMessage,
    rejectedMessage: r.rejectedMessage,
  };
}

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const record = await findEventType(locals.app, locals.user!, params.id);
  if (!record) error(404, "Not found");
  return {
    id: record.id,
    savedTitle: record.title,
    savedSlug: record.slug,
    values: toValues(record),
    created: url.searchParams.get("created") === "1",
  };
};

export const actions: Actions = {
  default: async ({ request, locals, params }) => {
    const raw = formValues(await request.formData(), EVENT_TYPE_FIELDS);
    const values = eventTypeValuesFromForm(raw);
    const parsed = v.safeParse(EventTypeForm, raw);
    if (!parsed.success) return fail(400, { values, errors: fieldErrors(parsed.issues) });
    const res = await editEventType(locals.app, locals.user!, params.id, parsed.output);
    if (!res.ok && res.reason === "not_found") error(404, "Not found");
    if (!res.ok) return fail(400, { values, errors: { slug: "You already use this URL slug" } });
    return { saved: true };
  },
};
