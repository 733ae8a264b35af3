/**
 * Event types (host): list, create, read, change, delete. Bodies go through the event type
 * editor's own schema, so the API and the dashboard enforce the same rules.
 */
import * as v from "valibot";
import type { EventTypeRecord, UserRecord } from "../../domain/model/records.ts";
import { type ApiResponse, ok, problem } from "../http.ts";
import * as S from "../schemas/index.ts";
import { eventTypeValuesOf } from "../../../shared/forms/event-type-editor.ts";
import { LOCATION_ROWS, newQuestionId } from "../../../shared/forms/event-type-options.ts";
import { EventTypeForm } from "../../../shared/forms/event-types.ts";
import {
  createEventType,
  deleteEventType,
  editEventType,
  findEventType,
  listOwnEventTypes,
} from "../../services/event-types.ts";
import { eventTypeRules } from "../../domain/event-rules.ts";
import {
  type Ctx,
  issuesToFields,
  locationOf,
  readOnlyRefusal,
  refused,
  replayable,
  type Route,
  stripUndefined,
  writable,
} from "./context.ts";

function eventTypeResource(ctx: Ctx, host: UserRecord, et: EventTypeRecord) {
  const r = eventTypeRules(et);
  return {
    id: et.id,
    title: et.title,
    slug: et.slug,
    description: et.description,
    durationMin: et.durationMin,
    durations: r.durations,
    requiresConfirmation: et.requiresConfirmation,
    bookingWindowDays: et.bookingWindowDays,
    color: et.color,
    active: et.active,
    confirmedMessage: et.confirmedMessage,
    rejectedMessage: et.rejectedMessage,
    bufferBeforeMin: r.bufferBeforeMin,
    bufferAfterMin: r.bufferAfterMin,
    minNoticeMin: r.minNoticeMin,
    notSameDay: r.notSameDay,
    intervalMin: r.intervalMin,
    maxPerDay: r.maxPerDay,
    maxPerWeek: r.maxPerWeek,
    seats: et.seats ?? null,
    series: et.series ?? null,
    location: r.location,
    locations: r.locations,
    questions: r.questions,
    reminders: r.reminders,
    cancelCutoffHours: r.cancelCutoffHours,
    maxGuests: r.maxGuests,
    createdAt: new Date(et.createdAtMs).toISOString(),
    updatedAt: new Date(et.updatedAtMs).toISOString(),
    bookingPage: `${ctx.base}/calendar/${host.username}/${et.slug}`,
  };
}

type EventTypeJson = v.InferOutput<typeof S.EventTypePatch>;

/**
 * Form field names → the API's, for messages from the event type editor's schema. The editor's
 * location rows are the request's `locations` entries, or its single `location` when it sent that.
 */
function eventTypeField(path: string, sentLocations: boolean): string {
  const row = LOCATION_ROWS.findIndex((r) => (r as readonly string[]).includes(path));
  if (row >= 0) {
    const part = path === LOCATION_ROWS[row][0] ? "kind" : "value";
    return sentLocations ? `locations.${row}.${part}` : `location.${part}`;
  }
  return path
    .replace(/^minNotice(Unit)?$/, "minNoticeMin")
    .replace(/^durationsOther$/, "durations")
    .replace(/^seriesEveryWeeks$/, "series.everyWeeks")
    .replace(/^seriesCount$/, "series.count")
    .replace(/^reminders\.(\d+)\.(minutes|when)$/, "reminders.$1.minutesBefore");
}

/**
 * API JSON → the editor's values → the editor's own schema: every rule the dashboard form
 * enforces (lengths offered, location details, question options, reminders) applies as written.
 */
function checkEventType(
  ctx: Ctx,
  base: Omit<EventTypeRecord, "v" | "id" | "userId" | "createdAtMs" | "updatedAtMs">,
  patch: EventTypeJson,
) {
  const merged = { ...base, ...stripUndefined(patch) };
  // A single `location` replaces every offered place; `locations` wins when both are sent.
  if (patch.locations !== undefined) merged.location = patch.locations[0];
  else if (patch.location !== undefined) merged.locations = [patch.location];
  if (patch.durationMin !== undefined && patch.durations === undefined) {
    merged.durations = [...new Set([patch.durationMin, ...(base.durations ?? [])])];
  }
  const values = eventTypeValuesOf(
    {
      ...merged,
      durations: merged.durations ?? [merged.durationMin],
      questions: (merged.questions ?? []).map((q) => ({
        id: q.id ?? newQuestionId(),
        label: q.label,
        type: q.type,
        required: q.required ?? false,
        ...(q.options ? { options: q.options } : {}),
      })),
    } as Parameters<typeof eventTypeValuesOf>[0],
  );
  // A list of lengths must be ticks for the editor, even a single one other than the default.
  values.durations = (merged.durations ?? []).map(String);
  const parsed = v.safeParse(EventTypeForm, values);
  if (!parsed.success) {
    return {
      ok: false as const,
      res: problem(ctx.base, "validation", {
        errors: issuesToFields(parsed.issues).map((e) => ({
          ...e,
          field: eventTypeField(e.field, patch.locations !== undefined),
        })),
      }),
    };
  }
  return { ok: true as const, input: parsed.output };
}

