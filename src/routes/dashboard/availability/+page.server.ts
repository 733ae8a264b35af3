import { fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import {
  computeAvailabilityPreview,
  getAvailabilityRules,
  hostToday,
  saveOverrides,
  saveTimeOff,
  saveWeeklyAvailability,
} from "$lib/server/services/availability.ts";
import {
  applyOverridesIntent,
  applyTimeOffIntent,
  applyWeeklyIntent,
  overridesFromDrafts,
  parseOverridesForm,
  parseTimeOffForm,
  parseWeeklyForm,
  summarizeWeekly,
  timeOffFromDrafts,
  weeklyFromDraft,
} from "$lib/shared/forms.ts";

export const load: PageServerLoad = async ({ locals }) => {
  const user = locals.user!;
  const rules = await getAvailabilityRules(locals.app, user);
  const today = hostToday(locals.app, user);
  return {
    weekly: rules.weekly,
    summary: summarizeWeekly(rules.weekly, locals.locale),
    overrides: rules.overrides,
    timeOff: rules.timeOff,
    today,
    preview: computeAvailabilityPreview({ timeZone: user.timeZone, ...rules }, today, 6, {
      locale: locals.locale,
      clock: user.clock,
    }),
    timeZone: user.timeZone,
  };
};

// Each part of the page is its own form and saves only its part. Add / remove buttons without
// JavaScript come here too: the edit is applied and the form handed back, unsaved.
export const actions: Actions = {
  weekly: async ({ request, locals }) => {
    const { draft, intent } = parseWeeklyForm(await request.formData());
    if (intent.kind !== "save") {
      return { section: "weekly" as const, draft: applyWeeklyIntent(draft, intent), unsaved: true };
    }
    const res = await saveWeeklyAvailability(
      locals.app,
      locals.user!,
      weeklyFromDraft(draft),
      locals.t,
    );
    if (!res.ok) return fail(400, { section: "weekly" as const, draft, errors: res.errors });
    return { section: "weekly" as const, saved: true };
  },
  overrides: async ({ request, locals }) => {
    const { drafts, intent } = parseOverridesForm(await request.formData());
    if (intent.kind !== "save") {
      return {
        section: "overrides" as const,
        overrides: applyOverridesIntent(drafts, intent),
        unsaved: true,
      };
    }
    const res = await saveOverrides(
      locals.app,
      locals.user!,
      overridesFromDrafts(drafts),
      locals.t,
    );
    if (!res.ok) {
      return fail(400, {
        section: "overrides" as const,
        overrides: drafts,
        overrideErrors: res.errors,
        listError: res.form ?? null,
      });
    }
    return { section: "overrides" as const, saved: true };
  },
  timeOff: async ({ request, locals }) => {
    const { drafts, intent } = parseTimeOffForm(await request.formData());
    if (intent.kind !== "save") {
      return {
        section: "timeOff" as const,
        timeOff: applyTimeOffIntent(drafts, intent),
        unsaved: true,
      };
    }
    const res = await saveTimeOff(locals.app, locals.user!, timeOffFromDrafts(drafts), locals.t);
    if (!res.ok) {
      return fail(400, {
        section: "timeOff" as const,
        timeOff: drafts,
        timeOffErrors: res.errors,
        listError: res.form ?? null,
      });
    }
    return { section: "timeOff" as const, saved: true };
  },
};
