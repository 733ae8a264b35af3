/** Routing forms (issue 30): read-only here; forms are edited in the dashboard. */
import * as v from "valibot";
import { d, DateTime } from "./pieces.ts";

const RoutingQuestion = v.object({
  key: v.string(),
  type: v.picklist(["short", "long", "email", "phone", "number", "select", "multi"]),
  label: v.string(),
  required: v.boolean(),
  options: v.optional(v.array(v.string())),
});
const RoutingDestination = v.variant("kind", [
  v.object({
    kind: v.literal("event_type"),
    ownerId: v.pipe(v.string(), d("The host's or the team's id.")),
    eventTypeId: v.string(),
    memberId: v.optional(v.pipe(v.string(), d("A round robin's member who gets the booking."))),
  }),
  v.object({ kind: v.literal("url"), url: v.string(), appendAnswers: v.boolean() }),
  v.object({ kind: v.literal("message"), text: v.optional(v.string()) }),
]);
const RoutingRoute = v.object({
  id: v.string(),
  match: v.picklist(["all", "any"]),
  conditions: v.array(v.object({
    key: v.string(),
    op: v.picklist(["equals", "one_of", "contains", "gt", "gte", "lt", "lte"]),
    values: v.array(v.string()),
  })),
  destination: RoutingDestination,
});
export const RoutingForm = v.object({
  id: v.string(),
  team: v.pipe(
    v.nullable(v.object({ id: v.string(), slug: v.string(), name: v.string() })),
    d("The team the form belongs to (one you own), or null for your own form."),
  ),
  slug: v.string(),
  title: v.string(),
  description: v.string(),
  active: v.boolean(),
  questions: v.array(RoutingQuestion),
  routes: v.pipe(v.array(RoutingRoute), d("Tried in order; the first that matches wins.")),
  fallback: RoutingDestination,
  funnel: v.pipe(
    v.object({
      views: v.number(),
      submitted: v.number(),
      routes: v.array(v.object({ routeId: v.string(), routed: v.number(), booked: v.number() })),
    }),
    d("Form views → submissions → routed → booked, per route (`fallback` included)."),
  ),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export const RoutingFormList = v.object({ data: v.array(RoutingForm) });
export const RoutingResponse = v.object({
  id: v.string(),
  formId: v.string(),
  formSlug: v.string(),
  createdAt: DateTime,
  routeId: v.pipe(v.string(), d("A route's id, or `fallback`.")),
  destination: RoutingDestination,
  answers: v.pipe(
    v.record(v.string(), v.union([v.string(), v.array(v.string())])),
    d("By question key; a multi select's answer is a list. Empty once the guest was erased."),
  ),
  bookingId: v.nullable(v.string()),
  erased: v.boolean(),
});
export const RoutingResponseList = v.object({
  data: v.array(RoutingResponse),
  nextCursor: v.pipe(
    v.nullable(v.string()),
    d(
      "Pass as `cursor` for older responses; null when there are none. A page may hold fewer " +
        "than `limit` (even none) and still have a cursor: one request reads at most 1,000.",
    ),
  ),
});
export const RoutingResponseQuery = v.strictObject({
  route: v.optional(v.pipe(v.string(), v.maxLength(64))),
  booked: v.optional(v.picklist(["yes", "no"])),
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[0-9A-Z]{26}$/, "Not a cursor from this list"),
      d("`nextCursor` of the page before."),
    ),
  ),
  limit: v.optional(v.pipe(v.string(), v.regex(/^(100|[1-9]\d?)$/, "1 to 100"), d("Default 50."))),
});
