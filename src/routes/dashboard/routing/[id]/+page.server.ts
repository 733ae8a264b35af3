import type { Actions, PageServerLoad } from "./$types";
import {
  deleteAction,
  loadEditor,
  personalScope,
  saveAction,
  testAction,
} from "$lib/server/http/routing-dashboard.ts";

export const load: PageServerLoad = (event) => loadEditor(event, personalScope(event));

export const actions: Actions = {
  save: (event) => saveAction(event, personalScope(event)),
  test: (event) => testAction(event, personalScope(event)),
  delete: (event) => deleteAction(event, personalScope(event)),
};
