import type { RequestHandler } from "./$types";
import { personalScope, responsesCsv } from "$lib/server/http/routing-dashboard.ts";

export const GET: RequestHandler = (event) => responsesCsv(event, personalScope(event));
