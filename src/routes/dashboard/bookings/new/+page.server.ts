import { fail, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { bookForGuest, hostBookView } from "$lib/server/services/host-book.ts";
import { GuestFields } from "$lib/shared/forms/booking.ts";
import { fieldErrors } from "$lib/shared/forms/common.ts";
import { messageRef, translateRef } from "$lib/shared/i18n.ts";
import { refusalKey } from "$lib/shared/refusals.ts";
import { BUSY_STATUS, retryLater } from "$lib/server/http/busy.ts";
import { MAX_QUESTIONS } from "$lib/shared/forms/event-type-options.ts";
import { isValidTimeZone } from "$lib/server/domain/time-zone.ts";

export const load: PageServerLoad = async ({ locals, url, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  const q = url.searchParams;
  const view = await hostBookView(locals.app, locals.user!, {
    slug: q.get("type"),
    date: q.get("date"),
    month: q.get("month"),
    locale: locals.locale,
  });
  return {
    types: view.types,
    chosen: view.chosen,
    timeZone: view.timeZone,
    // The guest's language starts as the host's (the host edits it for a guest who reads another).
    hostLanguage: locals.user!.locale ?? locals.locale,
    days: view.page?.days ?? [],
    date: view.page?.date ?? null,
    slots: view.page?.slots ?? [],
    today: view.page?.today ?? null,
    month: view.page?.month ?? null,
    lastDate: view.page?.lastDate ?? null,
  };
};

const HostBook = v.pipe(
  v.object({
    ...GuestFields.entries,
    type: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,60}$/, messageRef("bookings.book_no_type"))),
    start: v.optional(
      v.pipe(
        v.string(),
        v.regex(
          /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z)?$/,
          messageRef("bookings.move_bad_time"),
        ),
      ),
    ),
    date: v.optional(
      v.pipe(v.string(), v.regex(/^(\d{4}-\d{2}-\d{2})?$/, messageRef("bookings.move_bad_time"))),
    ),
    time: v.optional(
      v.pipe(v.string(), v.regex(/^(\d{2}:\d{2})?$/, messageRef("bookings.move_bad_time"))),
    ),
  }),
  v.check((o) => !!o.start || (!!o.date && !!o.time), messageRef("bookings.move_pick_time")),
);

/** Fields the page marks with their own message. */
const MARKED = /^(name|email|note|location|phone|guest_tz|q_.+)$/;

export const actions: Actions = {
  book: async ({ locals, request, setHeaders }) => {
    const form = await request.formData();
    const raw: Record<string, string> = {};
    for (const [k, val] of form) if (typeof val === "string") raw[k] = val.slice(0, 2100);
    // Every field as the host left it goes back with a refusal, ticks included (a tick left off
    // is absent from the post, so "confirmed" comes back as "" and the box stays unticked): a
    // host who fixed only the address once resubmitted a form that had re-ticked "Confirm at
    // once" and lost the chosen time, and made a confirmed booking where a request was wanted.
    const values: Record<string, string> = {
      name: raw.name ?? "",
      email: raw.email ?? "",
      note: raw.note ?? "",
      location: raw.location ?? "",
      phone: (raw.phone ?? "").slice(0, 30),
      guest_tz: (raw.guest_tz ?? "").trim().slice(0, 100),
      guest_lang: raw.guest_lang ?? "",
      start: raw.start ?? "",
      date: raw.date ?? "",
      time: raw.time ?? "",
      outside_hours: raw.outside_hours ?? "",
      confirmed: raw.confirmed ?? "",
    };
    // The answers too (an event type has at most MAX_QUESTIONS; more is not echoed back).
    const answerFields = Object.entries(raw).filter(([k]) => k.startsWith("q_"))
      .slice(0, MAX_QUESTIONS);
    for (const [k, val] of answerFields) values[k] = val;
    // The guest's zone, when given, must be one (their mails show times in it).
    if (values.guest_tz && !isValidTimeZone(values.guest_tz)) {
      const errors = { guest_tz: locals.t.t("profile.zone_from_list") };
      return fail(400, {
        error: locals.t.t("bookings.book_fix_fields"),
        errors,
        values,
        outside: false,
      });
    }
    const parsed = v.safeParse(HostBook, {
      type: raw.type ?? "",
      name: raw.name ?? "",
      email: raw.email ?? "",
      note: raw.note ?? "",
      start: raw.start ?? "",
      date: raw.date ?? "",
      time: raw.time ?? "",
    });
    if (!parsed.success) {
      const errors = fieldErrors(parsed.issues, locals.t);
      // The form marks the guest's fields; what it does not mark (the time, the event type) is
      // said in the summary itself, or the host read "check the marked fields" with none marked.
      const unmarked = Object.entries(errors).find(([k]) => !MARKED.test(k));
      const error = unmarked
        ? unmarked[1]
        : Object.keys(errors).length
        ? locals.t.t("bookings.book_fix_fields")
        : translateRef(locals.t, parsed.issues[0].message);
      return fail(400, { error, errors, values, outside: false });
    }
    const o = parsed.output;
    const rawAnswers: Record<string, string> = {};
    for (const [k, val] of Object.entries(raw)) if (k.startsWith("q_")) rawAnswers[k] = val;
    const res = await bookForGuest(locals.app, locals.user!, {
      slug: o.type,
      start: o.start || undefined,
      date: o.date,
      time: o.time,
      outsideHours: raw.outside_hours === "on",
      name: o.name,
      email: o.email,
      note: o.note,
      rawAnswers,
      timeZone: values.guest_tz || undefined,
      locale: values.guest_lang || undefined,
      locationChoice: raw.location,
      phone: raw.phone?.slice(0, 30),
      confirmed: raw.confirmed === "on",
    });
    if (res.ok) redirect(303, `/dashboard/bookings?booked=${res.bookingId}`);
    if (res.reason === "invalid_answers") {
      return fail(400, {
        error: locals.t.t("bookings.book_fix_fields"),
        errors: Object.fromEntries(
          Object.entries(res.errors).map(([k, m]) => [k, translateRef(locals.t, m)]),
        ),
        values,
        outside: false,
      });
    }
    if (res.reason === "busy") retryLater(setHeaders);
    return fail(res.reason === "busy" ? BUSY_STATUS : res.reason === "not_found" ? 404 : 409, {
      error: res.reason === "not_found"
        ? locals.t.t("bookings.book_no_type")
        : locals.t.t(refusalKey(res.reason, "bookings.did_not_work")),
      errors: {},
      values,
      outside: res.reason === "outside_hours",
    });
  },
};
