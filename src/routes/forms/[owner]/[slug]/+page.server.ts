import type { Actions, PageServerLoad } from "./$types";
import { loadRoutingForm, submitRoutingForm } from "$lib/server/http/routing-form-page.ts";

export const load: PageServerLoad = (event) => loadRoutingForm(event);

export const actions: Actions = {
  default: (event) => submitRoutingForm(event, false),
};
