/**
 * The routing form pages of the dashboard, for a host's own forms (/dashboard/routing) and a
 * team's (/dashboard/teams/{id}/routing, owners only): the same loads and actions, each given
 * whose forms they are and where their pages live.
 */
import { error, fail, redirect, type RequestEvent } from "@sveltejs/kit";
import {
  createForm,
  definitionFromFields,
  deleteForm,
  destinationChoices,
  destinationValue,
  formFunnel,
  formSummaries,
  getForm,
  saveForm,
  testForm,
} from "../services/routing-forms.ts";
import { responseSummary } from "../services/routing-responses.ts";
import { teamViewOr404 } from "./team-view.ts";
import { readField, readFields } from "../../shared/field-bounds.ts";
import type { Translator } from "../../shared/i18n.ts";
import {
  ANSWER_PROBLEM_KEYS,
  FORM_PROBLEM_KEYS,
  META_PROBLEM_KEYS,
} from "../../shared/routing-text.ts";
import type { AnswerProblem } from "../domain/routing.ts";
import { responseFilter, responseRows, responsesCsvText, routeName } from "./routing-responses.ts";
import { textStream } from "./text-stream.ts";
import { hostClock } from "../../shared/format.ts";
import { addressOr } from "../../shared/slug.ts";
import type { RoutingFormRecord } from "../domain/model/routing-records.ts";

/** How many responses the dashboard lists (the count and the CSV cover all). */
const SHOWN = 200;

/** Whose forms a page shows, where its pages are, and the name in their public address. */
export type FormScope = { ownerId: string; base: string; publicOwner: string };

/** The personal and the team pages alike: a form's `id`, a team's `teamId` where there is one. */
type Event = RequestEvent<{ teamId?: string; id?: string }>;

export function personalScope(event: Event): FormScope {
  const u = event.locals.user!;
  return { ownerId: u.id, base: "/dashboard/routing", publicOwner: u.username };
}

/** A team's forms: its owners edit them; anyone else gets "not found". */
export async function teamScope(event: Event): Promise<FormScope> {
  const view = await teamViewOr404(event);
  if (view.role !== "owner") notFound(event);
  return {
    ownerId: view.team.id,
    base: `/dashboard/teams/${view.team.id}/routing`,
    publicOwner: view.team.slug,
  };
}

const notFound = (event: Event) => error(404, event.locals.t.t("errors.not_found_heading"));

export async function loadFormList(event: Event, scope: FormScope) {
  const { locals, url } = event;
  return {
    scope,
    forms: await formSummaries(locals.app, scope.ownerId),
    deleted: url.searchParams.get("deleted") === "1",
  };
}

export async function createFormAction(event: Event, scope: FormScope) {
  const { request, locals } = event;
  const values = readFields(await request.formData(), { title: "line", slug: "line" });
  // An address left empty comes from the name, as an event type's does (the page's script fills
  // it in as the name is typed; this is the same without it).
  values.slug = addressOr(values.slug, values.title);
  const res = await createForm(locals.app, scope.ownerId, values);
  if (!res.ok) {
    return fail(400, { values, errors: res.problems.map((p) => locals.t.t(META_PROBLEM_KEYS[p])) });
  }
  redirect(303, `${scope.base}/${res.form.id}?created=1`);
}

/** A form as its editor's fields show it: the stored one, or what a refused save posted. */
function editorForm(
  form: Pick<RoutingFormRecord, "id" | "title" | "slug" | "description" | "active" | "definition">,
) {
  return {
    id: form.id,
    title: form.title,
    slug: form.slug,
    description: form.description,
    active: form.active,
    questions: form.definition.questions,
    routes: form.definition.routes.map((r) => ({ ...r, dest: destinationValue(r.destination) })),
    fallback: { ...form.definition.fallback, dest: destinationValue(form.definition.fallback) },
  };
}

export async function loadEditor(event: Event, scope: FormScope) {
  const { locals, params, url } = event;
  const form = await getForm(locals.app, scope.ownerId, params.id ?? "");
  if (!form) notFound(event);
  return {
    scope,
    form: editorForm(form!),
    choices: await destinationChoices(locals.app, scope.ownerId),
    funnel: await formFunnel(locals.app, form!),
    created: url.searchParams.get("created") === "1",
  };
}

