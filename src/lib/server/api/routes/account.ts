/** Account: the host an API key belongs to. */
import { type ApiResponse, ok } from "../http.ts";
import type { Ctx, Route } from "./context.ts";

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

/** GET /me */
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
];
