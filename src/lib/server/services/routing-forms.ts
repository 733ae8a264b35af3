/**
 * Routing forms (issue 30), the host's side: a host edits forms, tries them and reads the
 * responses. The visitor's side (answer, route, store, count, announce) is in routing-visits.ts.
 * The rules live in domain/routing.ts; this module only reads, decides there, and writes.
 */
import type { App } from "../app.ts";
import {
  type Answers,
  checkForm,
  CONDITION_OPS,
  type ConditionOp,
  decideRoute,
  type Destination,
  type FormProblem,
  readAnswers,
  readNumber,
  type Route,
  type RouteChoice,
  ROUTING_LIMITS,
  ROUTING_QUESTION_TYPES,
  type RoutingFormDefinition,
  type RoutingQuestion,
  type RoutingQuestionType,
  splitOneOf,
} from "../domain/routing.ts";
import type {
  BookingRecord,
  RoutedFrom,
  RoutingFormRecord,
  RoutingResponseRecord,
  TeamRecord,
  UserRecord,
} from "../domain/model/records.ts";
import {
  eraseRoutingResponses,
  getRoutingForm,
  getRoutingResponse,
  getRoutingResponseOfBooking,
  insertRoutingForm,
  listRoutingForms,
  readRoutingCounts,
  removeRoutingForm,
  updateRoutingForm,
} from "../store/routing-forms.ts";
import { getActiveUser, getUserByUsername, newId } from "../store/users.ts";
import { getBooking } from "../store/bookings.ts";
import type { BookingId } from "../store/keys.ts";
import { meetingUid } from "../domain/calendar-identity.ts";
import { getTeam, getTeamBySlug, getUsers, listTeamsOf } from "../store/teams.ts";
import { listEventTypes } from "../store/event-types.ts";
import { messageRef } from "../../shared/i18n.ts";
import { FIELD_MAX } from "../../shared/field-bounds.ts";
import { isMultiLineText, isOneLine } from "../../shared/text.ts";

export type { RoutingFormRecord, RoutingResponseRecord };

export const SLUG = /^[a-z0-9][a-z0-9-]{0,59}$/;

// ---------------------------------------------------------------------------------------------
// The host's side

/** A form as a new one starts: name and email asked, everyone thanked. */
function starterDefinition(): RoutingFormDefinition {
  return {
    questions: [
      { key: "name", type: "short", label: "Name", required: true },
      { key: "email", type: "email", label: "Email", required: true },
    ],
    routes: [],
    fallback: { kind: "message", text: "Thank you! We will be in touch." },
  };
}

export type FormMeta = { title: string; slug: string; description: string; active: boolean };
export type MetaProblem = "title" | "slug" | "slug_taken" | "description";

function checkMeta(m: FormMeta): MetaProblem[] {
  const out: MetaProblem[] = [];
  if (!m.title.trim() || m.title.length > FIELD_MAX.line || !isOneLine(m.title)) {
    out.push("title");
  }
  if (!SLUG.test(m.slug)) out.push("slug");
  if (m.description.length > FIELD_MAX.text || !isMultiLineText(m.description)) {
    out.push("description");
  }
  return out;
}

export async function listForms(app: App, ownerId: string) {
  const forms = await listRoutingForms(app.kv, ownerId);
  return forms.sort((a, b) => a.createdAtMs - b.createdAtMs);
}

export async function getForm(app: App, ownerId: string, formId: string) {
  if (formId.length > FIELD_MAX.id) return null;
  return (await getRoutingForm(app.kv, ownerId, formId)).value;
}

export type CreateFormResult =
  | { ok: true; form: RoutingFormRecord }
  | { ok: false; problems: MetaProblem[] };

