/**
 * Routing forms, the visitor's side: a visitor answers a form and is sent on (a booking page with
 * the answers filled in, a team member, an external page, a message); every submission is stored
 * with its route, counted, and announced as `form.submitted`.
 */
import type { App } from "../app.ts";
import {
  type Answers,
  decideRoute,
  type Destination,
  externalUrl,
  prefillFor,
  readAnswers,
  type RoutingQuestion,
} from "../domain/routing.ts";
import type {
  EventTypeRecord,
  RoutedFrom,
  RoutingFormRecord,
  RoutingResponseRecord,
} from "../domain/model/records.ts";
import {
  countRoutingStage,
  getRoutingFormBySlug,
  getRoutingResponse,
  insertRoutingResponse,
} from "../store/routing-forms.ts";
import { countRoutingStep } from "./insights-count.ts";
import { getActiveUser, newId } from "../store/users.ts";
import { getTeam } from "../store/teams.ts";
import { getEventType } from "../store/event-types.ts";
import { eventTypeRules } from "../domain/event-rules.ts";
import { hostEventJob } from "./webhooks.ts";
import { checkFillToken } from "./anti-spam.ts";
import { hmacToken, timingSafeEqual } from "../integrations/crypto.ts";
import { type MessageRef } from "../../shared/i18n.ts";
import { type Owner, ownerByName, SLUG } from "./routing-forms.ts";
import { responseResource } from "./routing-responses.ts";

export type PublicForm = {
  formId: string;
  title: string;
  description: string;
  ownerName: string;
  questions: RoutingQuestion[];
};

async function findPublicForm(app: App, ownerName: string, slug: string) {
  const owner = await ownerByName(app, ownerName);
  if (!owner) return null;
  const s = slug.toLowerCase();
  if (!SLUG.test(s)) return null;
  const form = await getRoutingFormBySlug(app.kv, owner.id, s);
  if (!form || !form.active) return null;
  return { owner, form };
}

function publicView(owner: Owner, form: RoutingFormRecord): PublicForm {
  return {
    formId: form.id,
    title: form.title,
    description: form.description,
    ownerName: owner.name,
    questions: form.definition.questions,
  };
}

/** The public page of a form, counted as a view; null when there is no such live form. */
export async function viewForm(
  app: App,
  ownerName: string,
  slug: string,
  count = true,
): Promise<PublicForm | null> {
  const found = await findPublicForm(app, ownerName, slug);
  if (!found) return null;
  if (count) {
    await countRoutingStage(app.kv, found.form.id, "*", "view");
    void countRoutingStep(app, found.form, { stage: "view" });
  }
  return publicView(found.owner, found.form);
}

export type SubmitResult =
  | {
    ok: true;
    kind: "redirect";
    location: string;
    responseId: string;
    /** The address holds the visitor's answers (another site's, with answers appended). */
    carriesAnswers: boolean;
  }
  | { ok: true; kind: "message"; text: string; responseId: string }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "bot"; message: MessageRef; form: PublicForm }
  | { ok: false; reason: "invalid"; problems: Record<string, string>; form: PublicForm }
  | { ok: false; reason: "destination_gone"; form: PublicForm };

/**
 * A visitor's answers: checked (bot filters, bounds, one-line fields, choices), routed, stored
 * with the route, counted and announced; then where the visitor goes.
 */
export async function submitForm(
  app: App,
  input: {
    owner: string;
    slug: string;
    posted: (key: string) => string[];
    fillToken: string;
    honeypot: string;
    /** Inside the embeddable widget: the booking pages it sends to are the widget's. */
    widget?: boolean;
    /** the page's language, which numbers were typed in */
    locale?: string;
  },
): Promise<SubmitResult> {
  const found = await findPublicForm(app, input.owner, input.slug);
  if (!found) return { ok: false, reason: "not_found" };
  const { owner, form } = found;
  const view = publicView(owner, form);
  await countRoutingStage(app.kv, form.id, "*", "submitted");
  void countRoutingStep(app, form, { stage: "submitted" });
  const human = await checkFillToken(app, input.fillToken, input.honeypot);
  if (!human.ok) return { ok: false, reason: "bot", message: human.message, form: view };
  const read = readAnswers(form.definition.questions, input.posted, input.locale);
  if (!read.ok) return { ok: false, reason: "invalid", problems: read.problems, form: view };
  const choice = decideRoute(form.definition, read.answers);
  const nowMs = app.now();
  const response: RoutingResponseRecord = {
    v: 1,
    id: newId(nowMs),
    formId: form.id,
    ownerId: owner.id,
    answers: read.answers,
    routeId: choice.routeId,
    destination: choice.destination,
    createdAtMs: nowMs,
  };
  const d = choice.destination;
  // The destination is resolved before anything is stored: a deleted event type is said, not
  // counted as routed.
  let location: string | null = null;
  if (d.kind === "event_type") {
    location = await bookingLocation(app, d, form, read.answers, response.id, !!input.widget);
    if (!location) return { ok: false, reason: "destination_gone", form: view };
  } else if (d.kind === "url") location = externalUrl(d, read.answers);
  await insertRoutingResponse(app.kv, response, [announcement(owner, form, response)]);
  app.kickOutbox();
  void countRoutingStep(app, form, {
    stage: "routed",
    routeId: choice.routeId,
    eventTypeId: d.kind === "event_type" ? d.eventTypeId : "",
  });
  const carriesAnswers = d.kind === "event_type" ||
    (d.kind === "url" && d.appendAnswers && Object.keys(read.answers).length > 0);
  return location
    ? { ok: true, kind: "redirect", location, responseId: response.id, carriesAnswers }
    : {
      ok: true,
      kind: "message",
      text: d.kind === "message" ? d.text : "",
      responseId: response.id,
    };
}

