/**
 * A page's address from its name, the one rule every form that offers one follows (event types,
 * routing forms, teams, the first setup; a username adds its own cut and fallback on top).
 */

/**
 * "Intro call with Zoë!" → "intro-call-with-zoe"; "" when nothing usable is left. `max` is the
 * address's own bound (an event type's 60, a team's 40): cut there, never ending on a dash.
 */
export function slugify(text: string, max = 60): string {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, max).replace(/-+$/, "");
}
