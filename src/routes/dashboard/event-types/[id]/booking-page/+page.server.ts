import { error, fail } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { findEventType } from "$lib/server/services/event-types.ts";
import { saveBookingPageSettings } from "$lib/server/services/embed.ts";
import {
  BookingPageSettingsForm,
  readBookingPageSettings,
} from "$lib/shared/booking-page-settings-form.ts";
import { fieldErrors } from "$lib/shared/forms/common.ts";
import { translateRef } from "$lib/shared/i18n.ts";
import { REDIRECT_PARAMS } from "$lib/server/domain/embed.ts";

export const load: PageServerLoad = async ({ locals, params }) => {
  const et = await findEventType(locals.app, locals.user!, params.id);
  if (!et) error(404, locals.t.t("errors.not_found_heading"));
  return {
    eventType: { id: et.id, title: et.title, slug: et.slug },
    values: {
      layout: et.layout ?? "month",
      lockPrefill: et.lockPrefill ? "on" : "",
      thankYouUrl: et.thankYouUrl ?? "",
      thankYouParams: et.thankYouParams ? "on" : "",
    } as Record<string, string>,
    redirectParams: [...REDIRECT_PARAMS],
    // What a link sets to prefill each answer (`q_<question id>`; docs/embed).
    questions: (et.questions ?? []).map((q) => ({ param: `q_${q.id}`, label: q.label })),
  };
};

export const actions: Actions = {
  default: async ({ request, locals, params }) => {
    const values = readBookingPageSettings(await request.formData());
    const parsed = v.safeParse(BookingPageSettingsForm, values);
    if (!parsed.success) {
      return fail(400, { values, errors: fieldErrors(parsed.issues, locals.t) });
    }
    const res = await saveBookingPageSettings(locals.app, locals.user!, params.id, parsed.output);
    if (!res.ok && res.reason === "not_found") error(404, locals.t.t("errors.not_found_heading"));
    if (!res.ok && res.reason === "invalid") {
      const errors: Record<string, string> = {};
      for (const [k, ref] of Object.entries(res.errors)) errors[k] = translateRef(locals.t, ref);
      return fail(400, { values, errors });
    }
    return { saved: true, values };
  },
};
