/** Usernames appear in public URLs (/calendar/{username}/): lowercase, URL-safe, stable. */
export const USERNAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** Turns "Zoë O'Brien" or "zoe.obrien+cal" into "zoe-obrien"; never returns an empty string. */
export function slugifyUsername(input: string): string {
  const ascii = input.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const slug = ascii.replace(/\+.*$/, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(
    0,
    32,
  )
    .replace(/-+$/, "");
  return slug.length >= 1 ? slug : "host";
}

/** The nth candidate for a wanted username: alice, alice-2, alice-3 … */
export function usernameCandidate(base: string, n: number): string {
  return n <= 1 ? base : `${base}-${n}`;
}

export const RESERVED_USERNAMES = new Set([
  "admin",
  "api",
  "auth",
  "dashboard",
  "static",
  "www",
  "widget",
  // /widget/team/… is a team's widget.
  "team",
]);
