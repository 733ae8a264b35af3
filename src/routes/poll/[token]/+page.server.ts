import { type Cookies, error, fail } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { openPoll, pollVoter, votePoll } from "$lib/server/services/poll-votes.ts";
import { markGuessed, pageZone } from "$lib/server/http/booking-page.ts";
import { guestClock } from "$lib/server/http/page-language.ts";
import { GuestFields } from "$lib/shared/forms/booking.ts";
import { EmailForm, fieldErrors } from "$lib/shared/forms/common.ts";
import type { MessageKey } from "$lib/shared/i18n.ts";
import { keptParams, withChosenLanguage } from "$lib/shared/page-href.ts";
import { REFUSALS } from "$lib/shared/refusals.ts";

/**
 * The voter's token (ADR 050): kept for this poll's path only, so each poll's link knows its own
 * voter; the personal link (`?voter=`) brings it to another browser.
 */
const VOTER_COOKIE = "invito_poll_voter";
const VOTER_DAYS = 90;

function keepVoter(cookies: Cookies, url: URL, token: string, voter: string) {
  cookies.set(VOTER_COOKIE, voter, {
    path: `/poll/${token}`,
    httpOnly: true,
    sameSite: "lax",
    secure: url.protocol === "https:",
    maxAge: VOTER_DAYS * 86_400,
  });
}

export const load: PageServerLoad = async (event) => {
  const { locals, params, url, request, setHeaders, cookies } = event;
  setHeaders({ "cache-control": "no-store", "referrer-policy": "no-referrer" });
  const zone = pageZone(url.searchParams, locals.app.now(), locals.locale);
  const clock = guestClock(url, request.headers.get("accept-language"), locals.locale);
  const p = await openPoll(locals.app, params.token, {
    timeZone: zone.timeZone,
    locale: locals.locale,
    clock,
  });
  if (!p.ok) error(404, locals.t.t("poll.not_found"));
  // An invitee elsewhere reads the times in their own zone and clock: what was only guessed
  // (the host's zone, the language's clock) is put right before the page paints, as on a
  // booking page (app.html, ADR 056).
  markGuessed(event, { zoneFromUrl: zone.fromUrl, timeZone: p.timeZone, clock });
  const fromLink = url.searchParams.get("voter")?.slice(0, 100) ?? null;
  const held = fromLink ?? cookies.get(VOTER_COOKIE) ?? null;
  const voter = await pollVoter(locals.app, params.token, held);
  // A personal link opened in another browser: that browser holds the voter's token from now on.
  if (voter && fromLink) keepVoter(cookies, url, params.token, fromLink);
  return {
    poll: p,
    voter: voter ? { name: voter.name, email: voter.email, answers: voter.answers } : null,
    voterToken: voter && fromLink ? fromLink : null,
    // The zone field, as on a booking page: a typed zone that matched none or several is said,
    // and a zone the address names (a link's, or typed) is kept by the vote's address.
    zoneNotice: zone.notice,
    zoneFromUrl: zone.fromUrl,
  };
};

const Voter = v.object({ name: GuestFields.entries.name, email: EmailForm.entries.email });

const ANSWERS = new Set(["yes", "maybe", "no"]);

const REFUSAL: Record<string, MessageKey> = {
  closed: "poll.closed",
  full: "poll.full",
  taken: "poll.taken",
  answers: "poll.bad_answers",
};

export const actions: Actions = {
  vote: async ({ locals, params, request, cookies, url, setHeaders }) => {
    const raw: Record<string, string> = {};
    for (const [k, val] of await request.formData()) {
      if (typeof val === "string") raw[k] = val.slice(0, 300);
    }
    // What the invitee sent, to give back as typed with any refusal: their name, their address
    // and every answer (a refused vote used to come back with each time reset to "No", and
    // fixing only the address then stored "No" for every one). Only the page's own answers.
    const answers: Record<string, string> = {};
    for (const [k, val] of Object.entries(raw)) {
      if (/^t\d{1,2}$/.test(k) && ANSWERS.has(val)) answers[k] = val;
    }
    const values = { name: raw.name ?? "", email: raw.email ?? "", answers };
    const parsed = v.safeParse(Voter, values);
    if (!parsed.success) {
      return fail(400, { errors: fieldErrors(parsed.issues, locals.t), values, error: null });
    }
    const zone = pageZone(url.searchParams, locals.app.now(), locals.locale);
    const res = await votePoll(locals.app, params.token, {
      ...parsed.output,
      answers: raw,
      voterToken: raw.voter || cookies.get(VOTER_COOKIE) || null,
      client: locals.clientIp,
      // The page they voted on: its language, the zone its address named, its clock (for their
      // mails once the host picks a time).
      reader: {
        locale: locals.locale,
        ...(zone.timeZone ? { timeZone: zone.timeZone } : {}),
        clock: guestClock(url, request.headers.get("accept-language"), locals.locale),
      },
    });
    if (res.ok) {
      keepVoter(cookies, url, params.token, res.voterToken);
      // Their own link opens in the language they chose here, in whichever browser (ADR 062).
      const lang = keptParams(url).get("lang");
      const voterUrl = lang
        ? withChosenLanguage(res.voterUrl, new URL(res.voterUrl), lang)
        : res.voterUrl;
      return { done: true, values, voterUrl };
    }
    if (res.reason === "not_found") error(404, locals.t.t("poll.not_found"));
    // Votes kept landing before this one for seconds: nothing was stored, send it again soon —
    // said as a poll's words (the booking pages' "many people are booking" was said here).
    if (res.reason === "busy") {
      setHeaders({ "retry-after": String(res.retryAfterS ?? REFUSALS.busy.retryAfterS) });
      return fail(503, { errors: {}, values, error: locals.t.t("poll.busy") });
    }
    if (res.reason === "limited") {
      const s = res.retryAfterS ?? 60;
      setHeaders({ "retry-after": String(s) });
      return fail(429, {
        errors: {},
        values,
        error: locals.t.t("poll.limited", { minutes: Math.ceil(s / 60) }),
      });
    }
    return fail(res.reason === "answers" ? 400 : 409, {
      errors: {},
      values,
      error: locals.t.t(REFUSAL[res.reason]),
    });
  },
};
