/** Routing forms (host): forms with their funnels, and their responses. Read only. */
import type * as v from "valibot";
import type { RoutingFormRecord } from "../../domain/model/records.ts";
import { type ApiResponse, ok } from "../http.ts";
import * as S from "../schemas/index.ts";
import { formFunnel, formResource, getForm, listForms } from "../../services/routing-forms.ts";
import { responsePage, responseResource } from "../../services/routing-responses.ts";
import { type Ctx, refused, type Route } from "./context.ts";

async function routingFormJson(ctx: Ctx, form: RoutingFormRecord) {
  return { ...formResource(form), funnel: await formFunnel(ctx.app, form) };
}

async function listRoutingFormsRoute(ctx: Ctx): Promise<ApiResponse> {
  const forms = await listForms(ctx.app, ctx.auth!.host.id);
  return ok({ data: await Promise.all(forms.map((f) => routingFormJson(ctx, f))) });
}

async function getRoutingFormRoute(ctx: Ctx): Promise<ApiResponse> {
  const form = await getForm(ctx.app, ctx.auth!.host.id, ctx.params.id);
  return form ? ok(await routingFormJson(ctx, form)) : refused(ctx, "not_found");
}

async function listRoutingResponsesRoute(ctx: Ctx): Promise<ApiResponse> {
  const form = await getForm(ctx.app, ctx.auth!.host.id, ctx.params.id);
  if (!form) return refused(ctx, "not_found");
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
    summary: "Your routing forms, with their funnels",
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
