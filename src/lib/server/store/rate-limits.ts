import { keys } from "./keys.ts";

/**
 * Counts one hit of `subject` in `group`. A window opens at the subject's first hit and lasts
 * `windowMs` (so a burst cannot straddle two fixed windows to get twice the limit). Opening a
 * window is a versionstamp-checked write that happens once per window; the count itself is a
 * KvU64 `sum`, which never conflicts, so a burst of concurrent hits is counted exactly.
 */
export async function countHit(
  kv: Deno.Kv,
  group: string,
  subject: string,
  nowMs: number,
  windowMs: number,
): Promise<{ count: number; resetAtMs: number }> {
  const anchorKey = keys.rateLimit(group, subject);
  let startMs = nowMs;
  for (let attempt = 0; attempt < 5; attempt++) {
    const anchor = await kv.get<number>(anchorKey);
    if (anchor.value !== null && anchor.value + windowMs > nowMs) {
      startMs = anchor.value;
      break;
    }
    const res = await kv.atomic().check(anchor).set(anchorKey, nowMs, {
      expireIn: windowMs + 1_000,
    }).commit();
    if (res.ok) {
      startMs = nowMs;
      break;
    }
  }
  const counter = keys.rateLimitCount(group, subject, startMs);
  await kv.atomic().sum(counter, 1n).commit();
  const count = await kv.get<Deno.KvU64>(counter);
  if (count.value?.value === 1n) {
    // `sum` takes no expiry; the first hitter gives the counter one (it is useless after the window).
    await kv.atomic().check(count).set(counter, count.value, { expireIn: windowMs + 1_000 })
      .commit();
  }
  return { count: Number(count.value?.value ?? 1n), resetAtMs: startMs + windowMs };
}
