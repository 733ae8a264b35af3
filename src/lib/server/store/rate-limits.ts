import { keys } from "./keys.ts";

/**
 * Counts one hit in a fixed window and returns the count so far. `sum` on a KvU64 is a
 * conflict-free atomic increment, so concurrent requests are all counted.
 */
export async function countHit(kv: Deno.Kv, group: string, subject: string, windowStartMs: number, windowMs: number): Promise<number> {
  const key = keys.rateLimit(group, subject, windowStartMs);
  await kv.atomic().sum(key, 1n).commit();
  // Expiry is set separately: `sum` keeps no options; the window key is useless after it ends.
  const cur = await kv.get<Deno.KvU64>(key);
  if (cur.value && cur.value.value === 1n) {
    await kv.atomic().check(cur).set(key, cur.value, { expireIn: windowMs * 2 }).commit();
  }
  return Number(cur.value?.value ?? 1n);
}
