import { fail, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { isValidTimeZone, listTimeZones } from "$lib/server/domain/time-zone.ts";
import { adoptBrowserTimeZone, updateProfile } from "$lib/server/services/profile.ts";
import { fieldErrors, formValues, ProfileForm } from "$lib/shared/forms.ts";
import { safeRedirectPath } from "$lib/shared/redirect.ts";
import { currentFeedUrls, feedUrls, regenerateFeed } from "$lib/server/services/ics-feed.ts";
import { formatDate } from "$lib/shared/format.ts";
import { USERNAME_HOLD_DAYS } from "$lib/server/domain/username.ts";

export const load: PageServerLoad = async ({ locals }) => {
  const u = locals.user!;
  const nowMs = locals.app.now();
  return {
    feed: await currentFeedUrls(locals.app, u),
    /** Names given up that still forward here, and until when (nobody else can take them). */
    heldUsernames: (u.previousUsernames ?? []).filter((h) => h.untilMs > nowMs).map((h) => ({
      username: h.username,
      until: formatDate(h.untilMs, u.timeZone),
    })),
    holdDays: USERNAME_HOLD_DAYS,
    profile: {
      name: u.name,
      username: u.username,
      timeZone: u.timeZone,
      clock: u.clock ?? "24h",
      email: u.email,
    },
    zones: listTimeZones(),
  };
};

export const actions: Actions = {
  /** The secret calendar feed: made on request; "regenerate" retires the old URL at once. */
  feed: async ({ locals }) => {
    await feedUrls(locals.app, locals.user!);
    return { feedMade: true };
  },
  regenerateFeed: async ({ locals }) => {
    await regenerateFeed(locals.app, locals.user!);
    return { feedRegenerated: true };
  },

  save: async ({ request, locals }) => {
    const user = locals.user!;
    const values = formValues(
      await request.formData(),
      ["name", "username", "timeZone", "clock"],
      200,
    );
    const parsed = v.safeParse(ProfileForm, values);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.issues);
      // Report an unknown zone together with the other problems, not one round trip later.
      if (!errors.timeZone && !isValidTimeZone(values.timeZone.trim())) {
        errors.timeZone = "Choose a time zone from the list";
      }
      return fail(400, { values, errors });
    }
    const res = await updateProfile(locals.app, user, parsed.output);
    if (!res.ok) return fail(400, { values, errors: { [res.field]: res.message } });
    // Loads that run after this action in the same request see the saved profile.
    locals.user = res.user;
    const held = res.user.previousUsernames?.find((h) => h.username === user.username);
    return {
      saved: true,
      usernameChanged: res.user.username === user.username ? null : {
        from: user.username,
        to: res.user.username,
        until: held ? formatDate(held.untilMs, res.user.timeZone) : null,
      },
    };
  },

  /** The "use my time zone" banner: only changes a zone that is still the fresh-account UTC. */
  adoptTimeZone: async ({ request, locals, url }) => {
    const { timeZone, next } = formValues(await request.formData(), ["timeZone", "next"], 2000);
    await adoptBrowserTimeZone(locals.app, locals.user!, timeZone.trim());
    redirect(303, safeRedirectPath(next, url.origin, "/dashboard/profile"));
  },
};
