import { fail } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import {
  deleteUserAsAdmin,
  listUsersForAdmin,
  reactivateUser,
  suspendUser,
} from "$lib/server/services/admin-users.ts";
import { lastOwnerMessage } from "$lib/server/services/account-closing.ts";
import { handOverBookings } from "$lib/server/services/hand-over.ts";
import { findUserForAdmin } from "$lib/server/services/admin-users.ts";
import type { MessageKey } from "$lib/shared/i18n.ts";
import { refusalKey } from "$lib/shared/refusals.ts";
import { formatDateTime, hostClock } from "$lib/shared/format.ts";

const STATES = ["active", "suspended", "closed"] as const;

export const load: PageServerLoad = async ({ locals, url }) => {
  // Each part on its own: a state the list does not know (an old bookmark, a typo) is said on
  // the page and the search beside it still filters; a search is as long as its field takes.
  const q = (url.searchParams.get("q") ?? "").trim().slice(0, 200);
  const asked = url.searchParams.get("state") ?? "";
  const known = (STATES as readonly string[]).includes(asked);
  const state = known ? asked as (typeof STATES)[number] : "";
  const { rows, more, stoppedAfter } = await listUsersForAdmin(locals.app, {
    q,
    state: state || undefined,
  });
  return {
    rows,
    more,
    stoppedAfter,
    q,
    state,
    badState: asked && !known ? asked.slice(0, 40) : null,
  };
};

const UserId = v.object({ userId: v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/)) });
/** `confirm: "yes"`: the second press, after the page said what suspending deletes for good. */
const Suspend = v.object({
  userId: v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/)),
  confirm: v.optional(v.literal("yes")),
});
const Delete = v.object({
  userId: v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/)),
  confirm: v.pipe(v.string(), v.maxLength(100)),
});

const HandOver = v.object({
  userId: v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/)),
  to: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(320)),
});

const REASONS: Record<string, MessageKey> = {
  same_person: "admin.handover_same",
  target_not_active: "admin.handover_target_inactive",
  not_found: "admin.no_such_user",
  unchanged: "admin.unchanged",
  self: "admin.not_yourself",
  admin: "admin.another_admin",
  confirm_mismatch: "admin.confirm_mismatch",
};

const form = async (request: Request) => Object.fromEntries(await request.formData());

export const actions: Actions = {
  suspend: async ({ request, locals }) => {
    const parsed = v.safeParse(Suspend, await form(request));
    if (!parsed.success) return fail(400, { error: locals.t.t("admin.no_such_user") });
    if (parsed.output.confirm !== "yes") {
      // Sessions, API keys and the feed link are deleted, and reactivating brings none back:
      // the first press asks, naming what goes.
      const user = await findUserForAdmin(locals.app, parsed.output.userId);
      if (!user) return fail(404, { error: locals.t.t("admin.no_such_user") });
      return { confirmSuspend: { userId: user.id, username: user.username } };
    }
    const r = await suspendUser(locals.app, locals.user!, parsed.output.userId);
    if (!r.ok) {
      return fail(r.reason === "not_found" ? 404 : 409, { error: locals.t.t(REASONS[r.reason]) });
    }
    return { done: locals.t.t("admin.suspended_done", { name: r.user.name }) };
  },
  reactivate: async ({ request, locals }) => {
    const parsed = v.safeParse(UserId, await form(request));
    if (!parsed.success) return fail(400, { error: locals.t.t("admin.no_such_user") });
    const r = await reactivateUser(locals.app, locals.user!, parsed.output.userId);
    if (!r.ok) {
      return fail(r.reason === "not_found" ? 404 : 409, { error: locals.t.t(REASONS[r.reason]) });
    }
    return { done: locals.t.t("admin.reactivated_done", { name: r.user.name }) };
  },
  handover: async ({ request, locals }) => {
    const { t } = locals;
    const parsed = v.safeParse(HandOver, await form(request));
    if (!parsed.success) return fail(400, { error: t.t("admin.handover_no_target") });
    const to = await findUserForAdmin(locals.app, parsed.output.to);
    if (!to) return fail(404, { error: t.t("admin.handover_no_target") });
    const r = await handOverBookings(locals.app, locals.user!, parsed.output.userId, to.id);
    if (!r.ok) {
      return fail(r.reason === "not_found" ? 404 : 409, { error: t.t(REASONS[r.reason]) });
    }
    const me = locals.user!;
    return {
      done: t.t("admin.handover_done", { n: r.moved.length, name: to.username }),
      conflicts: r.conflicts.map((c) =>
        t.t("admin.handover_conflict_line", {
          when: formatDateTime(c.startMs, me.timeZone, hostClock(me, t.locale), t.locale),
          guest: c.guestName,
          reason: t.t(
            c.reason === "team_booking" ? "admin.handover_team_booking" : refusalKey(c.reason),
          ),
        })
      ),
    };
  },
  delete: async ({ request, locals }) => {
    const parsed = v.safeParse(Delete, await form(request));
    if (!parsed.success) return fail(400, { error: locals.t.t("admin.no_such_user") });
    const r = await deleteUserAsAdmin(
      locals.app,
      locals.user!,
      parsed.output.userId,
      parsed.output.confirm,
    );
    if (!r.ok) {
      if (r.reason === "last_owner") {
        return fail(409, { error: lastOwnerMessage(r.teams, locals.t) });
      }
      const status = r.reason === "not_found" ? 404 : r.reason === "confirm_mismatch" ? 400 : 409;
      return fail(status, { error: locals.t.t(REASONS[r.reason]) });
    }
    return { done: locals.t.t("admin.deleted_done", { n: r.cancelled }) };
  },
};
