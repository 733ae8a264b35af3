import type { Actions, PageServerLoad } from "./$types";
import { bookAction, loadBookingPage } from "$lib/server/http/booking-page.ts";

export const load: PageServerLoad = (event) => loadBookingPage(event);

export const actions: Actions = {
  // The result stays inside the widget, with the same looks (see `resultPath`).
  book: (event) => bookAction(event),
};
