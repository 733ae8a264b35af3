import type { Actions, PageServerLoad } from "./$types";
import {
  deleteAction,
  loadEditor,
  saveAction,
  teamScope,
  testAction,
} from "$lib/server/http/routing-dashboard.ts";

export const load: PageServerLoad = async (event) => loadEditor(event, await teamScope(event));

export const actions: Actions = {
  save: async (event) => saveAction(event, await teamScope(event)),
  test: async (event) => testAction(event, await teamScope(event)),
  delete: async (event) => deleteAction(event, await teamScope(event)),
};
