import { error, redirect } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { finishOAuthConnect } from "$lib/server/services/calendar-oauth.ts";
import { finishZoomConnect } from "$lib/server/services/zoom-meetings.ts";

/**
 * Where Google and Microsoft send the host back (the redirect URI to register). A GET that
 * stores the account, as OAuth requires; it acts only with a state this host started in the
 * last 10 minutes, once (a replayed callback finds nothing), and shows a message otherwise.
 */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  const provider = params.provider;
  if (provider === "zoom") {
    const zoom = await finishZoomConnect(locals.app, locals.user!, url, locals.t);
    if (zoom.ok) redirect(303, "/dashboard/calendars?connected=zoom");
    return { provider, message: zoom.message };
  }
  if (provider !== "google" && provider !== "microsoft") {
    error(404, locals.t.t("errors.not_found_heading"));
  }
  const res = await finishOAuthConnect(locals.app, locals.user!, provider, url, locals.t);
  if (res.ok) {
    redirect(
      303,
      `/dashboard/calendars?connected=${provider}${res.reconnected ? "&reconnected=1" : ""}`,
    );
  }
  return { provider, message: res.message };
};
