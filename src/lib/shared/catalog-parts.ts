/**
 * Which messages a browser downloads. Public pages (booking page, widget, booking links, sign-in)
 * get the *public* part of their language's catalog; signed-in pages (`/dashboard`) get all of
 * it. Over 80 % of the catalog is dashboard and mail text a guest never reads, and every byte
 * of it delayed the booking page on a phone (see ADR 028).
 *
 * The split is by namespace (the part of a key before the first dot). A namespace is public
 * unless it is listed here, so a new one costs bytes, never a missing message; the test beside
 * this file fails when code reachable from a public page uses a listed namespace.
 *
 * Vite-free and catalog-free: `vite.config.ts` cuts the public chunks with it, the root layout
 * chooses the part with it, and `deno test` checks it.
 */
import type { Catalog } from "./i18n.ts";

/** Namespaces only signed-in pages show, or only the server writes (mails, calendar text). */
export const SIGNED_IN_NAMESPACES: readonly string[] = [
  "admin", // the admin area (issue 32)
  "avail", // availability editors
  "bookings", // the host's booking list
  "cal", // calendar connections
  "data", // export, import and deletion of a host's data
  "dev", // API tokens and webhooks
  "embed", // embedding instructions
  "et", // event type editor
  "fu", // follow-up editor
  "holidays", // holiday import
  "home_dash", // the dashboard's home
  "ics", // calendar text (server only)
  "import", // the booking import report
  "ins", // insights
  "links", // single-use links
  "mail", // mails (server only)
  "mcp", // the MCP endpoint's answers (server only)
  "nav", // dashboard navigation
  "oauth", // calendar OAuth messages
  "outbox", // why a delivery waits or failed (the host's booking list and insights)
  "profile", // the host's profile
  "routing", // routing form editor and responses
  "seated", // seated times in the host's booking list
  "setup", // first-use checklist
  "ts", // troubleshooter
];

export type CatalogPart = "public" | "full";

export function isPublicKey(key: string): boolean {
  const dot = key.indexOf(".");
  return !SIGNED_IN_NAMESPACES.includes(dot === -1 ? key : key.slice(0, dot));
}

/** The messages a public page may show. */
export function publicPart(catalog: Catalog): Catalog {
  return Object.fromEntries(Object.entries(catalog).filter(([key]) => isPublicKey(key)));
}

/**
 * Routes only a signed-in person reads: the dashboard, a team invitation (accepting one needs an
 * account; it shows the invitation mail's words and the sign-out button), and the admin area.
 */
export const SIGNED_IN_ROUTES: readonly string[] = ["/dashboard", "/team-invitation", "/admin"];

/** The part a route's pages need (`route.id` as SvelteKit names it; null for "no route": 404s). */
export function catalogPartFor(routeId: string | null): CatalogPart {
  return SIGNED_IN_ROUTES.some((r) => routeId === r || routeId?.startsWith(`${r}/`))
    ? "full"
    : "public";
}
