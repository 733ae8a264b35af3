import { fail, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { listTimeZones } from "$lib/server/domain/time-zone.ts";
import { resolveTypedZone } from "$lib/server/http/zone-input.ts";
import { adoptBrowserTimeZone, updateProfile } from "$lib/server/services/profile.ts";
import { fieldErrors, formValues, ProfileForm } from "$lib/shared/forms.ts";
import { safeRedirectPath } from "$lib/shared/redirect.ts";
import { languageOf, negotiateLocale } from "$lib/shared/i18n.ts";
import { translator } from "$lib/server/i18n.ts";

export const load: PageServerLoad = ({ locals }) => {
  const u = locals.user!;
  return {
    profile: {
      name: u.name,
      username: u.username,
      timeZone: u.timeZone,
      clock: u.clock ?? "24h",
      // The language the dashboard speaks now (the profile's, else the browser's).
      language: languageOf(u.locale ?? locals.locale) ?? "en",
      email: u.email,
    },
    zones: listTimeZones(),
  };
};

export const actions: Actions = {
  save: async ({ request, locals }) => {
    const user = locals.user!;
    const values = formValues(
      await request.formData(),
      ["name", "username", "timeZone", "clock", "locale"],
      200,
    );
    // "Tokyo", "PST", "UTC+2": a zone typed by name is looked up; several or none are said.
    const zone = resolveTypedZone(values.timeZone, locals.app.now(), locals.t);
    if (zone.ok) values.timeZone = zone.zone;
    const parsed = v.safeParse(ProfileForm, values);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.issues, locals.t);
      // Report an unknown zone together with the other problems, not one round trip later.
      if (!errors.timeZone && !zone.ok) errors.timeZone = zone.message;
      return fail(400, { values, errors });
    }
    if (!zone.ok) return fail(400, { values, errors: { timeZone: zone.message } });
    // A language picked keeps the host's region when they have one for it ("de" → "de-AT").
    const locale = parsed.output.locale
      ? negotiateLocale({
        chosen: [parsed.output.locale],
        acceptLanguage: [user.locale, request.headers.get("accept-language")].filter(Boolean)
          .join(","),
      })
      : undefined;
    const res = await updateProfile(locals.app, user, { ...parsed.output, locale }, locals.t);
    if (!res.ok) return fail(400, { values, errors: { [res.field]: res.message } });
    // Loads that run after this action in the same request see the saved profile (and language).
    locals.user = res.user;
    if (res.user.locale && res.user.locale !== locals.locale) {
      locals.locale = res.user.locale;
      locals.t = translator(res.user.locale);
    }
    return {
      saved: true,
      usernameChanged: res.user.username === user.username
        ? null
        : { from: user.username, to: res.user.username },
    };
  },

  /** The "use my time zone" banner: only changes a zone that is still the fresh-account UTC. */
  adoptTimeZone: async ({ request, locals, url }) => {
    const { timeZone, next } = formValues(await request.formData(), ["timeZone", "next"], 2000);
    await adoptBrowserTimeZone(locals.app, locals.user!, timeZone.trim());
    redirect(303, safeRedirectPath(next, url.origin, "/dashboard/profile"));
  },
};
