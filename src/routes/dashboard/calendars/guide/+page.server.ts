import type { PageServerLoad } from "./$types";
import { calendarProviderSetup } from "$lib/server/services/calendar-oauth.ts";

export const load: PageServerLoad = ({ locals }) => ({
  providers: calendarProviderSetup(locals.app),
});
