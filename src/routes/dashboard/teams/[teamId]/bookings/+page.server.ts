import { error, fail } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { decideTeamBooking, listTeamBookings } from "$lib/server/services/team-dashboard.ts";
import type { StatusFilter } from "$lib/server/services/host-bookings.ts";
import { BUSY_STATUS, retryLater } from "$lib/server/http/busy.ts";
import { isMultiLineText } from "$lib/shared/text.ts";
import { refusalKey } from "$lib/shared/refusals.ts";
import { messageRef, translateRef } from "$lib/shared/i18n.ts";
import { foldSeatedRows } from "$lib/server/services/seated-times.ts";

const FILTERS: StatusFilter[] = ["all", "pending", "confirmed", "rejected", "cancelled"];

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const f = url.searchParams.get("status") ?? "all";
  const filter = (FILTERS as string[]).includes(f) ? (f as StatusFilter) : "all";
  const res = await listTeamBookings(
    locals.app,
    locals.user!,
    params.teamId,
    filter,
    locals.locale,
  );
  if (!res) error(404, locals.t.t("errors.not_found_heading"));
  // Back from cancelling a seated meeting whole (bookings/meeting/[id]): how many were told.
  const told = url.searchParams.get("meeting_cancelled");
  return {
    filter,
    filters: FILTERS,
    meetingCancelled: told !== null && /^\d{1,4}$/.test(told) ? Number(told) : null,
    // Each seated time is one row with its seats (SeatedTimes), the others one row each.
    ...await foldSeatedRows(locals.app, res.rows),
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

function act(action: "confirm" | "reject" | "cancel" | "request") {
  return async ({ request, locals, params, setHeaders }: Parameters<Actions[string]>[0]) => {
    const parsed = v.safeParse(Decision, Object.fromEntries(await request.formData()));
    if (!parsed.success) {
      return fail(400, { error: translateRef(locals.t, parsed.issues[0].message), id: null });
    }
    const { id, reason } = parsed.output;
    const res = await decideTeamBooking(
      locals.app,
      locals.user!,
      params.teamId!,
      id,
      action,
      reason || undefined,
    );
    if (!res.ok && res.reason === "not_found") error(404, locals.t.t("bookings.no_such"));
    if (!res.ok && res.reason === "forbidden") error(403, locals.t.t("team.bookings_forbidden"));
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

export const actions: Actions = {
  confirm: act("confirm"),
  reject: act("reject"),
  cancel: act("cancel"),
  // A collective seated time's seat: its guest asked for a new time (ADR 040).
  request: act("request"),
};
