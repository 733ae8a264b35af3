/**
 * The JSON API v1: one table of routes. Each names its schemas (validated here, documented in the
 * OpenAPI document from the same objects), the scope it needs, whether it takes an
 * Idempotency-Key, and a handler that calls one service and maps its result. Refusals come from
 * the shared table (`shared/refusals.ts`), so the API and the pages say the same thing.
 */
import * as v from "valibot";
import type { App } from "../app.ts";
import type { Authenticated } from "../services/api-keys.ts";
import type { BookingRecord, EventTypeRecord, UserRecord } from "../store/records.ts";
import { type ApiResponse, type FieldError, ok, problem } from "./http.ts";
import * as S from "./schemas.ts";
import { isRefusalReason, isRetryable } from "../../shared/refusals.ts";
import { Temporal } from "../domain/temporal.ts";
import { translateRef } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { getHostPage, getSlotRange, type PublicEventType } from "../services/public-calendar.ts";
import { bookSlot } from "../services/book-slot.ts";
import { countBooked, countBookingChange, countRescheduled } from "../services/insights-count.ts";
import { recordBookingOutcome } from "../ops/metrics.ts";
import {
  decideBooking,
  type DecideResult,
  rescheduleByHost,
  type RescheduleResult,
} from "../services/decide-booking.ts";
import { bookingResource, bookingState } from "../services/booking-resource.ts";
import {
  type Answer,
  type CommitTarget,
  requestFingerprint,
  runIdempotent,
} from "../services/idempotency.ts";
import { getUserByUsernameCached } from "../store/users.ts";
import { getBooking } from "../store/bookings.ts";
import { listHostBookingsAfter, listHostBookingsAt } from "../store/booking-list.ts";
import type { ExtraWrite } from "../domain/booking-engine.ts";
import {
  BookingForm,
  EventTypeForm,
  eventTypeValuesOf,
  newQuestionId,
} from "../../shared/forms.ts";
import {
  createEventType,
  deleteEventType,
  editEventType,
  findEventType,
  listOwnEventTypes,
} from "../services/event-types.ts";
import { eventTypeRules } from "../domain/event-rules.ts";
import { getAvailabilityRules, saveAvailability } from "../services/availability.ts";
import type { DateOverride, TimeOff, WeeklyRules } from "../domain/availability.ts";
import {
  createSubscription,
  deleteSubscription,
  deliveryLog,
  getSubscription,
  listHostSubscriptions,
  redeliver,
  rotateSecret,
  sendTestEvent,
  type SubscriptionRefusal,
  updateSubscription,
  viewSubscription,
} from "../services/webhooks.ts";
import { base64url, fromBase64url } from "../integrations/crypto.ts";
import type { WebhookEvent } from "../store/records.ts";

// --- the route table ---------------------------------------------------------------------------

export type Ctx = {
  app: App;
  req: Request;
  ip: string;
  /** The request path below /api/v1, e.g. "/bookings/01J…/confirm". */
  path: string;
  base: string;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  auth: Authenticated | null;
  idempotencyKey: string | null;
};

type AnySchema = v.GenericSchema;

export type Route = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** OpenAPI path template below /api/v1. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: "Public" | "Bookings" | "Event types" | "Availability" | "Account" | "Webhooks";
  auth: "none" | "read" | "write";
  params?: AnySchema;
  query?: AnySchema;
  body?: AnySchema;
  bodyName?: keyof typeof S.COMPONENTS;
  idempotency?: "required" | "optional";
  /** Success statuses → component name (or null for no body). */
  success: Record<number, keyof typeof S.COMPONENTS | null>;
  /** Problem statuses this route may answer (besides the ones every route may). */
  problems: number[];
  run: (ctx: Ctx) => Promise<ApiResponse>;
};

const refused = (ctx: Ctx, reason: string, extra: { errors?: FieldError[] } = {}) =>
  problem(ctx.base, isRefusalReason(reason) ? reason : "not_found", extra);

const keyScope = (ctx: Ctx) => (ctx.auth ? `key:${ctx.auth.key.id}` : "anon");

/**
 * Runs a state change under the request's Idempotency-Key: replays, refuses reuse and
 * concurrency, and stores the answer. Refusals that may pass on a retry are not kept.
 */