/** The booking page of an event type destination, with the answers prefilled and the response named. */
async function bookingLocation(
  app: App,
  d: Extract<Destination, { kind: "event_type" }>,
  form: RoutingFormRecord,
  answers: Answers,
  responseId: string,
  widget: boolean,
): Promise<string | null> {
  const et: EventTypeRecord | null = await getEventType(app.kv, d.ownerId, d.eventTypeId);
  if (!et || !et.active) return null;
  let base: string;
  if (et.teamId) {
    const team = await getTeam(app.kv, et.teamId);
    if (!team) return null;
    base = `${widget ? "/widget" : ""}/team/${team.slug}/${et.slug}`;
  } else {
    const user = await getActiveUser(app.kv, et.userId);
    if (!user) return null;
    base = `${widget ? "/widget" : ""}/${widget ? "" : "calendar/"}${user.username}/${et.slug}`;
  }
  const q = new URLSearchParams(
    prefillFor(form.definition.questions, answers, eventTypeRules(et).questions ?? []),
  );
  q.set("routing", await routingRef(app, form.id, responseId));
  return `${base}?${q}`;
}

/** A booking page's `routing` parameter: the response, signed so it cannot be made up. */
async function routingRef(app: App, formId: string, responseId: string): Promise<string> {
  const sig = (await hmacToken(app.linkKey, "routing-response", formId, responseId)).slice(0, 22);
  return `${formId}.${responseId}.${sig}`;
}

async function readRoutingRef(app: App, ref: string) {
  const [formId, responseId, sig] = ref.slice(0, 200).split(".");
  if (!formId || !responseId || !sig) return null;
  const want = (await hmacToken(app.linkKey, "routing-response", formId, responseId)).slice(0, 22);
  if (!timingSafeEqual(sig, want)) return null;
  const entry = await getRoutingResponse(app.kv, formId, responseId);
  return entry.value ? entry as Deno.KvEntry<RoutingResponseRecord> : null;
}

/**
 * What a routed visitor's booking of `eventTypeId` carries: the response it came from (when the
 * signed reference holds and the route sent them to this event type) and the round-robin member
 * their route names (null: the rotation's fairness picks). Null for anything else: a booking
 * without a valid reference is an ordinary booking, never refused for it.
 */
export async function routedBooking(
  app: App,
  ref: string | undefined,
  eventTypeId: string,
): Promise<{ routing: RoutedFrom; memberId: string | null } | null> {
  if (!ref) return null;
  const entry = await readRoutingRef(app, ref);
  const d = entry?.value.destination;
  if (!entry || d?.kind !== "event_type" || d.eventTypeId !== eventTypeId) return null;
  return {
    routing: { formId: entry.value.formId, responseId: entry.value.id },
    memberId: d.memberId ?? null,
  };
}

/**
 * The member a route pins a round robin's booking to: the one it names while they still host the
 * event type, else nobody (the rotation picks). The page and the booking both ask this: a pin to
 * a member who left showed everyone's times while every booking was refused.
 */
export function pinnedMember(
  memberId: string | null | undefined,
  hosts: readonly { id: string }[],
): string | null {
  return memberId && hosts.some((h) => h.id === memberId) ? memberId : null;
}

/** The round-robin member a routed visitor's booking of `eventTypeId` goes to, if named. */
export async function routedMember(
  app: App,
  ref: string,
  eventTypeId: string,
): Promise<string | null> {
  return (await routedBooking(app, ref, eventTypeId))?.memberId ?? null;
}

/**
 * `form.submitted` to the owner's subscriptions (a team's: its owners'), as an outbox job that
 * rides in the response's own write. A host's own form keeps the plain message id `msg_{response}`.
 */
function announcement(owner: Owner, form: RoutingFormRecord, r: RoutingResponseRecord) {
  const people = owner.kind === "user"
    ? [owner.id]
    : owner.team.members.filter((m) => m.role === "owner").map((m) => m.userId);
  return hostEventJob(
    people,
    "form.submitted",
    { response: responseResource(form, r) },
    r.createdAtMs,
    r.id,
  );
}

/** A response as the API and webhooks show it. */
