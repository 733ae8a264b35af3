/** Where a guest's move of a booking may land: the rule is domain/guest-moves.ts's. */
import type { App } from "../app.ts";
import type { BookingRecord } from "../domain/model/records.ts";
import { guestMoveStarts } from "../domain/guest-moves.ts";
import { getSingleUseLink } from "../store/single-use-links.ts";

/**
 * The starts a guest may move `booking` to (null: any the event type offers). Bookings made
 * through a one-off link carry the offered times; one made before they were recorded on it
 * reads them from its link (a link the host has since removed from their list cannot tell).
 */
export async function offeredMoveStarts(
  app: App,
  booking: Pick<BookingRecord, "hostId" | "singleUseLinkId" | "offeredStarts">,
): Promise<readonly number[] | null> {
  const link = !booking.offeredStarts && booking.singleUseLinkId
    ? await getSingleUseLink(app.kv, booking.hostId, booking.singleUseLinkId)
    : null;
  return guestMoveStarts(booking, link);
}