async function idempotent(
  ctx: Ctx,
  scope: string,
  change: (extraFor: (t: CommitTarget) => ExtraWrite[]) => Promise<ApiResponse | "duplicate">,
  recover: (target: CommitTarget) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const fingerprint = await requestFingerprint(ctx.req.method, ctx.path, ctx.body);
  const out = await runIdempotent(
    ctx.app,
    { scope, key: ctx.idempotencyKey!, fingerprint },
    async (extraFor) => {
      const res = await change(extraFor);
      if (res === "duplicate") return { duplicate: true };
      const reason = (res.body as { reason?: string } | undefined)?.reason;
      const retryable = res.status >= 400 && reason !== undefined && isRefusalReason(reason) &&
        isRetryable(reason);
      return { answer: { status: res.status, body: res.body ?? null }, keep: !retryable };
    },
    async (commit) => toAnswer(await recover(commit.target)),
  );
  if (!out.ok) return problem(ctx.base, out.reason);
  if (out.answer.body === null && out.answer.status >= 400) {
    return problem(ctx.base, "duplicate_request");
  }
  return {
    status: out.answer.status,
    body: out.answer.body ?? undefined,
    headers: out.replayed ? { "idempotent-replayed": "true" } : undefined,
  };
}

const toAnswer = (r: ApiResponse): Answer => ({ status: r.status, body: r.body ?? null });

// --- public ------------------------------------------------------------------------------------

function publicEventType(ctx: Ctx, username: string, et: PublicEventType) {
  return {
    slug: et.slug,
    title: et.title,
    description: et.description,
    durationMin: et.durationMin,
    durations: et.durations,
    requiresConfirmation: et.requiresConfirmation,
    location: et.location,
    questions: et.questions,
    links: {
      page: `${ctx.base}/calendar/${username}/${et.slug}`,
      slots: `${ctx.base}/api/v1/users/${username}/event-types/${et.slug}/slots`,
    },
  };
}

async function listPublicEventTypes(ctx: Ctx): Promise<ApiResponse> {
  const page = await getHostPage(ctx.app, ctx.params.username.toLowerCase());
  if (!page) return refused(ctx, "not_found");
  return ok({
    host: page.host,
    eventTypes: page.eventTypes.map((et) => publicEventType(ctx, page.host.username, et)),
  });
}

async function getPublicEventType(ctx: Ctx): Promise<ApiResponse> {
  const page = await getHostPage(ctx.app, ctx.params.username.toLowerCase());
  const et = page?.eventTypes.find((e) => e.slug === ctx.params.slug.toLowerCase());
  if (!page || !et) return refused(ctx, "not_found");
  return ok({ host: page.host, eventType: publicEventType(ctx, page.host.username, et) });
}

const P2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const DAY_MS = 86_400_000;
let prefixDay = NaN;
let prefixText = "";

/**
 * "2026-11-23T08:00:00" for an epoch ms on a whole second, from arithmetic: a 30-day answer
 * writes ~1,000 of these, and `Date#toISOString` for each cost more than the rest of the request.
 */
function isoSeconds(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== prefixDay) {
    prefixDay = day;
    prefixText = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const r = ms - day * DAY_MS;
  if (r % 1000 !== 0) return new Date(ms).toISOString().slice(0, 19);
  return prefixText + P2[Math.floor(r / 3_600_000)] + ":" + P2[Math.floor(r / 60_000) % 60] +
    ":" + P2[Math.floor(r / 1000) % 60];
}

/**
 * Wall-time strings for many instants in one zone: the offset is looked up once and again only
 * past the zone's next transition (slots come in order), not once per slot.
 */
function localFormatter(timeZone: string) {
  let validUntil = -Infinity;
  let validFrom = Infinity;
  let offsetMs = 0;
  let offsetText = "Z";
  return (ms: number) => {
    if (ms >= validUntil || ms < validFrom) {
      const zdt = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone);
      offsetMs = zdt.offsetNanoseconds / 1e6;
      offsetText = zdt.offset;
      validFrom = ms;
      validUntil = zdt.getTimeZoneTransition("next")?.epochMilliseconds ?? Infinity;
    }
    return isoSeconds(ms + offsetMs) + offsetText;
  };
}

/**
 * Rendered slot answers, reused while the slots they show are the same objects (see
 * `SlotRange.revision`) and no listed slot has started. Bounded, oldest out first.
 */
const slotAnswers = new Map<string, { revision: object[]; validUntilMs: number; text: string }>();
const SLOT_ANSWERS_MAX = 500;
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

/**
 * Identical requests that arrive while one is being answered share its reads and its answer
 * (request coalescing): the reads of the shared answer start at most one computation before
 * the request arrived, the same window any read has before a booking commits beside it.
 */
const inFlight = new Map<string, Promise<ApiResponse>>();

function listSlots(ctx: Ctx): Promise<ApiResponse> {
  const q = ctx.query;
  const key = [
    ctx.params.username.toLowerCase(),
    ctx.params.slug.toLowerCase(),
    q.start,
    q.end,
    q.timeZone,
    q.duration ?? "",
  ].join("|");
  const running = inFlight.get(key);
  if (running) return running;
  const answer = answerSlots(ctx).finally(() => inFlight.delete(key));
  inFlight.set(key, answer);
  return answer;
}

