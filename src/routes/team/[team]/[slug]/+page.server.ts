import type { Actions, PageServerLoad } from "./$types";
import { bookAction, loadBookingPage } from "$lib/server/http/booking-page.ts";

export const load: PageServerLoad = (event) => loadBookingPage(event);

export const actions: Actions = {
  book: (event) => bookAction(event),
};
