/**
 * Routing forms: the host's own and those of the teams the host owns (services/routing-access.ts:
 * the same forms the host edits and whose answers they read in the dashboard), with their
 * funnels, and their responses. Read only.
 */
import type * as v from "valibot";
import { type ApiResponse, ok } from "../http.ts";
import * as S from "../schemas/index.ts";
import { formFunnel, formResource } from "../../services/routing-forms.ts";
import {
  formAnsweredFor,
  formsAnsweredFor,
  type OwnedForm,
} from "../../services/routing-access.ts";
import { responsePage, responseResource } from "../../services/routing-responses.ts";
import { type Ctx, refused, type Route } from "./context.ts";

async function routingFormJson(ctx: Ctx, { form, team }: OwnedForm) {
  return { ...formResource(form, team), funnel: await formFunnel(ctx.app, form) };
}

async function listRoutingFormsRoute(ctx: Ctx): Promise<ApiResponse> {
  const forms = await formsAnsweredFor(ctx.app, ctx.auth!.host.id);
  return ok({ data: await Promise.all(forms.map((f) => routingFormJson(ctx, f))) });
}

async function getRoutingFormRoute(ctx: Ctx): Promise<ApiResponse> {
  const found = await formAnsweredFor(ctx.app, ctx.auth!.host.id, ctx.params.id);
  return found ? ok(await routingFormJson(ctx, found)) : refused(ctx, "not_found");
}

async function listRoutingResponsesRoute(ctx: Ctx): Promise<ApiResponse> {
  const found = await formAnsweredFor(ctx.app, ctx.auth!.host.id, ctx.params.id);
  if (!found) return refused(ctx, "not_found");
  const { form } = found;
  const q = ctx.query as v.InferOutput<typeof S.RoutingResponseQuery>;
  const page = await responsePage(ctx.app, form, { routeId: q.route, booked: q.booked }, {
    limit: q.limit ? Number(q.limit) : 50,
    beforeId: q.cursor,
  });
  return ok({
    data: page.responses.map((r) => responseResource(form, r)),
    nextCursor: page.next,
  });
}

/** GET /forms, /forms/{id}, /forms/{id}/responses */
export const formRoutes: Route[] = [
  {
    method: "GET",
    path: "/forms",
    operationId: "listRoutingForms",
    summary: "Your routing forms and your teams', with their funnels",
    description: "Your own forms, and the forms of every team you own (a team's forms are its " +
      "owners' to read, as in the dashboard); `team` says whose each is.",
    tag: "Routing forms",
    auth: "read",
    success: { 200: "RoutingFormList" },
    problems: [401, 403, 429],
    run: listRoutingFormsRoute,
  },
  {
    method: "GET",
    path: "/forms/{id}",
    operationId: "getRoutingForm",
    summary: "One routing form: questions, routes, fallback and funnel",
    tag: "Routing forms",
    auth: "read",
    params: S.IdParams,
    success: { 200: "RoutingForm" },
    problems: [401, 403, 404, 429],
    run: getRoutingFormRoute,
  },
  {
    method: "GET",
    path: "/forms/{id}/responses",
    operationId: "listRoutingResponses",
    summary: "A routing form's responses, newest first, a page at a time",
    tag: "Routing forms",
    auth: "read",
    params: S.IdParams,
    query: S.RoutingResponseQuery,
    success: { 200: "RoutingResponseList" },
    problems: [400, 401, 403, 404, 429],
    run: listRoutingResponsesRoute,
  },
];