async function answerSlots(ctx: Ctx): Promise<ApiResponse> {
  const q = ctx.query;
  const username = ctx.params.username.toLowerCase();
  const slug = ctx.params.slug.toLowerCase();
  const res = await getSlotRange(ctx.app, {
    username,
    slug,
    start: q.start!,
    end: q.end!,
    timeZone: q.timeZone!,
    durationMin: q.duration ? Number(q.duration) : null,
  });
  if (!res.ok) {
    if (res.reason === "bad_duration") {
      return problem(ctx.base, "validation", {
        errors: [{ field: "duration", message: "Not one of the event type's durations" }],
      });
    }
    if (res.reason === "bad_date") {
      return problem(ctx.base, "validation", {
        errors: [{ field: "end", message: res.message }],
      });
    }
    return refused(ctx, res.reason);
  }
  const key = [username, slug, q.start, q.end, res.timeZone, res.durationMin].join("|");
  const hit = slotAnswers.get(key);
  const nowMs = ctx.app.now();
  if (
    hit && nowMs < hit.validUntilMs && hit.revision.length === res.revision.length &&
    hit.revision.every((r, i) => r === res.revision[i])
  ) {
    return { status: 200, body: hit.text, headers: JSON_TYPE };
  }
  const local = localFormatter(res.timeZone);
  const durMs = res.durationMin * 60_000;
  // ISO strings need no JSON escaping; the zone name goes through JSON.stringify.
  const parts: string[] = [];
  let firstMs = Infinity;
  for (const day of res.days) {
    for (const ms of day.starts) {
      if (firstMs === Infinity) firstMs = ms;
      parts.push(
        `{"start":"${isoSeconds(ms)}Z","end":"${isoSeconds(ms + durMs)}Z","local":"${local(ms)}"}`,
      );
    }
  }
  const text = `{"timeZone":${JSON.stringify(res.timeZone)},"durationMin":${res.durationMin},` +
    `"start":"${q.start}","end":"${q.end}","unavailable":${res.unavailable},` +
    `"slots":[${parts.join(",")}]}`;
  if (slotAnswers.size >= SLOT_ANSWERS_MAX) slotAnswers.delete(slotAnswers.keys().next().value!);
  slotAnswers.delete(key);
  // The answer changes when its first slot starts (it drops out), or with the data (revision).
  slotAnswers.set(key, { revision: res.revision, validUntilMs: firstMs, text });
  return { status: 200, body: text, headers: JSON_TYPE };
}

/** Field names of the booking form → the API's. */
const BOOKING_FIELDS: Record<string, string> = { tz: "timeZone" };

async function createBooking(ctx: Ctx): Promise<ApiResponse> {
  const b = ctx.body as v.InferOutput<typeof S.BookingCreate>;
  let start: string;
  try {
    start = Temporal.Instant.from(b.start).toString();
  } catch {
    return problem(ctx.base, "validation", {
      errors: [{ field: "start", message: "Use an ISO-8601 instant like 2026-11-23T08:00:00Z" }],
    });
  }
  // The booking form's own rules (trimming, lengths, a valid email) decide here too.
  const form = v.safeParse(BookingForm, {
    name: b.name,
    email: b.email,
    note: b.note ?? "",
    start,
    tz: b.timeZone,
  });
  if (!form.success) {
    return problem(ctx.base, "validation", { errors: issuesToFields(form.issues, BOOKING_FIELDS) });
  }
  const host = await getUserByUsernameCached(ctx.app.kv, b.username);
  if (!host) return refused(ctx, "not_found");
  const startMs = Temporal.Instant.from(start).epochMilliseconds;
  const email = form.output.email;
  return await idempotent(
    ctx,
    "anon",
    async (extraFor) => {
      const result = await bookSlot(ctx.app, {
        username: host.username,
        slug: b.eventType.toLowerCase(),
        start,
        name: form.output.name,
        email,
        note: form.output.note,
        timeZone: b.timeZone,
        durationMin: b.durationMin ?? null,
        clock: b.clock,
        rawAnswers: Object.fromEntries(
          Object.entries(b.answers ?? {}).map(([id, value]) => [`q_${id}`, value]),
        ),
        extra: extraFor({ kind: "new_booking", hostId: host.id, startMs, email }),
      });
      recordBookingOutcome(result.ok ? result.status.toLowerCase() : result.reason);
      if (result.ok) {
        void countBooked(ctx.app, result.bookingId);
        const booking = await getBooking(ctx.app.kv, result.bookingId);
        return created(ctx, booking!);
      }
      if (result.reason === "conflict") return "duplicate";
      if (result.reason === "invalid_answers") {
        return problem(ctx.base, "invalid_answers", {
          errors: Object.entries(result.errors).map(([field, message]) => ({
            field: field.replace(/^q_/, "answers."),
            message: english(message),
          })),
        });
      }
      return refused(ctx, result.reason);
    },
    async (target) => {
      if (target.kind !== "new_booking") return refused(ctx, "duplicate_request");
      const made = (await listHostBookingsAt(ctx.app.kv, target.hostId, target.startMs))
        .find((x) => x.guestEmail.toLowerCase() === target.email.toLowerCase());
      return made ? await created(ctx, made) : refused(ctx, "duplicate_request");
    },
  );
}

