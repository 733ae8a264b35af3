/**
 * The JSON API v1: one table of routes, mounted from one module per resource. Each route names
 * its schemas (validated by `handler.ts`, documented in the OpenAPI document from the same
 * objects), the scope it needs, whether it takes an Idempotency-Key, and a handler that calls one
 * service and maps its result. Refusals come from the shared table (`shared/refusals.ts`), so the
 * API and the pages say the same thing. A new resource is a new module here and one line below.
 */
import type { Route } from "./context.ts";
import { publicRoutes } from "./public.ts";
import { slotRoutes } from "./slots.ts";
import { guestBookingRoutes } from "./guest-booking.ts";
import { accountRoutes } from "./account.ts";
import { bookingRoutes } from "./bookings.ts";
import { seatedMeetingRoutes } from "./seated-meetings.ts";
import { eventTypeRoutes } from "./event-types.ts";
import { availabilityRoutes } from "./availability.ts";
import { webhookRoutes } from "./webhooks.ts";
import { formRoutes } from "./forms.ts";
import { hostSchedulingRoutes } from "./host-scheduling.ts";

export { type Ctx, issuesToFields, type Route } from "./context.ts";

/** Every route of /api/v1, in the order the OpenAPI document lists them. */
export const ROUTES: Route[] = [
  ...publicRoutes,
  ...slotRoutes,
  ...guestBookingRoutes,
  ...accountRoutes,
  ...bookingRoutes,
  ...seatedMeetingRoutes,
  ...eventTypeRoutes,
  ...availabilityRoutes,
  ...webhookRoutes,
  ...formRoutes,
  ...hostSchedulingRoutes,
];
