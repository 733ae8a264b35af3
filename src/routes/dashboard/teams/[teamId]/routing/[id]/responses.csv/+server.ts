import type { RequestHandler } from "./$types";
import { responsesCsv, teamScope } from "$lib/server/http/routing-dashboard.ts";

export const GET: RequestHandler = async (event) => responsesCsv(event, await teamScope(event));