async function created(ctx: Ctx, booking: BookingRecord): Promise<ApiResponse> {
  const body = await bookingResource(ctx.app, booking, { guestLinks: true });
  return ok(body, 201, { location: `${ctx.base}/api/v1/bookings/${booking.id}` });
}

// --- bookings (host) ---------------------------------------------------------------------------

function encodeCursor(last: [number, string]) {
  return base64url(new TextEncoder().encode(JSON.stringify(last)));
}

function decodeCursor(text: string): [number, string] | null {
  try {
    const x = JSON.parse(new TextDecoder().decode(fromBase64url(text)));
    return Array.isArray(x) && x.length === 2 && Number.isSafeInteger(x[0]) &&
        typeof x[1] === "string" && /^[0-9A-Z]{26}$/.test(x[1])
      ? [x[0], x[1]]
      : null;
  } catch {
    return null;
  }
}

async function listBookings(ctx: Ctx): Promise<ApiResponse> {
  const q = ctx.query;
  const host = ctx.auth!.host;
  const limit = q.limit ? Number(q.limit) : 50;
  const after = q.cursor ? decodeCursor(q.cursor) : undefined;
  if (after === null) {
    return problem(ctx.base, "validation", {
      errors: [{ field: "cursor", message: "Not a cursor from this list" }],
    });
  }
  const fromMs = q.from ? Date.parse(q.from) : undefined;
  const toMs = q.to ? Date.parse(q.to) : undefined;
  let eventTypeId: string | null = null;
  if (q.eventType) {
    const types = await listOwnEventTypes(ctx.app, host);
    const et = types.find((t) => t.id === q.eventType || t.slug === q.eventType!.toLowerCase());
    // An unknown event type simply has no bookings (no oracle for other hosts' ids).
    eventTypeId = et?.id ?? "-";
  }
  const nowMs = ctx.app.now();
  const data: BookingRecord[] = [];
  let cursor = after;
  let next: [number, string] | null = null;
  // Filters can skip many bookings: scan in bounded chunks, return what one request may read.
  for (let round = 0; round < 10 && data.length < limit; round++) {
    const page = await listHostBookingsAfter(ctx.app.kv, host.id, {
      after: cursor,
      fromMs,
      toMs,
      scanLimit: 100,
    });
    for (const b of page.bookings) {
      if (data.length === limit) break;
      if (q.status && bookingState(b, nowMs) !== q.status) continue;
      if (eventTypeId && b.eventTypeId !== eventTypeId) continue;
      data.push(b);
    }
    const lastTaken = data.length === limit ? data[data.length - 1] : null;
    if (lastTaken) {
      next = [lastTaken.startMs, lastTaken.id];
      break;
    }
    if (page.exhausted || !page.last) {
      next = null;
      break;
    }
    cursor = page.last;
    next = page.last;
  }
  // A full page may be the last one; the next request then answers an empty page.
  return ok({
    data: await Promise.all(data.map((b) => bookingResource(ctx.app, b))),
    nextCursor: next ? encodeCursor(next) : null,
  });
}

async function ownBooking(ctx: Ctx): Promise<BookingRecord | null> {
  const b = await getBooking(ctx.app.kv, ctx.params.id);
  return b && b.hostId === ctx.auth!.host.id ? b : null;
}

async function getOneBooking(ctx: Ctx): Promise<ApiResponse> {
  const b = await ownBooking(ctx);
  return b ? ok(await bookingResource(ctx.app, b)) : refused(ctx, "not_found");
}

/** Confirm, reject, cancel: the dashboard's own decision service, under an Idempotency-Key. */
function decide(action: "confirm" | "reject" | "cancel") {
  return async (ctx: Ctx): Promise<ApiResponse> => {
    const id = ctx.params.id;
    const reason = (ctx.body as { reason?: string }).reason;
    return await idempotent(
      ctx,
      keyScope(ctx),
      async (extraFor) => {
        const res: DecideResult = await decideBooking(ctx.app, id, action, "host", {
          hostId: ctx.auth!.host.id,
          reason,
          extra: extraFor({ kind: "booking", bookingId: id }),
        });
        if (res.ok) {
          void countBookingChange(ctx.app, res.booking);
          return ok(await bookingResource(ctx.app, res.booking));
        }
        if (res.reason === "conflict") return "duplicate";
        return refused(ctx, res.reason);
      },
      async () => {
        const b = await ownBooking(ctx);
        return b ? ok(await bookingResource(ctx.app, b)) : refused(ctx, "not_found");
      },
    );
  };
}

