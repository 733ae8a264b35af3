import type { PageServerLoad } from "./$types";
import { loadResponses, personalScope } from "$lib/server/http/routing-dashboard.ts";

export const load: PageServerLoad = (event) => loadResponses(event, personalScope(event));
