import type { Actions, PageServerLoad } from "./$types";
import { bookAction, loadBookingPage } from "$lib/server/http/booking-page.ts";
import { pageMeta } from "$lib/server/http/page-meta.ts";

export const load: PageServerLoad = async (event) => {
  const data = await loadBookingPage(event);
  const t = event.locals.t.t;
  const { eventType: et, host } = data;
  return {
    ...data,
    meta: pageMeta(event, {
      title: `${t("booking.page_title", { title: et.title, host: host.name })} · Invito`,
      description: et.description.trim() ||
        t("meta.booking_description", { title: et.title, host: host.name }),
      languageFixed: data.languageFixed,
    }),
  };
};

export const actions: Actions = {
  book: (event) => bookAction(event),
};