async function reschedule(ctx: Ctx): Promise<ApiResponse> {
  const id = ctx.params.id;
  const start = (ctx.body as { start: string }).start;
  return await idempotent(
    ctx,
    keyScope(ctx),
    async (extraFor) => {
      const res: RescheduleResult = await rescheduleByHost(ctx.app, ctx.auth!.host.id, id, start, {
        extra: extraFor({ kind: "booking", bookingId: id }),
      });
      if (res.ok) {
        void countRescheduled(ctx.app, res.booking);
        return ok(await bookingResource(ctx.app, res.booking), 201);
      }
      if (res.reason === "conflict") return "duplicate";
      return refused(ctx, res.reason);
    },
    async () => {
      const old = await ownBooking(ctx);
      const successor = old?.rescheduledToId
        ? await getBooking(ctx.app.kv, old.rescheduledToId)
        : null;
      return successor
        ? ok(await bookingResource(ctx.app, successor), 201)
        : refused(ctx, "duplicate_request");
    },
  );
}

// --- me ----------------------------------------------------------------------------------------

function me(ctx: Ctx): Promise<ApiResponse> {
  const { host, key } = ctx.auth!;
  return Promise.resolve(ok({
    id: host.id,
    name: host.name,
    username: host.username,
    email: host.email,
    timeZone: host.timeZone,
    bookingPage: `${ctx.base}/calendar/${host.username}`,
    apiKey: {
      id: key.id,
      name: key.name,
      scopes: key.scopes,
      expiresAt: key.expiresAtMs === null ? null : new Date(key.expiresAtMs).toISOString(),
    },
  }));
}

// --- event types -------------------------------------------------------------------------------

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
    location: r.location,
    questions: r.questions,
    reminders: r.reminders,
    cancelCutoffHours: r.cancelCutoffHours,
    createdAt: new Date(et.createdAtMs).toISOString(),
    updatedAt: new Date(et.updatedAtMs).toISOString(),
    bookingPage: `${ctx.base}/calendar/${host.username}/${et.slug}`,
  };
}

type EventTypeJson = v.InferOutput<typeof S.EventTypePatch>;

/** Form field names → the API's, for messages from the event type editor's schema. */
function eventTypeField(path: string): string {
  return path
    .replace(/^minNotice(Unit)?$/, "minNoticeMin")
    .replace(/^durationsOther$/, "durations")
    .replace(/^locationKind$/, "location.kind")
    .replace(/^locationValue$/, "location.value")
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
          field: eventTypeField(e.field),
        })),
      }),
    };
  }
  return { ok: true as const, input: parsed.output };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<T>;
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
      location: `${ctx.base}/api/v1/event-types/${res.record.id}`,
    });
  };
  return ctx.idempotencyKey ? await replayable(ctx, run) : await run();
}

/**
 * An optional Idempotency-Key on writes outside bookings: the same request is answered from the
 * stored answer. (These writes are naturally idempotent or unique by slug, so no commit record.)
 */
