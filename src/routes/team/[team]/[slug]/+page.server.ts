import type { Actions, PageServerLoad } from "./$types";
import { bookAction, loadBookingPageWithMeta } from "$lib/server/http/booking-page.ts";

export const load: PageServerLoad = (event) => loadBookingPageWithMeta(event);

export const actions: Actions = {
  book: (event) => bookAction(event),
};
