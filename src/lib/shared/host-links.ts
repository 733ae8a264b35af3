/**
 * A booking's row in its host's own list, wherever the host is sent to it (calendar entries, the
 * feed, mails, insights, routing responses): `?booking=` makes the list load the page that holds
 * it — an old or far-off booking is past its first page — and the fragment scrolls to it. A
 * request still waiting opens under the list's "pending" filter, where it is decided.
 */
export const hostBookingPath = (id: string, status?: "pending") =>
  `/dashboard/bookings?${status ? `status=${status}&` : ""}booking=${id}#booking-${id}`;
