/**
 * The language a person picked on the sign-in pages (`?lang=`) goes with them: into the form's
 * post, the check-email page, the mail and its verify page, and the callback that makes a new
 * account (whose language it becomes, integrations/auth.ts `browserLocale`). Without a pick the
 * browser's languages decide, as everywhere.
 */

/** The picked language (as the locale hook resolved it), or null when none was picked. */
export function pickedLang(url: URL, locale: string): string | null {
  return url.searchParams.has("lang") ? locale : null;
}

/** `path` with the picked language added to its query. */
export function withLang(path: string, lang: string | null): string {
  if (!lang) return path;
  return `${path}${path.includes("?") ? "&" : "?"}lang=${encodeURIComponent(lang)}`;
}
