import { error, fail, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { getSlotPage } from "$lib/server/services/public-calendar.ts";
import { bookSlot } from "$lib/server/services/book-slot.ts";
import { BookingForm, fieldErrors } from "$lib/shared/forms.ts";
import { describeDuration } from "$lib/server/config.ts";

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const q = url.searchParams;
  const res = await getSlotPage(locals.app, {
    username: params.username.toLowerCase(),
    slug: params.slug.toLowerCase(),
    timeZone: q.get("tz"),
    month: q.get("month"),
    date: q.get("date"),
  });
  if (!res.ok && res.reason === "not_found") error(404, "There is no booking page at this address.");
  if (!res.ok) error(400, res.message);
  const slot = q.get("slot");
  const chosen = slot && res.slots.some((s) => s.start === slot) ? slot : null;
  return {
    ...res,
    tzFromUrl: q.has("tz"),
    chosen,
    slotWasTaken: !!slot && !chosen,
    ttlText: describeDuration(locals.app.config.bookingTtlMs),
  };
};

export const actions: Actions = {
  book: async ({ request, params, locals }) => {
    const raw = Object.fromEntries(await request.formData());
    const values = {
      name: String(raw.name ?? "").slice(0, 200),
      email: String(raw.email ?? "").slice(0, 300),
      note: String(raw.note ?? "").slice(0, 2100),
    };
    const parsed = v.safeParse(BookingForm, {
      name: typeof raw.name === "string" ? raw.name : "",
      email: typeof raw.email === "string" ? raw.email : "",
      note: typeof raw.note === "string" ? raw.note : "",
      start: typeof raw.start === "string" ? raw.start : "",
      tz: typeof raw.tz === "string" ? raw.tz : "UTC",
    });
    if (!parsed.success) return fail(400, { values, errors: fieldErrors(parsed.issues), reason: null });
    const result = await bookSlot(locals.app, {
      username: params.username.toLowerCase(),
      slug: params.slug.toLowerCase(),
      start: parsed.output.start,
      name: parsed.output.name,
      email: parsed.output.email,
      note: parsed.output.note,
      timeZone: parsed.output.tz,
    });
    if (!result.ok) {
      if (result.reason === "not_found") error(404, "There is no booking page at this address.");
      const reason = result.reason === "slot_taken"
        ? "That time was just taken — please pick another."
        : result.reason === "busy"
        ? "Many people are booking right now — please try again."
        : "That time is not available — please pick another.";
      return fail(409, { values, errors: {} as Record<string, string>, reason });
    }
    redirect(303, `/booking/${result.guestToken}`);
  },
};
