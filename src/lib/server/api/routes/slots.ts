/**
 * Public: free slots between two dates, the same the booking page offers. The hottest endpoint:
 * answers are rendered by hand, reused while the host's data is unchanged, and shared by
 * identical requests in flight.
 */
import { setBounded } from "../../../shared/bounded-map.ts";
import type { ApiResponse } from "../http.ts";
import { problem, toResponse } from "../http.ts";
import * as S from "../schemas/index.ts";
import { Temporal } from "../../domain/temporal.ts";
import { getSlotRange } from "../../services/slot-range.ts";
import { pageRevision } from "../../services/page-revision.ts";
import { type Ctx, noPublicHost, type Route } from "./context.ts";
import { KeptBody } from "../../http/compress.ts";

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
 * `SlotRange.revision`) and no listed slot has started. Bounded, oldest out first. Each keeps its
 * text and compressed copies (http/compress.ts KeptBody): a browser's request is answered from a
 * copy compressed once, not compressed again per request.
 */
const slotAnswers = new Map<
  string,
  { revision: string; minute: number; validUntilMs: number; body: KeptBody }
>();
const SLOT_ANSWERS_MAX = 500;
const JSON_TYPE = "application/json; charset=utf-8";
const ANSWER_HEADERS = {
  plain: { "content-type": JSON_TYPE, vary: "accept-encoding" },
  br: { "content-type": JSON_TYPE, vary: "accept-encoding", "content-encoding": "br" },
  gzip: { "content-type": JSON_TYPE, vary: "accept-encoding", "content-encoding": "gzip" },
};

/** A rendered answer (shared by identical requests), or the refusal to send instead. */
type Answer = { ok: true; body: KeptBody } | { ok: false; res: ApiResponse };

/**
 * Identical requests that read the same revision share one computation of the answer (request
 * coalescing). Each request reads the revision itself first — that read is never older than the
 * request (services/page-revision.ts) — so a request that arrives after a booking committed
 * never joins a computation that began before it, and never gets the slot that was just taken.
 */
const inFlight = new Map<string, Promise<Answer>>();

async function listSlots(ctx: Ctx): Promise<ApiResponse> {
  const q = ctx.query;
  const username = ctx.params.username.toLowerCase();
  const slug = ctx.params.slug.toLowerCase();
  // The host's revision first (ADR 039): an unchanged host is answered from the copy.
  const revision = await pageRevision(ctx.app, { username });
  const key = [username, slug, q.start, q.end, q.timeZone, q.duration ?? ""].join("|");
  const nowMs = ctx.app.now();
  const minute = Math.floor(nowMs / 60_000);
  const hit = slotAnswers.get(key);
  if (
    hit && revision !== null && hit.revision === revision && hit.minute === minute &&
    nowMs < hit.validUntilMs
  ) {
    slotAnswers.delete(key);
    slotAnswers.set(key, hit);
    return await encoded(ctx, hit.body);
  }
  let answer: Answer;
  if (revision === null) answer = await answerSlots(ctx, key, null, minute);
  else {
    const shared = `${key}|${revision}|${minute}`;
    let running = inFlight.get(shared);
    if (!running) {
      running = answerSlots(ctx, key, revision, minute).finally(() => inFlight.delete(shared));
      inFlight.set(shared, running);
    }
    answer = await running;
  }
  return answer.ok ? await encoded(ctx, answer.body) : answer.res;
}

/**
 * Each kept answer built once per encoding, sent as clones (ApiResponse.built). Weakly held: an
 * answer dropped from `slotAnswers` takes its built copies with it.
 */
const built = new WeakMap<KeptBody, Partial<Record<"plain" | "br" | "gzip", Response>>>();

/**
 * The answer in the encoding this request accepts, with its length (the compression layer then
 * leaves one that is not worth compressing as it is, instead of taking it for a stream).
 */
async function encoded(ctx: Ctx, kept: KeptBody): Promise<ApiResponse> {
  const { body, length, encoding } = await kept.for(ctx.req.headers.get("accept-encoding"));
  const res: ApiResponse = {
    status: 200,
    body,
    headers: { ...ANSWER_HEADERS[encoding ?? "plain"], "content-length": String(length) },
  };
  let copies = built.get(kept);
  if (!copies) built.set(kept, copies = {});
  res.built = copies[encoding ?? "plain"] ??= toResponse(res, "GET");
  return res;
}

async function answerSlots(
  ctx: Ctx,
  key: string,
  revision: string | null,
  minute: number,
): Promise<Answer> {
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
      return {
        ok: false,
        res: problem(ctx.base, "validation", {
          errors: [{ field: "duration", message: "Not one of the event type's durations" }],
        }),
      };
    }
    if (res.reason === "bad_date") {
      return {
        ok: false,
        res: problem(ctx.base, "validation", {
          errors: [{ field: res.field, message: res.message }],
        }),
      };
    }
    return { ok: false, res: await noPublicHost(ctx, username) };
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
  const body = new KeptBody(
    `{"timeZone":${JSON.stringify(res.timeZone)},"durationMin":${res.durationMin},` +
      `"start":"${q.start}","end":"${q.end}","unavailable":${res.unavailable},` +
      `"slots":[${parts.join(",")}]}`,
  );
  // The answer changes when its first slot starts (it drops out), when a hold behind it ends (a
  // poll's held time, a request's hold: no write marks it), or with the data (revision).
  const validUntilMs = Math.min(firstMs, res.changesAtMs);
  if (revision !== null) {
    setBounded(slotAnswers, key, { revision, minute, validUntilMs, body }, SLOT_ANSWERS_MAX);
  } else slotAnswers.delete(key);
  return { ok: true, body };
}

/** GET /users/{username}/event-types/{slug}/slots */
export const slotRoutes: Route[] = [
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
    problems: [400, 401, 404, 410, 429],
    run: listSlots,
  },
];
