import type { Actions, PageServerLoad } from "./$types";
import { bookAction, loadBookingPage } from "$lib/server/http/booking-page.ts";
import { parseAccent } from "$lib/shared/accent.ts";

export const load: PageServerLoad = (event) => loadBookingPage(event);

export const actions: Actions = {
  book: (event) => {
    // The result stays inside the widget, with the same looks.
    const q = new URLSearchParams();
    const theme = event.url.searchParams.get("theme");
    const accent = parseAccent(event.url.searchParams.get("accent"));
    if (theme === "light" || theme === "dark" || theme === "system") q.set("theme", theme);
    if (accent) q.set("accent", accent.slice(1));
    const suffix = q.size ? `?${q}` : "";
    return bookAction(event, (token) => `/widget/booking/${token}${suffix}`);
  },
};
