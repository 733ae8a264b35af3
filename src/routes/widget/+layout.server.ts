import type { LayoutServerLoad } from "./$types";
import { parseAccent } from "$lib/shared/accent.ts";

export const load: LayoutServerLoad = ({ url }) => {
  const theme = url.searchParams.get("theme");
  const accent = parseAccent(url.searchParams.get("accent"));
  // Malformed values fall back to defaults; the widget never errors over its looks.
  const carry = new URLSearchParams();
  if (theme === "light" || theme === "dark" || theme === "system") carry.set("theme", theme);
  if (accent) carry.set("accent", accent.slice(1));
  return { accent, carry: carry.toString() };
};
