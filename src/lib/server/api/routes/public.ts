/** Public: a host's bookable event types, as the booking page shows them. No key needed. */
import type { ApiResponse } from "../http.ts";
import { ok } from "../http.ts";
import * as S from "../schemas/index.ts";
import { getHostPage, type PublicEventType } from "../../services/public-calendar.ts";
import { type Ctx, noPublicHost, refused, type Route } from "./context.ts";

function publicEventType(ctx: Ctx, username: string, et: PublicEventType) {
  return {
    slug: et.slug,
    title: et.title,
    description: et.description,
    durationMin: et.durationMin,
    durations: et.durations,
    requiresConfirmation: et.requiresConfirmation,
    location: et.location,
    locations: et.locations,
    questions: et.questions,
    maxGuests: et.maxGuests,
    links: {
      page: `${ctx.base}/calendar/${username}/${et.slug}`,
      slots: `${ctx.base}/api/v1/users/${username}/event-types/${et.slug}/slots`,
    },
  };
}

async function listPublicEventTypes(ctx: Ctx): Promise<ApiResponse> {
  const page = await getHostPage(ctx.app, ctx.params.username.toLowerCase());
  if (!page) return await noPublicHost(ctx, ctx.params.username.toLowerCase());
  return ok({
    host: page.host,
    eventTypes: page.eventTypes.map((et) => publicEventType(ctx, page.host.username, et)),
  });
}

async function getPublicEventType(ctx: Ctx): Promise<ApiResponse> {
  const page = await getHostPage(ctx.app, ctx.params.username.toLowerCase());
  const et = page?.eventTypes.find((e) => e.slug === ctx.params.slug.toLowerCase());
  if (!page) return await noPublicHost(ctx, ctx.params.username.toLowerCase());
  if (!et) return refused(ctx, "not_found");
  return ok({ host: page.host, eventType: publicEventType(ctx, page.host.username, et) });
}

/** GET /users/{username}/event-types[/{slug}] */
export const publicRoutes: Route[] = [
  {
    method: "GET",
    path: "/users/{username}/event-types",
    operationId: "listPublicEventTypes",
    summary: "A host's bookable event types",
    tag: "Public",
    auth: "none",
    params: S.UsernameParams,
    success: { 200: "HostEventTypes" },
    problems: [401, 404, 410, 429],
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
    problems: [401, 404, 410, 429],
    run: getPublicEventType,
  },
];
