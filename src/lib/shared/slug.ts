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

/** What a form sent as its address, or the name's when it sent none (no scripts filled it in). */
export function addressOr(address: string, name: string, max = 60): string {
  return address.trim() === "" ? slugify(name, max) : address;
}

/**
 * Whether an address still follows its name: while it is empty or still what the name last gave
 * (`given`); one the person typed is theirs. Read from the fields, not from a flag set as the
 * address is typed: no such flag sees one typed before the page's scripts ran, or one sent back
 * with an error.
 */
export function followsName(address: string, given: string): boolean {
  return address.trim() === "" || address === given;
}
