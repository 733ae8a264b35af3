import type { LayoutServerLoad } from "./$types";

export const load: LayoutServerLoad = ({ locals }) => {
  const u = locals.user;
  return {
    user: u
      ? { id: u.id, name: u.name, email: u.email, username: u.username, timeZone: u.timeZone }
      : null,
    // The page's language, decided by the locale hook (server/http/locale.ts).
    locale: locals.locale,
  };
};
