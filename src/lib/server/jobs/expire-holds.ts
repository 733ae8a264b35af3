/**
 * PENDING requests past their hold become CANCELLED (reason "expired") by the same
 * compare-and-swap as every other transition: a booking confirmed a moment earlier stays
 * CONFIRMED, and the guest's "expired" mail is queued in the same write.
 */
import type { App } from "../app.ts";
import { dropExpiryIndex, listExpiredHolds } from "../store/bookings.ts";
import { decideBooking } from "../services/decide-booking.ts";
import { settleCounts } from "../services/insights-count.ts";

export async function expireHolds(app: App, nowMs: number): Promise<{ expired: number }> {
  let expired = 0;
  for (let round = 0; round < 20; round++) {
    const ids = await listExpiredHolds(app.kv, nowMs, 100);
    if (ids.length === 0) break;
    for (const id of ids) {
      const res = await decideBooking(
        { ...app, now: () => Math.max(nowMs, app.now()) },
        id,
        "expire",
        "system",
      );
      // A series' date expires with its other lapsed dates (services/series-bookings.ts).
      if (res.ok) expired += 1 + (res.also?.length ?? 0);
      else if (res.booking && res.booking.status !== "PENDING") {
        // A decided booking's index entry goes with its decision; this only mends a stale one.
        await dropExpiryIndex(app.kv, res.booking.reservedUntilMs ?? nowMs, id);
      } else if (!res.booking && res.reason === "not_found") {
        await dropExpiryIndex(app.kv, nowMs, id);
      }
    }
    if (ids.length < 100) break;
  }
  // The runner counted each expiry (services/after-commit.ts); a run ends with its counts written.
  if (expired > 0) await settleCounts();
  return { expired };
}
