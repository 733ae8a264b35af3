import type { Actions, PageServerLoad } from "./$types";
import { loadDecision, submitDecision } from "$lib/server/services/decision-page.ts";

export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  return await loadDecision(locals.app, params.token, "confirm");
};

export const actions: Actions = {
  default: ({ locals, params, setHeaders }) =>
    submitDecision(locals.app, params.token, "confirm", setHeaders),
};
