/**
 * A small, fixed set of route classes for metrics and logs: labels stay few (Prometheus keeps one
 * series per label value) and no username, slug or token ever becomes one.
 */
export function routeClass(method: string, pathname: string): string {
  const p = pathname.endsWith("/__data.json")
    ? pathname.slice(0, -"/__data.json".length)
    : pathname;
  if (
    p.startsWith("/_app/") || p === "/favicon.svg" || p === "/robots.txt" || p === "/embed.js"
  ) return "static";
  // The API first: the busiest class after pages, and no pattern below can match it.
  if (p === "/api" || p.startsWith("/api/")) return "api";
  if (p === "/healthz" || p === "/readyz" || p === "/metrics") return "probe";
  if (/^\/(calendar|widget)\/[^/]+\/[^/]+\/?$/.test(p) && !p.startsWith("/widget/booking/")) {
    return method === "POST" ? "booking_submit" : "booking_page";
  }
  if (/^\/calendar\/[^/]+\/?$/.test(p) || /^\/widget\/[^/]+\/?$/.test(p)) return "host_page";
  if (p.startsWith("/booking/") || p.startsWith("/widget/booking/")) return "booking_manage";
  if (p === "/dashboard" || p.startsWith("/dashboard/")) return "dashboard";
  if (/^\/(auth|signin|signout)(\/|$)/.test(p)) return "auth";
  if (p === "/mcp") return "mcp";
  if (p === "/") return "home";
  return "other";
}
