import type { Actions, PageServerLoad } from "./$types";
import { createFormAction, loadFormList, teamScope } from "$lib/server/http/routing-dashboard.ts";

export const load: PageServerLoad = async (event) => loadFormList(event, await teamScope(event));

export const actions: Actions = {
  create: async (event) => createFormAction(event, await teamScope(event)),
};