export async function saveAction(event: Event, scope: FormScope) {
  const { request, locals, params } = event;
  const data = await request.formData();
  // Every editor field is read at the longest bound any of them has (a message, options):
  // each is then checked for its own kind, never cut short here.
  const get = (name: string) => readField(data, name, "text");
  const meta = {
    title: get("title"),
    slug: get("slug"),
    description: get("description"),
    active: get("active") === "on",
  };
  const definition = definitionFromFields(get, locals.locale);
  const res = await saveForm(locals.app, scope.ownerId, params.id ?? "", meta, definition);
  if (res.ok) return { saved: true };
  if (res.reason !== "invalid") {
    if (res.reason === "not_found") notFound(event);
    return fail(409, { problems: [locals.t.t("routing.conflict")] });
  }
  return fail(400, {
    problems: [
      ...res.meta.map((p) => locals.t.t(META_PROBLEM_KEYS[p])),
      ...res.form.map((p) =>
        `${where(locals.t, p.where)}: ${locals.t.t(FORM_PROBLEM_KEYS[p.problem])}`
      ),
    ],
    // The editor shows what was posted, to fix and save again: it once showed the stored form,
    // and every edit (a new question, the introduction) was gone.
    draft: editorForm({ id: params.id ?? "", ...meta, definition }),
  });
}

export async function testAction(event: Event, scope: FormScope) {
  const { request, locals, params } = event;
  const form = await getForm(locals.app, scope.ownerId, params.id ?? "");
  if (!form) notFound(event);
  const data = await request.formData();
  const sample: Record<string, string[]> = {};
  const res = testForm(
    form!,
    (key) =>
      sample[key] = data.getAll(`t_${key}`).slice(0, 60).map((x) =>
        typeof x === "string" ? x.slice(0, 4001) : ""
      ),
    locals.locale,
  );
  if (!res.ok) {
    // Each question as the editor shows it (its label) and why, as a visitor would read it: the
    // keys alone ("team_size") said neither.
    const testProblems = form!.definition.questions.flatMap((q) => {
      const p = res.problems[q.key] as AnswerProblem | undefined;
      return p ? [{ key: q.key, label: q.label, message: locals.t.t(ANSWER_PROBLEM_KEYS[p]) }] : [];
    });
    return fail(400, { sample, testProblems });
  }
  return { sample, tested: { routeId: res.choice.routeId } };
}

export async function deleteAction(event: Event, scope: FormScope) {
  const { request, locals, params } = event;
  // Responses are people's answers: deleting them takes a tick, not a slip of the finger.
  if (readField(await request.formData(), "confirm", "choice") !== "yes") {
    return fail(400, { deleteProblem: locals.t.t("routing.delete_tick") });
  }
  await deleteForm(locals.app, scope.ownerId, params.id ?? "");
  redirect(303, `${scope.base}?deleted=1`);
}

export async function loadResponses(event: Event, scope: FormScope) {
  const { locals, params, url } = event;
  const form = await getForm(locals.app, scope.ownerId, params.id ?? "");
  if (!form) notFound(event);
  const filter = responseFilter(url);
  const { newest, total } = await responseSummary(locals.app, form!, filter, SHOWN);
  return {
    scope,
    form: { id: form!.id, title: form!.title },
    routes: [...form!.definition.routes.map((r) => r.id), "fallback"].map((id) => ({
      id,
      name: routeName(locals.t, form!, id),
    })),
    filter: { route: filter.routeId ?? "", booked: filter.booked ?? "", q: filter.q ?? "" },
    table: await responseRows(locals.app, locals.t, form!, newest, {
      user: locals.user!,
      timeZone: locals.user!.timeZone,
      locale: locals.locale,
      clock: hostClock(locals.user!, locals.locale),
    }),
    total,
    query: url.search,
  };
}

/** The responses with the page's filters, all of them, as CSV (formula-safe: http/csv.ts), streamed. */
export async function responsesCsv(event: Event, scope: FormScope): Promise<Response> {
  const { locals, params, url } = event;
  const form = await getForm(locals.app, scope.ownerId, params.id ?? "");
  if (!form) notFound(event);
  const text = responsesCsvText(locals.app, locals.t, form!, responseFilter(url));
  return new Response(textStream(text), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="invito-form-${form!.slug}-responses.csv"`,
      "cache-control": "private, no-store",
    },
  });
}

/** "Question 2", "Route 1", "Fallback", "Settings" for a problem's place. */
function where(tr: Translator, w: string): string {
  const t = tr.t;
  const [part, index] = w.split(".");
  const n = Number(index) + 1;
  if (part === "questions") return index ? t("routing.question_n", { n }) : t("routing.questions");
  if (part === "routes") return index ? t("routing.route_n", { n }) : t("routing.routes");
  if (part === "fallback") return t("routing.fallback");
  return t("routing.settings");
}
