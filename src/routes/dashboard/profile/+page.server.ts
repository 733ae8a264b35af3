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
import { deleteAccount, eraseGuest, lastOwnerMessage } from "$lib/server/services/host-data.ts";
import { IMPORT_MAX_BYTES, importHostData } from "$lib/server/services/host-import.ts";
import { getUser } from "$lib/server/store/users.ts";

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

  /** A guest asked the host to delete their data: it goes from all of this host's bookings. */
  eraseGuest: async ({ request, locals }) => {
    const { email, confirm } = formValues(await request.formData(), ["email", "confirm"], 320);
    if (confirm !== "yes") {
      return fail(400, {
        erase: { email, error: "Tick the box to confirm: this cannot be undone." },
      });
    }
    const res = await eraseGuest(locals.app, locals.user!, email);
    if (!res.ok) return fail(400, { erase: { email, error: "Enter the guest's email address." } });
    return { erased: { bookings: res.bookings } };
  },

  /** A host moving servers: their export from another Invito, applied where it does not clash. */
  importData: async ({ request, locals }) => {
    const refused = (error: string) => fail(400, { imported: { error, applied: [], skipped: [] } });
    const file = (await request.formData()).get("file");
    if (!(file instanceof File) || file.size === 0) {
      return refused("Choose the .json file another Invito exported.");
    }
    if (file.size > IMPORT_MAX_BYTES) {
      return refused("The file is larger than an Invito export can be (64 MB).");
    }
    const res = await importHostData(locals.app, locals.user!, await file.text());
    if (!res.ok) return refused(res.error);
    locals.user = (await getUser(locals.app.kv, locals.user!.id)) ?? locals.user;
    return { imported: { error: null, applied: res.applied, skipped: res.skipped } };
  },

  /** Closing the account: confirmed by typing the username; guests of meetings ahead are told. */
  deleteAccount: async ({ request, locals }) => {
    const { username } = formValues(await request.formData(), ["username"], 200);
    const res = await deleteAccount(locals.app, locals.user!, username);
    if (!res.ok && res.reason === "last_owner") {
      return fail(409, { remove: { error: lastOwnerMessage(res.teams) } });
    }
    if (!res.ok) {
      return fail(400, {
        remove: { error: `To confirm, type ${locals.user!.username} exactly.` },
      });
    }
    redirect(303, "/?account=closed");
  },

  /** The "use my time zone" banner: only changes a zone that is still the fresh-account UTC. */
  adoptTimeZone: async ({ request, locals, url }) => {
    const { timeZone, next } = formValues(await request.formData(), ["timeZone", "next"], 2000);
    await adoptBrowserTimeZone(locals.app, locals.user!, timeZone.trim());
    redirect(303, safeRedirectPath(next, url.origin, "/dashboard/profile"));
  },
};
