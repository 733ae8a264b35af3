import { fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { readField } from "$lib/shared/field-bounds.ts";
import { hostClock, hostWeekStart } from "$lib/shared/format.ts";
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
} from "$lib/shared/forms/availability.ts";
import { holidayCountries, holidayRegions, importHolidays } from "$lib/server/services/holidays.ts";

export const load: PageServerLoad = async ({ locals }) => {
  const user = locals.user!;
  const rules = await getAvailabilityRules(locals.app, user);
  const today = hostToday(locals.app, user);
  return {
    weekly: rules.weekly,
    summary: summarizeWeekly(rules.weekly, locals.locale, hostClock(user, locals.locale)),
    overrides: rules.overrides,
    timeOff: rules.timeOff,
    today,
    preview: computeAvailabilityPreview({ timeZone: user.timeZone, ...rules }, today, 6, {
      locale: locals.locale,
      clock: hostClock(user, locals.locale),
      weekStart: hostWeekStart(user, locals.locale),
    }),
    timeZone: user.timeZone,
    holidayCountries: holidayCountries(locals.locale),
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
    const form = await request.formData();
    const { drafts, intent } = parseTimeOffForm(form);
    if (intent.kind === "import_holidays") {
      const country = readField(form, "holidayCountry", "code");
      const region = readField(form, "holidayRegion", "code");
      const kept = drafts.filter((d) => d.from || d.to || d.reason.trim());
      const res = importHolidays(locals.app, locals.user!, {
        country,
        region,
        existing: kept.map((d) => ({ from: d.from, to: d.to || d.from })),
      }, locals.t);
      const regions = holidayRegions(country, locals.locale);
      if (!res.ok) {
        return fail(400, {
          section: "timeOff" as const,
          timeOff: drafts,
          holidays: { country, region, regions, error: res.error, added: [] as string[] },
        });
      }
      return {
        section: "timeOff" as const,
        timeOff: [...kept, ...res.add].sort((a, b) => a.from.localeCompare(b.from)),
        unsaved: res.add.length > 0,
        holidays: {
          country,
          region,
          regions,
          error: null,
          place: res.place,
          added: res.add.map((t) => t.from),
          alreadyCovered: res.alreadyCovered,
        },
      };
    }
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