const NEW_EVENT_TYPE = {
  description: "",
  requiresConfirmation: true,
  bookingWindowDays: 60,
  color: "#2549ea",
  active: true,
  confirmedMessage: "",
  rejectedMessage: "",
};

async function listEventTypes(ctx: Ctx): Promise<ApiResponse> {
  const host = ctx.auth!.host;
  const list = await listOwnEventTypes(ctx.app, host);
  return ok({ data: list.map((et) => eventTypeResource(ctx, host, et)) });
}

async function createOneEventType(ctx: Ctx): Promise<ApiResponse> {
  const host = ctx.auth!.host;
  const body = ctx.body as v.InferOutput<typeof S.EventTypeCreate>;
  const checked = checkEventType(
    ctx,
    { ...NEW_EVENT_TYPE, title: body.title, slug: body.slug, durationMin: body.durationMin },
    body,
  );
  if (!checked.ok) return checked.res;
  const run = async () => {
    const res = await createEventType(ctx.app, host, checked.input);
    if (!res.ok) return refused(ctx, res.reason);
    return ok(eventTypeResource(ctx, host, res.record), 201, {
      location: locationOf(ctx, "/event-types", res.record.id),
    });
  };
  return ctx.idempotencyKey ? await replayable(ctx, run, "/event-types") : await run();
}

async function getOneEventType(ctx: Ctx): Promise<ApiResponse> {
  const host = ctx.auth!.host;
  const et = await findEventType(ctx.app, host, ctx.params.id);
  return et ? ok(eventTypeResource(ctx, host, et)) : refused(ctx, "not_found");
}

async function patchEventType(ctx: Ctx): Promise<ApiResponse> {
  const host = ctx.auth!.host;
  const run = async () => {
    const et = await findEventType(ctx.app, host, ctx.params.id);
    if (!et) return refused(ctx, "not_found");
    const body = ctx.body as Record<string, unknown>;
    const current = eventTypeResource(ctx, host, et);
    const changed = readOnlyRefusal(ctx, S.EVENT_TYPE_READ_ONLY, body, current);
    if (changed) return changed;
    const checked = checkEventType(
      ctx,
      et,
      writable(S.EVENT_TYPE_READ_ONLY, body) as EventTypeJson,
    );
    if (!checked.ok) return checked.res;
    const res = await editEventType(ctx.app, host, et.id, checked.input);
    if (!res.ok) return refused(ctx, res.reason);
    return ok(eventTypeResource(ctx, host, res.record));
  };
  return ctx.idempotencyKey ? await replayable(ctx, run) : await run();
}

async function deleteOneEventType(ctx: Ctx): Promise<ApiResponse> {
  const host = ctx.auth!.host;
  const gone = await deleteEventType(ctx.app, host, ctx.params.id);
  return gone ? { status: 204 } : refused(ctx, "not_found");
}

/** GET/POST /event-types, GET/PATCH/DELETE /event-types/{id} */
export const eventTypeRoutes: Route[] = [
  {
    method: "GET",
    path: "/event-types",
    operationId: "listEventTypes",
    summary: "Your event types",
    tag: "Event types",
    auth: "read",
    success: { 200: "EventTypeList" },
    problems: [401, 403, 429],
    run: listEventTypes,
  },
  {
    method: "POST",
    path: "/event-types",
    operationId: "createEventType",
    summary: "Create an event type",
    tag: "Event types",
    auth: "write",
    body: S.EventTypeCreate,
    bodyName: "EventTypeCreate",
    idempotency: "optional",
    success: { 201: "EventType" },
    problems: [400, 401, 403, 409, 413, 415, 429],
    run: createOneEventType,
  },
  {
    method: "GET",
    path: "/event-types/{id}",
    operationId: "getEventType",
    summary: "One of your event types",
    tag: "Event types",
    auth: "read",
    params: S.EventTypeIdParams,
    success: { 200: "EventType" },
    problems: [401, 403, 404, 429],
    run: getOneEventType,
  },
  {
    method: "PATCH",
    path: "/event-types/{id}",
    operationId: "updateEventType",
    summary: "Change an event type (fields not sent stay as they are)",
    tag: "Event types",
    auth: "write",
    params: S.EventTypeIdParams,
    body: S.EventTypePatch,
    bodyName: "EventTypePatch",
    idempotency: "optional",
    success: { 200: "EventType" },
    problems: [400, 401, 403, 404, 409, 413, 415, 429],
    run: patchEventType,
  },
  {
    method: "DELETE",
    path: "/event-types/{id}",
    operationId: "deleteEventType",
    summary: "Delete an event type (its bookings stay)",
    tag: "Event types",
    auth: "write",
    params: S.EventTypeIdParams,
    success: { 204: null },
    problems: [401, 403, 404, 429],
    run: deleteOneEventType,
  },
];
