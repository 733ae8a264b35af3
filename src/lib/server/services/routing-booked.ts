/**
 * A booking made by a routing form's visitor (issue 30), on the runner's path after its commit
 * (registered in after-commit.ts): the response it came from is linked to it, once, and only
 * then counted as booked — on the form's own funnel (in the linking write) and in insights (per
 * route, on the day it was booked). Neither a route nor a booking service does this by hand, so
 * every way of booking a routed visitor's time gets it, and a second booking from the same visit
 * is neither linked nor counted.
 *
 * Like a count, it runs in the background of the change it follows and never fails it; a crash
 * between the commit and the link loses the link and its count (the booking stands).
 */
import type { App } from "../app.ts";
import type { Committed } from "../domain/booking-engine/index.ts";
import { linkBookingToResponse } from "../store/routing-forms.ts";
import { COUNTED_AS, countInBackground, countRoutingStep } from "./insights-count.ts";

/** Links and counts the routed bookings a committed change made (none, most of the time). */
export function linkRoutedBookings(app: App, committed: Committed): Promise<void> {
  const { change, plan } = committed;
  // Only bookings made: a move's successor is the same visitor's booking, already linked.
  const moved = change.kind === "commit" && !!change.retire;
  if (moved || COUNTED_AS[plan.kind] !== "booked") return Promise.resolve();
  const made = (plan.made ?? (plan.booking ? [plan.booking] : [])).filter((b) => b.routing);
  if (made.length === 0) return Promise.resolve();
  return countInBackground(app, "routed booking", async () => {
    for (const b of made) {
      const r = await linkBookingToResponse(app.kv, b.routing!, b.id);
      if (!r) continue;
      await countRoutingStep(app, { id: r.formId, ownerId: r.ownerId }, {
        stage: "booked",
        routeId: r.routeId,
        eventTypeId: b.eventTypeId,
      }, b.createdAtMs);
    }
  });
}
