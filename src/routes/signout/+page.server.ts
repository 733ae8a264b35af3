import { redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { auth } from "$lib/server/auth-instance.ts";

export const load: PageServerLoad = () => redirect(303, "/dashboard");

export const actions: Actions = {
  default: async (event) => {
    await auth.signOut(event);
    redirect(303, "/");
  },
};
