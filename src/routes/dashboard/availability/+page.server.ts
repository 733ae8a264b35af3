import { fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import {
  getWeeklyAvailability,
  saveWeeklyAvailability,
} from "$lib/server/services/availability.ts";
import {
  applyWeeklyIntent,
  parseWeeklyForm,
  summarizeWeekly,
  weeklyFromDraft,
} from "$lib/shared/forms.ts";

export const load: PageServerLoad = async ({ locals }) => {
  const { weekly } = await getWeeklyAvailability(locals.app, locals.user!);
  return { weekly, summary: summarizeWeekly(weekly), timeZone: locals.user!.timeZone };
};

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const { draft, intent } = parseWeeklyForm(await request.formData());
    // Add / remove / copy without JavaScript: apply the edit and hand the form back, unsaved.
    if (intent.kind !== "save") return { draft: applyWeeklyIntent(draft, intent), unsaved: true };
    const res = await saveWeeklyAvailability(locals.app, locals.user!, weeklyFromDraft(draft));
    if (!res.ok) return fail(400, { draft, errors: res.errors });
    return { saved: true };
  },
};
