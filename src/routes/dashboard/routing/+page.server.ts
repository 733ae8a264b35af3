import type { Actions, PageServerLoad } from "./$types";
import {
  createFormAction,
  loadFormList,
  personalScope,
} from "$lib/server/http/routing-dashboard.ts";

export const load: PageServerLoad = (event) => loadFormList(event, personalScope(event));

export const actions: Actions = {
  create: (event) => createFormAction(event, personalScope(event)),
};
