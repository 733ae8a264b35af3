/** Account: the host an API key belongs to, and the teams they are in. */
import { type ApiResponse, ok } from "../http.ts";
import type { Ctx, Route } from "./context.ts";
import { myTeams } from "../../services/team-dashboard.ts";

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

async function teams(ctx: Ctx): Promise<ApiResponse> {
  return ok({ data: await myTeams(ctx.app, ctx.auth!.host) });
}

/** GET /me, GET /teams */
export const accountRoutes: Route[] = [
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
    path: "/teams",
    operationId: "listTeams",
    summary: "The teams you are in, with your role",
    description: "Each team's id names it in `/teams/{teamId}/…`: its bookings " +
      "(`GET /teams/{teamId}/bookings`) and an owner's cancel of a seated meeting.",
    tag: "Account",
    auth: "read",
    success: { 200: "TeamList" },
    problems: [401, 429],
    run: teams,
  },
];
