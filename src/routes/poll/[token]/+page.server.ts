import { error, fail } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { openPoll, votePoll } from "$lib/server/services/polls.ts";
import { guestClock, pageZone } from "$lib/server/http/booking-page.ts";
import { GuestFields } from "$lib/shared/forms/booking.ts";
import { EmailForm, fieldErrors } from "$lib/shared/forms/common.ts";

export const load: PageServerLoad = async ({ locals, params, url, request, setHeaders }) => {
  setHeaders({ "cache-control": "no-store", "referrer-policy": "no-referrer" });
  const zone = pageZone(url.searchParams, locals.app.now(), locals.locale);
  const p = await openPoll(locals.app, params.token, {
    timeZone: zone.timeZone,
    locale: locals.locale,
    clock: guestClock(url, request.headers.get("accept-language")),
  });
  if (!p.ok) error(404, locals.t.t("poll.not_found"));
  return { poll: p };
};

const Voter = v.object({ name: GuestFields.entries.name, email: EmailForm.entries.email });

export const actions: Actions = {
  vote: async ({ locals, params, request }) => {
    const raw: Record<string, string> = {};
    for (const [k, val] of await request.formData()) {
      if (typeof val === "string") raw[k] = val.slice(0, 300);
    }
    const values = { name: raw.name ?? "", email: raw.email ?? "" };
    const parsed = v.safeParse(Voter, values);
    if (!parsed.success) {
      return fail(400, { errors: fieldErrors(parsed.issues, locals.t), values, error: null });
    }
    const res = await votePoll(locals.app, params.token, { ...parsed.output, answers: raw });
    if (res.ok) return { done: true, values };
    if (res.reason === "not_found") error(404, locals.t.t("poll.not_found"));
    const key = res.reason === "closed"
      ? "poll.closed"
      : res.reason === "full"
      ? "poll.full"
      : "poll.bad_answers";
    return fail(res.reason === "answers" ? 400 : 409, {
      errors: {},
      values,
      error: locals.t.t(key),
    });
  },
};
