import type { PageServerLoad } from "./$types";
import { REDIRECT_PARAMS } from "$lib/server/domain/embed.ts";

/** The embedding guide for site owners (English, like the API reference). */
export const load: PageServerLoad = ({ locals, setHeaders }) => {
  setHeaders({ "cache-control": "public, max-age=300" });
  return {
    base: locals.app.config.baseUrl.href.replace(/\/$/, ""),
    redirectParams: [...REDIRECT_PARAMS],
  };
};
