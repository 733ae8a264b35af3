/**
 * Where to go after sign-in: only a same-origin relative path. Anything that a browser could
 * read as another origin ("//evil.example", "/\evil.example", "https://…") falls back.
 */
export function safeRedirectPath(
  target: unknown,
  baseOrigin: string,
  fallback = "/dashboard",
): string {
  if (typeof target !== "string" || target.length === 0 || target.length > 2000) return fallback;
  let path = target;
  if (/^https?:\/\//i.test(path)) {
    try {
      const u = new URL(path);
      if (u.origin !== baseOrigin) return fallback;
      path = u.pathname + u.search + u.hash;
    } catch {
      return fallback;
    }
  }
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return fallback;
  if (/[\u0000-\u001f\\]/.test(path)) return fallback;
  // Never bounce back into the auth flow itself.
  if (path.startsWith("/auth/") || path.startsWith("/signin")) return fallback;
  try {
    const resolved = new URL(path, baseOrigin);
    if (resolved.origin !== baseOrigin) return fallback;
    // The URL's own serialisation: a Location header carries only ASCII ("/。x" becomes
    // "/%E3%80%82x"; SvelteKit refuses the raw form with a 500).
    const out = resolved.pathname + resolved.search + resolved.hash;
    if (out.startsWith("//") || out.startsWith("/\\")) return fallback;
    return out;
  } catch {
    return fallback;
  }
}
