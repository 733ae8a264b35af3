import type { PageServerLoad } from "./$types";
import { loadResponses, teamScope } from "$lib/server/http/routing-dashboard.ts";

export const load: PageServerLoad = async (event) => loadResponses(event, await teamScope(event));
