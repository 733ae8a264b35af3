/**
 * Markdown booking pages for programs: `/calendar/{user}/{slug}.md`, `/calendar/{user}.md`, and
 * the same addresses without `.md` when the request prefers `text/markdown` over HTML.
 */
import type { Handle } from "@sveltejs/kit";
import { eventTypeMarkdown, hostMarkdown } from "../services/agent-pages.ts";
import { suspendedHostName } from "../services/public-calendar.ts";
import { translator } from "../i18n.ts";
import { acceptQuality } from "./accept.ts";

const PATH = /^\/calendar\/([^/]+?)(?:\/([^/]+?))?(\.md)?\/?$/;

export function wantsMarkdown(accept: string | null): boolean {
  // Only a type named outright counts: a browser's `*/*` asks for its page, not for Markdown.
  const md = acceptQuality(accept, "text/markdown", { exact: true });
  return md > 0 && md >= acceptQuality(accept, "text/html", { exact: true });
}

export const agentPages: Handle = async ({ event, resolve }) => {
  const method = event.request.method;
  if (method !== "GET" && method !== "HEAD") return resolve(event);
  const m = PATH.exec(event.url.pathname);
  if (!m) return resolve(event);
  const explicit = m[3] === ".md";
  const negotiated = !explicit && wantsMarkdown(event.request.headers.get("accept"));
  if (!explicit && !negotiated) return resolve(event);
  let user: string, slug: string | undefined;
  try {
    user = decodeURIComponent(m[1]);
    slug = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  } catch {
    return resolve(event);
  }
  const app = event.locals.app;
  const text = slug === undefined ? await hostMarkdown(app, user) : await eventTypeMarkdown(app, {
    username: user,
    slug,
    timeZone: event.url.searchParams.get("tz"),
  });
  const headers = {
    "content-type": "text/markdown; charset=utf-8",
    "cache-control": "no-store",
    vary: "Accept",
  };
  if (text === null) {
    // A suspended host's pages say so, as their HTML does (410): an agent told "no booking page"
    // would tell its person the host does not exist. In English, as the rest of these pages.
    const suspended = await suspendedHostName(app, user);
    if (suspended !== null) {
      const words = translator("en").t("host_page.not_taking_bookings", { host: suspended });
      return new Response(`# ${words}\n`, { status: 410, headers });
    }
    return new Response("# Not found\n\nThere is no booking page at this address.\n", {
      status: 404,
      headers,
    });
  }
  return new Response(method === "HEAD" ? null : text, { headers });
};
