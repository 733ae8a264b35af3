/**
 * A routing form's public page (/forms/{owner}/{slug}) and its widget twin: load shows the
 * questions (a view is counted), the form post is checked, routed and stored by one service,
 * and the visitor is sent on. Works without JavaScript: a plain form and a 303, or a page.
 */
import { error, fail, redirect, type RequestEvent } from "@sveltejs/kit";
import { submitForm, type SubmitResult, viewForm } from "../services/routing-visits.ts";
import { fillToken } from "../services/anti-spam.ts";
import { type MessageKey, translateRef } from "../../shared/i18n.ts";
import { ANSWER_PROBLEM_KEYS } from "../../shared/routing-text.ts";
import { FIELD_MAX } from "../../shared/field-bounds.ts";
import { pageMeta } from "./page-meta.ts";
import { parseAccent } from "../../shared/accent.ts";
import { SOURCE_FIELDS, SOURCE_MAX } from "../../shared/booking-extras.ts";
import { parseLayout } from "../domain/slot-layout.ts";
import { type AnswerProblem, prefillAnswers } from "../domain/routing.ts";

type Params = { owner: string; slug: string };

// Every problem readAnswers can name has its words (shared/routing-text.ts).
ANSWER_PROBLEM_KEYS satisfies Record<AnswerProblem, MessageKey>;

export async function loadRoutingForm(event: RequestEvent<Params>) {
  const { locals, params } = event;
  // HEAD and prefetches are not views: only a GET counts.
  const form = await viewForm(
    locals.app,
    params.owner,
    params.slug,
    event.request.method === "GET",
  );
  if (!form) error(404, locals.t.t("errors.no_form"));
  const q = event.url.searchParams;
  return {
    form,
    // A prefill link's answers (`?q_<key>=…`), as starting values only (domain/routing.ts).
    prefill: prefillAnswers(
      form.questions,
      (param) => q.getAll(param).slice(0, 60).map((x) => x.slice(0, FIELD_MAX.text + 1)),
      locals.locale,
    ),
    fillToken: await fillToken(locals.app),
    meta: pageMeta(event, {
      title: `${form.title} · ${form.ownerName}`,
      description: form.description.trim() || form.title,
    }),
  };
}

export async function submitRoutingForm(event: RequestEvent<Params>, widget: boolean) {
  const { locals, params, request } = event;
  const data = await request.formData();
  // Each value kept one character past the longest answer any question allows, so an over-long
  // answer is refused with a message, never cut into a different one (shared/field-bounds.ts).
  const posted = (key: string) =>
    data.getAll(key).slice(0, 60).map((x) =>
      typeof x === "string" ? x.slice(0, FIELD_MAX.text + 1) : ""
    );
  const values: Record<string, string[]> = {};
  const result: SubmitResult = await submitForm(locals.app, {
    owner: params.owner,
    slug: params.slug,
    posted: (key) => (values[key] = posted(key)),
    fillToken: String(data.get("ft") ?? "").slice(0, 200),
    honeypot: String(data.get("website") ?? "").slice(0, 200),
    widget,
    locale: locals.locale,
  });
  if (result.ok && result.kind === "redirect") {
    // Our own booking pages: a plain 303. Another site: a page that sends the visitor on (a
    // redirect from a form post to another origin is refused by the page's form-action policy).
    if (result.location.startsWith("/")) {
      redirect(303, result.location + carried(event, result.location));
    }
    // In the widget, embed.js may take the embedding page there; an address holding the
    // visitor's answers is told only where guest data may go (ADR 046).
    return { sentTo: result.location, sentAnswers: result.carriesAnswers };
  }
  if (result.ok) return { message: result.text };
  if (result.reason === "not_found") error(404, locals.t.t("errors.no_form"));
  if (result.reason === "bot") {
    return fail(400, { values, problem: translateRef(locals.t, result.message), errors: {} });
  }
  if (result.reason === "destination_gone") {
    return fail(409, { values, problem: locals.t.t("rform.gone"), errors: {} });
  }
  const errors: Record<string, string> = {};
  for (const [k, p] of Object.entries(result.problems)) {
    errors[k] = locals.t.t(ANSWER_PROBLEM_KEYS[p as AnswerProblem]);
  }
  return fail(400, { values, problem: locals.t.t("rform.fix"), errors });
}

/**
 * What the booking page a visitor is sent to keeps from the form's address: where they came from
 * (UTM parameters and `ref`, ADR 047: else a routed booking counted as "direct"), the name and
 * email an embed prefilled that the form's answers did not give (the answers win), the slots'
 * layout, the language, zone and clock the link chose, and inside the widget its looks (theme,
 * accent). The booking page cleans them as it
 * cleans its own address, and checks the name and email as it checks its own link's.
 */
function carried(event: RequestEvent, location: string): string {
  const q = new URLSearchParams();
  for (const f of SOURCE_FIELDS) {
    const value = event.url.searchParams.get(f);
    if (value && value.length <= SOURCE_MAX) q.set(f, value);
  }
  const answered = new URL(location, event.url).searchParams;
  for (const f of ["name", "email"]) {
    const value = event.url.searchParams.get(f);
    // Longer than any name or address the booking form takes: left out, never cut short.
    if (value && value.length <= FIELD_MAX.email && !answered.has(f)) q.set(f, value);
  }
  const layout = parseLayout(event.url.searchParams.get("layout"));
  if (layout) q.set("layout", layout);
  // The language the form was shown in, when its link chose one (a host's German link, a
  // German page's popup): else the booking page, and the guest's booking with its mails, fell
  // back to the browser's. The zone and clock the link named (embed.js's `prefill.timeZone`)
  // too; the booking page checks them as it checks its own link's.
  if (event.url.searchParams.has("lang")) q.set("lang", event.locals.locale);
  const tz = event.url.searchParams.get("tz");
  if (tz && tz.length <= 64) q.set("tz", tz);
  const clock = event.url.searchParams.get("clock");
  if (clock === "12h" || clock === "24h") q.set("clock", clock);
  if (!event.route.id?.startsWith("/widget/")) return q.size ? `&${q}` : "";
  const theme = event.url.searchParams.get("theme");
  const accent = parseAccent(event.url.searchParams.get("accent"));
  if (theme === "light" || theme === "dark" || theme === "system") q.set("theme", theme);
  if (accent) q.set("accent", accent.slice(1));
  return q.size ? `&${q}` : "";
}
