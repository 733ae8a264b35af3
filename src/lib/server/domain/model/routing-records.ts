/** Stored shapes of routing forms (issue 30; docs/decisions/041-routing-forms.md). */
import type { BookingId, UserId } from "./ids.ts";
import type { Answers, Destination, RoutingFormDefinition } from "../routing.ts";

/** A routing form, owned by a host (`ownerId` is a user id) or a team (a team id). */
export type RoutingFormRecord = {
  v: 1;
  id: string;
  ownerId: UserId;
  /** Unique per owner; the public page is /forms/{username or team slug}/{slug}. */
  slug: string;
  title: string;
  description: string;
  active: boolean;
  definition: RoutingFormDefinition;
  createdAtMs: number;
  updatedAtMs: number;
};

/** One submission: the answers and where they led. */
export type RoutingResponseRecord = {
  v: 1;
  id: string;
  formId: string;
  ownerId: UserId;
  answers: Answers;
  /** A route's id, or "fallback". */
  routeId: string;
  destination: Destination;
  createdAtMs: number;
  /** The booking the visitor made after being routed (set once). */
  bookingId?: BookingId;
  /** The guest's data was erased (docs/decisions/022-host-data.md): the answers are gone. */
  erasedAtMs?: number;
};

/** Points from a booking (or a guest's email) to the response that led to it. */
export type RoutingResponseRefRecord = {
  v: 1;
  ownerId: UserId;
  formId: string;
  responseId: string;
};

/** The funnel's stages, counted per form and route (views have no route: "*"). */
export type RoutingStage = "view" | "submitted" | "routed" | "booked";

/**
 * On a booking: the routing form response its guest was sent from (issue 30), signed in their
 * link and checked when they booked. After the commit the runner's path links the response to
 * the booking, once, and counts it as booked (services/routing-booked.ts).
 */
export type RoutedFrom = { formId: string; responseId: string };
