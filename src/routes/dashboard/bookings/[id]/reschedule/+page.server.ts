import { error, fail, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { hostMoveView, moveBookingByHost } from "$lib/server/services/host-reschedule.ts";
import { isMultiLineText } from "$lib/shared/text.ts";
import { messageRef, translateRef } from "$lib/shared/i18n.ts";
import { refusalKey } from "$lib/shared/refusals.ts";
import { BUSY_STATUS, retryLater } from "$lib/server/http/busy.ts";

const Id = v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/));

export const load: PageServerLoad = async ({ locals, params, url, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  if (!v.is(Id, params.id)) error(404, locals.t.t("bookings.no_such"));
  const res = await hostMoveView(locals.app, locals.user!, params.id, {
    date: url.searchParams.get("date"),
    month: url.searchParams.get("month"),
    locale: locals.locale,
  });
  if (!res.ok) error(404, locals.t.t("bookings.no_such"));
  const page = res.page;
  return {
    id: params.id,
    view: res.view,
    movable: res.movable,
    team: res.team,
    timeZone: res.timeZone,
    month: page?.month ?? null,
    days: page?.days ?? [],
    date: page?.date ?? null,
    slots: page?.slots ?? [],
    today: page?.today ?? null,
    lastDate: page?.lastDate ?? null,
  };
};

const Reason = v.optional(
  v.pipe(
    v.string(),
    v.maxLength(500, messageRef("manage.reason_too_long")),
    v.check(isMultiLineText, messageRef("manage.reason_bad_characters")),
  ),
  "",
);
const Move = v.pipe(
  v.object({
    /** A free time offered on the page… */
    start: v.optional(v.pipe(v.string(), v.maxLength(40, messageRef("bookings.move_bad_time")))),
    /** …or a date and time of the host's own choosing, in their zone. */
    date: v.optional(
      v.pipe(v.string(), v.regex(/^(\d{4}-\d{2}-\d{2})?$/, messageRef("bookings.move_bad_time"))),
    ),
    time: v.optional(
      v.pipe(v.string(), v.regex(/^(\d{2}:\d{2})?$/, messageRef("bookings.move_bad_time"))),
    ),
    outside_hours: v.optional(v.string()),
    reason: Reason,
  }),
  v.check((o) => !!o.start || (!!o.date && !!o.time), messageRef("bookings.move_pick_time")),
);

export const actions: Actions = {
  move: async ({ locals, params, request, setHeaders }) => {
    if (!v.is(Id, params.id)) error(404, locals.t.t("bookings.no_such"));
    const values = Object.fromEntries(await request.formData());
    const parsed = v.safeParse(Move, values);
    if (!parsed.success) {
      return fail(400, { error: translateRef(locals.t, parsed.issues[0].message), outside: false });
    }
    const o = parsed.output;
    const res = await moveBookingByHost(locals.app, locals.user!, params.id, {
      ...(o.start ? { start: o.start } : {
        date: o.date,
        time: o.time,
        outsideHours: o.outside_hours === "on",
      }),
      reason: o.reason,
    });
    if (res.ok) redirect(303, `/dashboard/bookings?moved=${res.booking.id}`);
    if (res.reason === "not_found") error(404, locals.t.t("bookings.no_such"));
    if (res.reason === "busy") {
      retryLater(setHeaders);
      return fail(BUSY_STATUS, { error: locals.t.t(refusalKey("busy")), outside: false });
    }
    return fail(409, {
      error: locals.t.t(refusalKey(res.reason, "bookings.did_not_work")),
      outside: res.reason === "outside_hours",
    });
  },
};
