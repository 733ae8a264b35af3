/** Availability (host): weekly hours, date overrides and time off, read and replaced. */
import type * as v from "valibot";
import { type ApiResponse, type FieldError, ok, problem } from "../http.ts";
import * as S from "../schemas/index.ts";
import { getAvailabilityRules, saveAvailability } from "../../services/availability.ts";
import type { DateOverride, TimeOff, WeeklyRules } from "../../domain/availability.ts";
import { type Ctx, readOnlyRefusal, replayable, type Route } from "./context.ts";

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
  // GET's answer names the zone its hours are in; sent back, it must still be that zone.
  const current = { timeZone: ctx.auth!.host.timeZone };
  const changed = readOnlyRefusal(ctx, S.AVAILABILITY_READ_ONLY, body, current);
  if (changed) return changed;
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

/** GET/PUT /availability */
export const availabilityRoutes: Route[] = [
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
];
