import type { LayoutServerLoad } from "./$types";

export const load: LayoutServerLoad = ({ locals, url }) => {
  // Read so that SvelteKit re-runs this load when a language link changes `?lang=` in the
  // browser; otherwise the page kept its old language and only the URL changed.
  url.searchParams.get("lang");
  const u = locals.user;
  return {
    user: u
      ? { id: u.id, name: u.name, email: u.email, username: u.username, timeZone: u.timeZone }
      : null,
    // The page's language, decided by the locale hook (server/http/locale.ts).
    locale: locals.locale,
  };
};
