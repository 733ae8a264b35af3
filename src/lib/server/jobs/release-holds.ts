/**
 * Multi-person holds left behind by a crash: a coordinator still "holding" some time after its
 * deadline is abandoned and its members' hold entries removed (one guarded write each, via the
 * transaction runner). Until then they already count as free for anyone who takes the
 * coordinator over (services/team-booking.ts); this only tidies up.
 */
import type { App } from "../app.ts";
import { listStaleCoordinators } from "../store/bookings.ts";
import { engineRules, runChange } from "../services/transaction.ts";
import { finishLeftSeries } from "../services/book-series.ts";
import { keys } from "../store/keys.ts";
import type { CoordinatorRecord } from "../domain/model/records.ts";

/** A final commit may still be in flight just after the deadline; leave those a moment. */
const GRACE_MS = 10_000;

export async function releaseStaleHolds(app: App, nowMs: number): Promise<{ released: number }> {
  let released = 0;
  for (let round = 0; round < 20; round++) {
    const ids = await listStaleCoordinators(app.kv, nowMs - GRACE_MS, 100);
    for (const coordinatorId of ids) {
      // A series whose process died after its one deciding commit is finished, not released
      // (domain/booking-engine/series.ts).
      const c = (await app.kv.get<CoordinatorRecord>(keys.coordinator(coordinatorId))).value;
      if (c?.series && c.state === "committed") {
        await finishLeftSeries(app, c);
        continue;
      }
      const res = await runChange(app, {
        rules: engineRules(app, null),
        change: () => ({ kind: "release", coordinatorId }),
      });
      // Counted when this run gave it up (a coordinator taken over already was abandoned).
      if (res.ok && res.plan.checks.length > 0) released++;
    }
    if (ids.length < 100) break;
  }
  return { released };
}
