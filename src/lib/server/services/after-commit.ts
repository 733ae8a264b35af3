/**
 * What happens after a booking change commits, in one place (docs/decisions/029-house-order.md):
 * the one runner (transaction.ts) calls `afterCommit` with every change that landed, and each
 * registered effect sees it. Routes and services never call these by hand, so a new route or a
 * new change kind cannot forget one.
 *
 * The change's own mails, webhook events and calendar writes are outbox jobs that the plan
 * committed atomically with it (domain/booking-engine/effects.ts); the effect here only kicks the
 * outbox so they go out at once. Insights counting runs in the background of the caller and never
 * fails or slows the change it describes (services/insights-count.ts).
 */
import type { App } from "../app.ts";
import type { Committed } from "../domain/booking-engine/index.ts";
import { countCommitted } from "./insights-count.ts";
import { linkRoutedBookings } from "./routing-booked.ts";

export type AfterCommitEffect = { name: string; run: (app: App, committed: Committed) => void };

/** The registered effects, in order. */
export const AFTER_COMMIT: readonly AfterCommitEffect[] = [
  {
    name: "outbox",
    run: (app, c) => {
      if (c.jobs.length) app.kickOutbox();
    },
  },
  {
    name: "insights",
    run: (app, c) => void countCommitted(app, c),
  },
  {
    // A routing form's visitor booked: their response is linked and counted as booked, once.
    name: "routing",
    run: (app, c) => void linkRoutedBookings(app, c),
  },
];

/** Runs every registered effect; one that throws is logged and never fails the change. */
export function afterCommit(app: App, committed: Committed): void {
  for (const effect of AFTER_COMMIT) {
    try {
      effect.run(app, committed);
    } catch (err) {
      console.warn(
        `[after-commit] ${effect.name} failed:`,
        err instanceof Error ? err.message : err,
      );
    }
  }
}
