import type { App } from "../app.ts";
import { type RateGroup, rateSubject } from "../domain/rate-limit.ts";
import { countHit } from "../store/rate-limits.ts";

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

/** Counts a request of `group` by `subject` (an IP, an email) and says whether it may go on. */
export async function checkRateLimit(
  app: App,
  group: RateGroup,
  subject: string,
): Promise<RateDecision> {
  const limits = app.config.rateLimits;
  if (!limits) return { ok: true };
  const { limit, windowMs } = limits[group];
  const nowMs = app.now();
  const { count, resetAtMs } = await countHit(
    app.kv,
    group,
    // IPv6 clients by their /64 (domain/rate-limit.ts rateSubject).
    rateSubject(subject).slice(0, 320),
    nowMs,
    windowMs,
  );
  return count <= limit
    ? { ok: true }
    : { ok: false, retryAfterS: Math.max(1, Math.ceil((resetAtMs - nowMs) / 1000)) };
}
