import { fail, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { completeSetup, finishSetup } from "$lib/server/services/setup.ts";
import { invitationsFor } from "$lib/server/services/team-invites.ts";
import { type WeekdayNumber } from "$lib/shared/forms/availability.ts";
import { fieldErrors, formValues } from "$lib/shared/forms/common.ts";
import { ProfileForm } from "$lib/shared/forms/profile.ts";
import { resolveTypedZone } from "$lib/server/http/zone-input.ts";
import { listTimeZones } from "$lib/server/domain/time-zone.ts";
import { chosenClock } from "$lib/server/http/page-language.ts";
import { hostClock } from "$lib/shared/format.ts";

export const load: PageServerLoad = async ({ locals, url }) => {
  const u = locals.user!;
  return {
    // The hours on the account's clock (the dashboard's), unless the address chose a language
    // or a clock: `?lang=de` writes German hours on its 24-hour clock, as on a booking page.
    clock: chosenClock(url, locals.locale) ?? hostClock(u, locals.locale),
    // An invited person's first stop: the invitation is answered here as on the teams page.
    invitations: await invitationsFor(locals.app, u),
    values: {
      // An account made from an email address has that address's name part as its name.
      name: u.name === u.email.split("@")[0] || u.name === u.username ? "" : u.name,
      username: u.username,
      timeZone: u.timeZone,
      days: ["1", "2", "3", "4", "5"],
      start: "09:00",
      end: "17:00",
      eventTitle: locals.t.t("setup.default_title"),
      durationMin: "30",
      // Guests book instantly unless the host chooses requests (shown as two explicit options);
      // a finished setup opened again shows the choice it kept.
      requiresConfirmation: u.confirmByDefault === true,
    },
    zones: listTimeZones(),
  };
};

const FIELDS = [
  "name",
  "username",
  "timeZone",
  "start",
  "end",
  "eventTitle",
  "durationMin",
] as const;

export const actions: Actions = {
  save: async ({ request, locals }) => {
    const form = await request.formData();
    const raw = formValues(form, FIELDS, "line");
    const days = form.getAll("days").map(String).filter((d) => /^[1-7]$/.test(d));
    const requiresConfirmation = form.get("requiresConfirmation") === "on";
    const values = { ...raw, days, requiresConfirmation };
    const zone = resolveTypedZone(raw.timeZone, locals.app.now(), locals.t);
    const profile = v.safeParse(ProfileForm, {
      name: raw.name,
      username: raw.username,
      timeZone: zone.ok ? zone.zone : raw.timeZone,
    });
    const errors: Record<string, string> = profile.success
      ? {}
      : fieldErrors(profile.issues, locals.t);
    if (!zone.ok) errors.timeZone = zone.message;
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(raw.start)) errors.start = locals.t.t("setup.pick_time");
    if (!/^([01]\d|2[0-4]):[0-5]\d$/.test(raw.end)) errors.end = locals.t.t("setup.pick_time");
    if (Object.keys(errors).length || !profile.success || !zone.ok) {
      return fail(400, { values, errors });
    }
    const res = await completeSetup(locals.app, locals.user!, {
      name: profile.output.name,
      username: profile.output.username,
      timeZone: zone.zone,
      days: days.map(Number) as WeekdayNumber[],
      start: raw.start,
      end: raw.end,
      eventTitle: raw.eventTitle,
      durationMin: raw.durationMin,
      requiresConfirmation,
    }, locals.t);
    if (!res.ok) return fail(400, { values, errors: res.errors });
    // "Save and connect a calendar": straight on to the Calendars page.
    redirect(
      303,
      form.get("next") === "calendars" ? "/dashboard/calendars" : "/dashboard?welcome=1",
    );
  },
  skip: async ({ locals }) => {
    await finishSetup(locals.app, locals.user!);
    redirect(303, "/dashboard");
  },
};
