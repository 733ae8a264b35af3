import type { LayoutServerLoad } from "./$types";
import { parseAccent } from "$lib/shared/accent.ts";
import { parentEventsForWidget } from "$lib/server/services/embed.ts";

export const load: LayoutServerLoad = async ({ url, locals, route, params }) => {
  const theme = url.searchParams.get("theme");
  const accent = parseAccent(url.searchParams.get("accent"));
  // Malformed values fall back to defaults; the widget never errors over its looks.
  const carry = new URLSearchParams();
  if (theme === "light" || theme === "dark" || theme === "system") carry.set("theme", theme);
  if (accent) carry.set("accent", accent.slice(1));
  return {
    accent,
    carry: carry.toString(),
    // Where the widget's events to the embedding page may go (ADR 046).
    parentEvents: await parentEventsForWidget(
      locals.app,
      route.id,
      params as Record<string, string>,
    ),
  };
};