async function replayable(ctx: Ctx, run: () => Promise<ApiResponse>): Promise<ApiResponse> {
  return await idempotent(
    ctx,
    keyScope(ctx),
    () => run(),
    () => Promise.resolve(refused(ctx, "duplicate_request")),
  );
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
    const checked = checkEventType(ctx, et, ctx.body as EventTypeJson);
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

// --- availability ------------------------------------------------------------------------------

async function availabilityOf(ctx: Ctx) {
  const host = ctx.auth!.host;
  const a = await getAvailabilityRules(ctx.app, host);
  return {
    timeZone: host.timeZone,
    weekly: Object.fromEntries(
      ([1, 2, 3, 4, 5, 6, 7] as const).map((d) => [String(d), a.weekly[d] ?? []]),
    ),
    overrides: a.overrides,
    timeOff: a.timeOff,
  };
}

async function getAvailability(ctx: Ctx): Promise<ApiResponse> {
  return ok(await availabilityOf(ctx));
}

async function putAvailability(ctx: Ctx): Promise<ApiResponse> {
  const body = ctx.body as v.InferOutput<typeof S.AvailabilityPut>;
  const run = async () => {
    const res = await saveAvailability(ctx.app, ctx.auth!.host, {
      weekly: body.weekly
        ? Object.fromEntries(
          Object.entries(body.weekly).map(([d, r]) => [Number(d), r]),
        ) as unknown as WeeklyRules
        : undefined,
      overrides: body.overrides as DateOverride[] | undefined,
      timeOff: body.timeOff as TimeOff[] | undefined,
    });
    if (res.ok) return ok(await availabilityOf(ctx));
    const errors: FieldError[] = [];
    const e = res.errors;
    for (const [day, msgs] of Object.entries(e.weekly ?? {})) {
      errors.push({ field: `weekly.${day}`, message: (msgs ?? []).join("; ") });
    }
    for (const part of ["overrides", "timeOff"] as const) {
      for (const [i, row] of Object.entries(e[part] ?? {})) {
        for (const [field, message] of Object.entries(row as Record<string, unknown>)) {
          errors.push({
            field: `${part}.${i}.${field}`,
            message: Array.isArray(message) ? message.join("; ") : String(message),
          });
        }
      }
    }
    if (e.form) errors.push({ field: "", message: e.form });
    return problem(ctx.base, "validation", { errors });
  };
  return ctx.idempotencyKey ? await replayable(ctx, run) : await run();
}

// --- webhooks ----------------------------------------------------------------------------------

function subscriptionRefused(ctx: Ctx, r: SubscriptionRefusal): ApiResponse {
  if (r.reason === "invalid") {
    return problem(ctx.base, "validation", {
      errors: [{ field: r.field, message: english(r.message) }],
    });
  }
  if (r.reason === "too_many") {
    return problem(ctx.base, "validation", {
      errors: [{ field: "", message: "At most 10 webhook subscriptions; delete one first" }],
    });
  }
  return refused(ctx, "not_found");
}

async function listWebhooks(ctx: Ctx): Promise<ApiResponse> {
  const nowMs = ctx.app.now();
  const subs = await listHostSubscriptions(ctx.app, ctx.auth!.host);
  return ok({ data: subs.map((s) => viewSubscription(s, nowMs)) });
}

async function createWebhook(ctx: Ctx): Promise<ApiResponse> {
  const body = ctx.body as v.InferOutput<typeof S.SubscriptionCreate>;
  const run = async () => {
    const res = await createSubscription(ctx.app, ctx.auth!.host, {
      url: body.url,
      events: body.events as WebhookEvent[],
      description: body.description ?? "",
    });
    if (!res.ok) return subscriptionRefused(ctx, res);
    return ok(
      { subscription: viewSubscription(res.subscription, ctx.app.now()), secret: res.secret },
      201,
    );
  };
  return ctx.idempotencyKey ? await replayable(ctx, run) : await run();
}

async function getWebhook(ctx: Ctx): Promise<ApiResponse> {
  const sub = await getSubscription(ctx.app, ctx.auth!.host, ctx.params.id);
  return sub ? ok(viewSubscription(sub, ctx.app.now())) : refused(ctx, "not_found");
}

async function patchWebhook(ctx: Ctx): Promise<ApiResponse> {
  const body = ctx.body as v.InferOutput<typeof S.SubscriptionPatch>;
  const res = await updateSubscription(ctx.app, ctx.auth!.host, ctx.params.id, {
    ...stripUndefined({ url: body.url, description: body.description, enabled: body.enabled }),
    ...(body.events ? { events: body.events as WebhookEvent[] } : {}),
  });
  return res.ok
    ? ok(viewSubscription(res.subscription, ctx.app.now()))
    : subscriptionRefused(ctx, res);
}

async function deleteWebhook(ctx: Ctx): Promise<ApiResponse> {
  return (await deleteSubscription(ctx.app, ctx.auth!.host, ctx.params.id))
    ? { status: 204 }
    : refused(ctx, "not_found");
}

async function rotateWebhookSecret(ctx: Ctx): Promise<ApiResponse> {
  const run = async () => {
    const res = await rotateSecret(ctx.app, ctx.auth!.host, ctx.params.id);
    return res.ok
      ? ok({ subscription: viewSubscription(res.subscription, ctx.app.now()), secret: res.secret })
      : subscriptionRefused(ctx, res);
  };
  return ctx.idempotencyKey ? await replayable(ctx, run) : await run();
}

async function testWebhook(ctx: Ctx): Promise<ApiResponse> {
  const res = await sendTestEvent(ctx.app, ctx.auth!.host, ctx.params.id);
  return res.ok ? ok({ messageId: res.messageId }, 202) : refused(ctx, "not_found");
}

async function listDeliveries(ctx: Ctx): Promise<ApiResponse> {
  const log = await deliveryLog(ctx.app, ctx.auth!.host, ctx.params.id);
  if (!log) return refused(ctx, "not_found");
  return ok({
    data: log.map((a) => ({
      id: a.id,
      messageId: a.messageId,
      event: a.event,
      attempt: a.attempt,
      at: new Date(a.atMs).toISOString(),
      durationMs: a.durationMs,
      status: a.status,
      ok: a.ok,
      error: a.error,
      responseExcerpt: a.responseExcerpt,
      nextRetryAt: a.nextRetryAtMs === null ? null : new Date(a.nextRetryAtMs).toISOString(),
    })),
  });
}

async function redeliverMessage(ctx: Ctx): Promise<ApiResponse> {
  const done = await redeliver(ctx.app, ctx.auth!.host, ctx.params.id, ctx.params.messageId);
  return done ? ok({ messageId: ctx.params.messageId }, 202) : refused(ctx, "not_found");
}

// --- helpers -----------------------------------------------------------------------------------

/**
 * The API speaks English: the shared form schemas' messages are catalog references (ADR 015),
 * worded here in English like the problem details.
 */
function english(message: string): string {
  return translateRef(translator("en"), message);
}

/** valibot issues → `{ field, message }`, first message per field; `rename` maps field names. */
export function issuesToFields(
  issues: v.BaseIssue<unknown>[],
  rename: Record<string, string> = {},
): FieldError[] {
  const seen = new Map<string, string>();
  for (const issue of issues) {
    const raw = issue.path?.map((p) => String(p.key)).join(".") ?? "";
    const field = rename[raw] ?? raw;
    if (!seen.has(field)) seen.set(field, english(issue.message));
  }
  return [...seen].map(([field, message]) => ({ field, message }));
}

// --- the table ---------------------------------------------------------------------------------

/** Booking changes go through the engine, which may answer `busy` (503) under contention. */
const COMMON_BOOKING_PROBLEMS = [400, 404, 409, 413, 415, 429, 503];

export const ROUTES: Route[] = [
  {
    method: "GET",
    path: "/users/{username}/event-types",
    operationId: "listPublicEventTypes",
    summary: "A host's bookable event types",
    tag: "Public",
    auth: "none",
    params: S.UsernameParams,
    success: { 200: "HostEventTypes" },
    problems: [404, 429],
    run: listPublicEventTypes,
  },
  {
    method: "GET",
    path: "/users/{username}/event-types/{slug}",
    operationId: "getPublicEventType",
    summary: "One bookable event type: lengths, questions, location",
    tag: "Public",
    auth: "none",
    params: S.UsernameSlugParams,
    success: { 200: "PublicEventTypeWithHost" },
    problems: [404, 429],
    run: getPublicEventType,
  },
  {
    method: "GET",
    path: "/users/{username}/event-types/{slug}/slots",
    operationId: "listSlots",
    summary: "Free slots between two dates",
    description:
      "The same slots the booking page offers, as UTC instants with the guest's wall time. " +
      "When `unavailable` is true the host's calendar cannot be checked right now and no slots " +
      "are offered where it cannot vouch.",
    tag: "Public",
    auth: "none",
    params: S.UsernameSlugParams,
    query: S.SlotsQuery,
    success: { 200: "SlotsResponse" },
    problems: [400, 404, 429],
    run: listSlots,
  },
  {
    method: "POST",
    path: "/bookings",
    operationId: "createBooking",
    summary: "Book a slot as a guest",
    description:
      "Goes through the same rules as the booking page: the slot must be offered, free on the " +
      "host's calendars, within caps, and the guest may hold only a few pending requests. " +
      "Answers the booking with its status and the guest's own links to manage it.",
    tag: "Public",
    auth: "none",
    body: S.BookingCreate,
    bodyName: "BookingCreate",
    idempotency: "required",
    success: { 201: "Booking" },
    problems: COMMON_BOOKING_PROBLEMS,
    run: createBooking,
  },
  {
    method: "GET",
    path: "/me",
    operationId: "getMe",
    summary: "The host this key belongs to",
    tag: "Account",
    auth: "read",
    success: { 200: "Me" },
    problems: [401, 429],
    run: me,
  },
  {
    method: "GET",
    path: "/bookings",
    operationId: "listBookings",
    summary: "Your bookings by start time",
    tag: "Bookings",
    auth: "read",
    query: S.BookingListQuery,
    success: { 200: "BookingPage" },
    problems: [400, 401, 403, 429],
    run: listBookings,
  },
  {
    method: "GET",
    path: "/bookings/{id}",
    operationId: "getBooking",
    summary: "One of your bookings",
    tag: "Bookings",
    auth: "read",
    params: S.IdParams,
    success: { 200: "Booking" },
    problems: [401, 403, 404, 429],
    run: getOneBooking,
  },
  ...(["confirm", "reject", "cancel"] as const).map((action): Route => ({
    method: "POST",
    path: `/bookings/{id}/${action}`,
    operationId: `${action}Booking`,
    summary: action === "confirm"
      ? "Confirm a pending request"
      : action === "reject"
      ? "Reject a pending request (with a reason for the guest)"
      : "Cancel a booking (with a reason for the guest)",
    tag: "Bookings",
    auth: "write",
    params: S.IdParams,
    body: S.Reason,
    bodyName: "Reason",
    idempotency: "required",
    success: { 200: "Booking" },
    problems: [400, 401, 403, 404, 409, 413, 415, 429, 503],
    run: decide(action),
  })),
  {
    method: "POST",
    path: "/bookings/{id}/reschedule",
    operationId: "rescheduleBooking",
    summary: "Move a booking to another offered slot",
    description:
      "The booking is cancelled as rescheduled and a confirmed successor is made at the new " +
      "time, in one change. Answers the new booking.",
    tag: "Bookings",
    auth: "write",
    params: S.IdParams,
    body: S.RescheduleBody,
    bodyName: "RescheduleBody",
    idempotency: "required",
    success: { 201: "Booking" },
    problems: [400, 401, 403, 404, 409, 413, 415, 429, 503],
    run: reschedule,
  },
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
  {
    method: "GET",
    path: "/availability",
    operationId: "getAvailability",
    summary: "Weekly hours, date overrides and time off",
    tag: "Availability",
    auth: "read",
    success: { 200: "Availability" },
    problems: [401, 403, 429],
    run: getAvailability,
  },
  {
    method: "PUT",
    path: "/availability",
    operationId: "putAvailability",
    summary: "Replace weekly hours, date overrides and/or time off",
    description: "Each part sent replaces the saved one; parts not sent stay. All or nothing.",
    tag: "Availability",
    auth: "write",
    body: S.AvailabilityPut,
    bodyName: "AvailabilityPut",
    idempotency: "optional",
    success: { 200: "Availability" },
    problems: [400, 401, 403, 413, 415, 429],
    run: putAvailability,
  },
  {
    method: "GET",
    path: "/webhooks",
    operationId: "listWebhooks",
    summary: "Your webhook subscriptions",
    tag: "Webhooks",
    auth: "read",
    success: { 200: "SubscriptionList" },
    problems: [401, 403, 429],
    run: listWebhooks,
  },
  {
    method: "POST",
    path: "/webhooks",
    operationId: "createWebhook",
    summary: "Subscribe a URL to booking events",
    description: "The answer holds the signing secret; it is shown only once.",
    tag: "Webhooks",
    auth: "write",
    body: S.SubscriptionCreate,
    bodyName: "SubscriptionCreate",
    idempotency: "optional",
    success: { 201: "SubscriptionWithSecret" },
    problems: [400, 401, 403, 413, 415, 429],
    run: createWebhook,
  },
  {
    method: "GET",
    path: "/webhooks/{id}",
    operationId: "getWebhook",
    summary: "One webhook subscription",
    tag: "Webhooks",
    auth: "read",
    params: S.IdParams,
    success: { 200: "Subscription" },
    problems: [401, 403, 404, 429],
    run: getWebhook,
  },
  {
    method: "PATCH",
    path: "/webhooks/{id}",
    operationId: "updateWebhook",
    summary: "Change a subscription, or switch it on or off",
    tag: "Webhooks",
    auth: "write",
    params: S.IdParams,
    body: S.SubscriptionPatch,
    bodyName: "SubscriptionPatch",
    success: { 200: "Subscription" },
    problems: [400, 401, 403, 404, 413, 415, 429],
    run: patchWebhook,
  },
  {
    method: "DELETE",
    path: "/webhooks/{id}",
    operationId: "deleteWebhook",
    summary: "Delete a subscription",
    tag: "Webhooks",
    auth: "write",
    params: S.IdParams,
    success: { 204: null },
    problems: [401, 403, 404, 429],
    run: deleteWebhook,
  },
  {
    method: "POST",
    path: "/webhooks/{id}/rotate-secret",
    operationId: "rotateWebhookSecret",
    summary: "New signing secret; the old one keeps signing for 24 hours",
    tag: "Webhooks",
    auth: "write",
    params: S.IdParams,
    body: S.Empty,
    idempotency: "optional",
    success: { 200: "SubscriptionWithSecret" },
    problems: [400, 401, 403, 404, 413, 415, 429],
    run: rotateWebhookSecret,
  },
  {
    method: "POST",
    path: "/webhooks/{id}/test",
    operationId: "testWebhook",
    summary: "Send a `webhook.test` event to this subscription",
    tag: "Webhooks",
    auth: "write",
    params: S.IdParams,
    body: S.Empty,
    success: { 202: "TestEventAnswer" },
    problems: [400, 401, 403, 404, 413, 415, 429],
    run: testWebhook,
  },
  {
    method: "GET",
    path: "/webhooks/{id}/deliveries",
    operationId: "listWebhookDeliveries",
    summary: "The delivery log, newest first",
    tag: "Webhooks",
    auth: "read",
    params: S.IdParams,
    success: { 200: "DeliveryList" },
    problems: [401, 403, 404, 429],
    run: listDeliveries,
  },
  {
    method: "POST",
    path: "/webhooks/{id}/deliveries/{messageId}/redeliver",
    operationId: "redeliverWebhook",
    summary: "Send a logged message again (same webhook-id)",
    tag: "Webhooks",
    auth: "write",
    params: S.MessageParams,
    body: S.Empty,
    success: { 202: "TestEventAnswer" },
    problems: [400, 401, 403, 404, 413, 415, 429],
    run: redeliverMessage,
  },
];
