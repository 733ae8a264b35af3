import type { Actions, PageServerLoad } from "./$types";
import { loadDecision, submitDecision } from "$lib/server/services/decision-page.ts";

export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  return await loadDecision(locals.app, params.token, "confirm", locals.t);
};

export const actions: Actions = {
  default: async ({ locals, params, request, setHeaders }) => {
    const reason = String((await request.formData()).get("reason") ?? "").trim();
    return await submitDecision(
      locals.app,
      params.token,
      "confirm",
      locals.t,
      setHeaders,
      reason || undefined,
    );
  },
};
