import type { App } from "../app.ts";
import { type RateGroup, windowOf } from "../domain/rate-limit.ts";
import { countHit } from "../store/rate-limits.ts";

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

/** Counts a request of `group` by `subject` (an IP, an email) and says whether it may go on. */
export async function checkRateLimit(app: App, group: RateGroup, subject: string): Promise<RateDecision> {
  const limits = app.config.rateLimits;
  if (!limits) return { ok: true };
  const { limit, windowMs } = limits[group];
  const w = windowOf(app.now(), windowMs);
  const count = await countHit(app.kv, group, subject.toLowerCase().slice(0, 320), w.startMs, windowMs);
  return count <= limit ? { ok: true } : { ok: false, retryAfterS: w.retryAfterS };
}
