/**
 * The JSON API's shapes, as valibot schemas. Requests are validated with them, and the OpenAPI
 * document (`/api/v1/openapi.json`) is generated from the very same objects by
 * `@valibot/to-json-schema`, so the reference cannot drift from what the server accepts.
 * Domain rules beyond shape (a slot is offered, an event type's lengths agree, a question's
 * options) stay where they live: the booking form schema, the event type form, the services.
 */
import { Problem } from "./pieces.ts";
import {
  BookingCreate,
  HostEventTypes,
  PublicEventType,
  PublicEventTypeWithHost,
  PublicHost,
  Question,
  Slot,
  SlotsResponse,
} from "./public.ts";
import {
  Booking,
  BookingLinks,
  BookingPage,
  CancelBody,
  MeetingCancelled,
  Reason,
  RescheduleBody,
  SeatedTime,
} from "./bookings.ts";
import { Me, TeamList } from "./account.ts";
import { EventType, EventTypeCreate, EventTypeList, EventTypePatch } from "./event-types.ts";
import { Availability, AvailabilityPut } from "./availability.ts";
import {
  Delivery,
  DeliveryList,
  Subscription,
  SubscriptionCreate,
  SubscriptionList,
  SubscriptionPatch,
  SubscriptionWithSecret,
  TestEventAnswer,
} from "./webhooks.ts";
import { RoutingForm, RoutingFormList, RoutingResponse, RoutingResponseList } from "./forms.ts";
import {
  HostBookingCreate,
  OneOffLink,
  OneOffLinkCreate,
  OneOffLinkList,
  Poll,
  PollAnswers,
  PollCreate,
  PollList,
  PollPick,
  PollSummary,
} from "./host-scheduling.ts";

export * from "./pieces.ts";
export * from "./public.ts";
export * from "./bookings.ts";
export * from "./account.ts";
export * from "./event-types.ts";
export * from "./availability.ts";
export * from "./webhooks.ts";
export * from "./forms.ts";
export * from "./host-scheduling.ts";

/** Every named schema, as components of the OpenAPI document. */
export const COMPONENTS = {
  Problem,
  Question,
  PublicHost,
  PublicEventType,
  HostEventTypes,
  PublicEventTypeWithHost,
  Slot,
  SlotsResponse,
  BookingCreate,
  BookingLinks,
  Booking,
  BookingPage,
  SeatedTime,
  MeetingCancelled,
  Reason,
  CancelBody,
  RescheduleBody,
  Me,
  TeamList,
  EventTypeCreate,
  EventTypePatch,
  EventType,
  EventTypeList,
  Availability,
  AvailabilityPut,
  Subscription,
  SubscriptionWithSecret,
  SubscriptionList,
  SubscriptionCreate,
  SubscriptionPatch,
  Delivery,
  DeliveryList,
  TestEventAnswer,
  RoutingForm,
  RoutingFormList,
  RoutingResponse,
  RoutingResponseList,
  HostBookingCreate,
  Poll,
  PollSummary,
  PollList,
  PollAnswers,
  PollCreate,
  PollPick,
  OneOffLink,
  OneOffLinkList,
  OneOffLinkCreate,
} as const;