export async function createForm(
  app: App,
  ownerId: string,
  input: { title: string; slug: string },
): Promise<CreateFormResult> {
  const meta: FormMeta = {
    title: input.title.trim(),
    slug: input.slug.trim().toLowerCase(),
    description: "",
    active: true,
  };
  const problems = checkMeta(meta);
  if (problems.length) return { ok: false, problems };
  const nowMs = app.now();
  const rec: RoutingFormRecord = {
    v: 1,
    id: newId(nowMs),
    ownerId,
    ...meta,
    definition: starterDefinition(),
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  if (!(await insertRoutingForm(app.kv, rec))) return { ok: false, problems: ["slug_taken"] };
  return { ok: true, form: rec };
}

export type SaveFormResult =
  | { ok: true; form: RoutingFormRecord }
  | { ok: false; reason: "not_found" | "conflict" }
  | {
    ok: false;
    reason: "invalid";
    meta: MetaProblem[];
    form: { where: string; problem: FormProblem }[];
  };

/** Replaces a form's settings, questions and routes (everything checked; nothing half-saved). */
export async function saveForm(
  app: App,
  ownerId: string,
  formId: string,
  meta: FormMeta,
  definition: RoutingFormDefinition,
): Promise<SaveFormResult> {
  const m = { ...meta, title: meta.title.trim(), slug: meta.slug.trim().toLowerCase() };
  const metaProblems = checkMeta(m);
  const formProblems = checkForm(definition);
  // Destinations must be event types the owner may send people to, as they are now.
  const allowed = await destinationChoices(app, ownerId);
  const dests: [string, Destination][] = [
    ...definition.routes.map((r, i) => [`routes.${i}`, r.destination] as [string, Destination]),
    ["fallback", definition.fallback],
  ];
  for (const [where, d] of dests) {
    if (d.kind === "event_type" && !allowed.some((c) => c.value === destinationValue(d))) {
      formProblems.push({ where, problem: "destination" });
    }
  }
  if (metaProblems.length || formProblems.length) {
    return { ok: false, reason: "invalid", meta: metaProblems, form: formProblems };
  }
  const prev = await getRoutingForm(app.kv, ownerId, formId);
  if (!prev.value) return { ok: false, reason: "not_found" };
  const next: RoutingFormRecord = { ...prev.value, ...m, definition, updatedAtMs: app.now() };
  const res = await updateRoutingForm(app.kv, prev as Deno.KvEntry<RoutingFormRecord>, next);
  if (res === "conflict") return { ok: false, reason: "conflict" };
  if (res === "slug_taken") {
    return { ok: false, reason: "invalid", meta: ["slug_taken"], form: [] };
  }
  return { ok: true, form: next };
}

export async function deleteForm(app: App, ownerId: string, formId: string): Promise<boolean> {
  const form = await getForm(app, ownerId, formId);
  if (!form) return false;
  await removeRoutingForm(app.kv, form);
  return true;
}

/** Every form of an owner with its responses and counts (an account that closes). */
export async function deleteOwnerForms(app: App, ownerId: string): Promise<void> {
  for (const form of await listRoutingForms(app.kv, ownerId)) {
    await removeRoutingForm(app.kv, form);
  }
}

/** One event type (or one round-robin member of it) a form may send visitors to. */
export type DestinationChoice = {
  /** `et:{ownerId}:{eventTypeId}` or `et:{ownerId}:{eventTypeId}:{memberId}`. */
  value: string;
  label: string;
  /** Switched off: still a choice (the host may switch it on again), but visitors sent there cannot book. */
  off?: true;
};

export function destinationValue(d: Destination): string {
  if (d.kind !== "event_type") return d.kind;
  return `et:${d.ownerId}:${d.eventTypeId}${d.memberId ? `:${d.memberId}` : ""}`;
}

const offOf = (et: { active: boolean }) => (et.active ? {} : { off: true as const });

/**
 * Where a host's forms may send people: their own event types, and the event types of their
 * teams (a round robin also member by member).
 */
export async function destinationChoices(app: App, ownerId: string): Promise<DestinationChoice[]> {
  const out: DestinationChoice[] = [];
  // A team's forms send people to the team's own event types.
  const ownerTeam = await getTeam(app.kv, ownerId);
  const teams = ownerTeam ? [ownerTeam] : await listTeamsOf(app.kv, ownerId);
  if (!ownerTeam) {
    for (const et of await listEventTypes(app.kv, ownerId)) {
      out.push({ value: `et:${ownerId}:${et.id}`, label: et.title, ...offOf(et) });
    }
  }
  for (const team of teams) {
    const ets = await listEventTypes(app.kv, team.id);
    const people = await getUsers(app.kv, team.members.map((m) => m.userId));
    for (const et of ets) {
      if (!et.teamMode) continue;
      out.push({
        value: `et:${team.id}:${et.id}`,
        label: `${team.name}: ${et.title}`,
        ...offOf(et),
      });
      if (et.teamMode !== "round_robin") continue;
      for (const id of et.hostIds ?? []) {
        const u = people.find((p) => p.id === id);
        if (u) {
          out.push({
            value: `et:${team.id}:${et.id}:${id}`,
            label: `${team.name}: ${et.title} → ${u.name}`,
            ...offOf(et),
          });
        }
      }
    }
  }
  return out;
}

/**
 * The editor's fields as a form definition. Rows with an empty key (a question) or an empty
 * question (a condition) are left out: that is how a row is removed, and how the blank row at the
 * end stays unused. A route is removed with its "remove" box.
 */
export function definitionFromFields(
  get: (name: string) => string,
  /** the editor's language: a number in a rule is read as its host writes numbers */
  locale?: string,
): RoutingFormDefinition {
  const questions: RoutingQuestion[] = [];
  for (let i = 0; i <= ROUTING_LIMITS.questions; i++) {
    const key = get(`q${i}_key`).trim().toLowerCase();
    if (!key) continue;
    const type = get(`q${i}_type`) as RoutingQuestionType;
    const q: RoutingQuestion = {
      key,
      type: ROUTING_QUESTION_TYPES.includes(type) ? type : "short",
      label: get(`q${i}_label`).trim(),
      required: get(`q${i}_required`) === "on",
    };
    if (q.type === "select" || q.type === "multi") {
      q.options = get(`q${i}_options`).split(/\r?\n/).map((o) => o.trim()).filter(Boolean);
    }
    questions.push(q);
  }
  const dest = (p: string): Destination => {
    const kind = get(`${p}_dest`);
    if (kind === "url") {
      return {
        kind: "url",
        url: get(`${p}_url`).trim(),
        appendAnswers: get(`${p}_append`) === "on",
      };
    }
    if (kind.startsWith("et:")) {
      const [, ownerId, eventTypeId, memberId] = kind.split(":");
      return {
        kind: "event_type",
        ownerId: ownerId ?? "",
        eventTypeId: eventTypeId ?? "",
        ...(memberId ? { memberId } : {}),
      };
    }
    return { kind: "message", text: get(`${p}_message`).trim() };
  };
  const routes: Route[] = [];
  for (let i = 0; i <= ROUTING_LIMITS.routes; i++) {
    const id = get(`r${i}_id`);
    if (!id || get(`r${i}_remove`) === "on") continue;
    if (id === "new" && !get(`r${i}_dest`)) continue;
    const conditions = [];
    for (let j = 0; j <= ROUTING_LIMITS.conditions; j++) {
      const key = get(`r${i}_c${j}_key`).trim();
      if (!key) continue;
      const op = get(`r${i}_c${j}_op`) as ConditionOp;
      const raw = get(`r${i}_c${j}_value`);
      const values = op === "one_of"
        ? splitOneOf(raw, questions.find((q) => q.key === key)?.options)
        : [raw.trim()];
      // Answers to a number question are stored as numbers (readAnswers), so its rule's values
      // and every comparison's are too; what is no number stays as typed, for the check to name.
      const numeric = ["gt", "gte", "lt", "lte"].includes(op) ||
        questions.find((q) => q.key === key)?.type === "number";
      conditions.push({
        key,
        op: CONDITION_OPS.includes(op) ? op : "equals",
        values: numeric ? values.map((x) => readNumber(x, locale) ?? x) : values,
      });
    }
    routes.push({
      id: id === "new" ? `r_${newId(Date.now()).slice(-10).toLowerCase()}` : id.slice(0, 40),
      match: get(`r${i}_match`) === "any" ? "any" : "all",
      conditions,
      destination: dest(`r${i}`),
    });
  }
  return { questions, routes, fallback: dest("fb") };
}

/** "Test the form": the route a sample answer set takes, without storing or counting anything. */
export function testForm(
  form: RoutingFormRecord,
  posted: (key: string) => string[],
  locale?: string,
):
  | { ok: true; choice: RouteChoice; answers: Answers }
  | { ok: false; problems: Record<string, string> } {
  const read = readAnswers(
    form.definition.questions.map((q) => ({ ...q, required: false })),
    posted,
    locale,
  );
  if (!read.ok) return { ok: false, problems: read.problems };
  return { ok: true, choice: decideRoute(form.definition, read.answers), answers: read.answers };
}

export type FormFunnel = {
  views: number;
  submitted: number;
  routes: { routeId: string; routed: number; booked: number }[];
};

/** Form views → submissions → routed → booked, per route (the fallback last). */
export async function formFunnel(app: App, form: RoutingFormRecord): Promise<FormFunnel> {
  const c = await readRoutingCounts(app.kv, form.id);
  const ids = [...form.definition.routes.map((r) => r.id), "fallback"];
  // Routes removed since keep their counts under their old id.
  for (const id of Object.keys(c)) if (id !== "*" && !ids.includes(id)) ids.push(id);
  return {
    views: c["*"]?.view ?? 0,
    submitted: c["*"]?.submitted ?? 0,
    routes: ids.map((routeId) => ({
      routeId,
      routed: c[routeId]?.routed ?? 0,
      booked: c[routeId]?.booked ?? 0,
    })),
  };
}

/** Each of an owner's forms with its funnel summed over its routes (lists, insights). */
export async function formSummaries(app: App, ownerId: string) {
  const forms = await listForms(app, ownerId);
  return await Promise.all(forms.map(async (f) => {
    const funnel = await formFunnel(app, f);
    return {
      id: f.id,
      title: f.title,
      slug: f.slug,
      active: f.active,
      views: funnel.views,
      submitted: funnel.submitted,
      routed: funnel.routes.reduce((n, r) => n + r.routed, 0),
      booked: funnel.routes.reduce((n, r) => n + r.booked, 0),
    };
  }));
}

/** The response a booking followed (shown with the booking), for its host or team. */
export async function responseOfBooking(app: App, b: BookingRecord) {
  let r = await getRoutingResponseOfBooking(app.kv, b.id);
  // Just booked: the link lands on the runner's path after the commit (routing-booked.ts); until
  // then the booking's own reference names its response (unless another booking took it). A
  // moved meeting carries its first booking's reference: the response linked to that one is
  // its own (the same meeting), a second booking from the same visit is not.
  const from = b.routing;
  if (!r && from) {
    const cur = (await getRoutingResponse(app.kv, from.formId, from.responseId)).value;
    if (cur && (!cur.bookingId || cur.bookingId === b.id)) r = cur;
    else if (cur?.bookingId && b.rescheduledFromId) {
      const first = await getBooking(app.kv, cur.bookingId as BookingId);
      const host = app.config.baseUrl.hostname;
      if (first && meetingUid(first, host) === meetingUid(b, host)) r = cur;
    }
  }
  if (!r) return null;
  const owner = await ownerOfId(app, r.ownerId);
  const form = (await getRoutingForm(app.kv, r.ownerId, r.formId)).value;
  const labels = Object.fromEntries(
    (form?.definition.questions ?? []).map((q) => [q.key, q.label]),
  );
  return {
    formTitle: form?.title ?? "",
    formId: r.formId,
    ownerName: owner?.name ?? "",
    routeId: r.routeId,
    createdAtMs: r.createdAtMs,
    erased: !!r.erasedAtMs,
    answers: Object.entries(r.answers).map(([key, a]) => ({
      key,
      label: labels[key] ?? key,
      value: Array.isArray(a) ? a.join(", ") : a,
    })),
  };
}

/**
 * Erases a guest's answers in the routing responses of `ownerIds`' forms (ADR 022 "erase a
 * guest"; which owners a host answers for: routing-access.ts): those holding their address, and
 * those their bookings (`booked`) followed — a visitor routed to a booking page is the guest
 * who booked there, even when the form asked no address.
 */
export async function eraseGuestResponses(
  app: App,
  ownerIds: string[],
  email: string,
  booked: { id: string; routing?: RoutedFrom }[],
): Promise<number> {
  let n = 0;
  for (const ownerId of ownerIds) {
    n += await eraseRoutingResponses(app.kv, ownerId, email, booked, app.now());
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// The visitor's side

export type Owner =
  | { kind: "user"; id: string; name: string; user: UserRecord }
  | { kind: "team"; id: string; name: string; team: TeamRecord };

async function ownerOfId(app: App, id: string): Promise<Owner | null> {
  const user = await getActiveUser(app.kv, id);
  if (user) return { kind: "user", id, name: user.name, user };
  const team = await getTeam(app.kv, id);
  return team ? { kind: "team", id, name: team.name, team } : null;
}

/** `/forms/{owner}/…`: a host's username, else a team's slug. */
export async function ownerByName(app: App, name: string): Promise<Owner | null> {
  const n = name.toLowerCase().slice(0, 64);
  const user = await getUserByUsername(app.kv, n);
  if (user && !user.closedAtMs) return { kind: "user", id: user.id, name: user.name, user };
  if (!/^[a-z0-9-]{1,64}$/.test(n)) return null;
  const team = await getTeamBySlug(app.kv, n);
  return team ? { kind: "team", id: team.id, name: team.name, team } : null;
}

/** A form as the API shows it, with the team it belongs to (null: the host's own). */
export function formResource(form: RoutingFormRecord, team: TeamRecord | null = null) {
  return {
    id: form.id,
    team: team ? { id: team.id, slug: team.slug, name: team.name } : null,
    slug: form.slug,
    title: form.title,
    description: form.description,
    active: form.active,
    questions: form.definition.questions,
    routes: form.definition.routes,
    fallback: form.definition.fallback,
    createdAt: new Date(form.createdAtMs).toISOString(),
    updatedAt: new Date(form.updatedAtMs).toISOString(),
  };
}

export { messageRef };
