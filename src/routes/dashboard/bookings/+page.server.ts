import { error, fail } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import {
  listBookingsForHost,
  retryDelivery,
  type StatusFilter,
} from "$lib/server/services/host-bookings.ts";
import { isMultiLineText } from "$lib/shared/text.ts";
import { decideBooking } from "$lib/server/services/decide-booking.ts";
import { countBookingChange } from "$lib/server/services/insights-count.ts";
import { BUSY_STATUS, retryLater } from "$lib/server/http/busy.ts";
import { messageRef, translateRef } from "$lib/shared/i18n.ts";
import { refusalKey } from "$lib/shared/refusals.ts";

const FILTERS: StatusFilter[] = ["all", "pending", "confirmed", "rejected", "cancelled"];

export const load: PageServerLoad = async ({ locals, url }) => {
  const f = url.searchParams.get("status") ?? "all";
  const filter = (FILTERS as string[]).includes(f) ? (f as StatusFilter) : "all";
  return {
    filter,
    filters: FILTERS,
    rows: await listBookingsForHost(locals.app, locals.user!, filter, locals.locale),
  };
};

const Decision = v.object({
  id: v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/, messageRef("bookings.unknown"))),
  reason: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(500, messageRef("manage.reason_too_long")),
      v.check(isMultiLineText, messageRef("manage.reason_bad_characters")),
    ),
    "",
  ),
});

function act(action: "confirm" | "reject" | "cancel") {
  return async ({ request, locals, setHeaders }: Parameters<Actions[string]>[0]) => {
    const parsed = v.safeParse(Decision, Object.fromEntries(await request.formData()));
    if (!parsed.success) {
      return fail(400, { error: translateRef(locals.t, parsed.issues[0].message), id: null });
    }
    const { id, reason } = parsed.output;
    const res = await decideBooking(locals.app, id, action, "host", {
      hostId: locals.user!.id,
      reason: reason || undefined,
    });
    if (res.ok) void countBookingChange(locals.app, res.booking);
    if (!res.ok && res.reason === "not_found") error(404, locals.t.t("bookings.no_such"));
    if (!res.ok && res.reason === "busy") {
      retryLater(setHeaders);
      return fail(BUSY_STATUS, { error: locals.t.t(refusalKey("busy")), id });
    }
    if (!res.ok) {
      return fail(409, { error: locals.t.t(refusalKey(res.reason, "bookings.did_not_work")), id });
    }
    return { done: action, id };
  };
}

const Retry = v.object({
  job: v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/, messageRef("bookings.unknown_job"))),
});

export const actions: Actions = {
  confirm: act("confirm"),
  reject: act("reject"),
  cancel: act("cancel"),
  /** A failed mail or calendar write goes back into the queue with a fresh set of retries. */
  retry: async ({ request, locals }) => {
    const parsed = v.safeParse(Retry, Object.fromEntries(await request.formData()));
    if (!parsed.success) {
      return fail(400, { error: translateRef(locals.t, parsed.issues[0].message), id: null });
    }
    const ok = await retryDelivery(locals.app, locals.user!.id, parsed.output.job);
    if (!ok) return fail(409, { error: locals.t.t("bookings.retry_gone"), id: null });
    return { done: "retry" as const, id: null };
  },
};
