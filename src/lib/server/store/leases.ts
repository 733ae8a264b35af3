/**
 * Leases keep a cron job to one runner at a time across processes (each process registers the
 * same crons). A lease is a KV entry with an owner and an expiry, taken by versionstamp check.
 */
import { keys } from "./keys.ts";
import type { LeaseRecord } from "./records.ts";

export async function acquireLease(
  kv: Deno.Kv,
  name: string,
  owner: string,
  ttlMs: number,
  nowMs: number,
): Promise<boolean> {
  const cur = await kv.get<LeaseRecord>(keys.lease(name));
  if (cur.value && cur.value.untilMs > nowMs && cur.value.owner !== owner) return false;
  const res = await kv.atomic()
    .check(cur)
    .set(keys.lease(name), { owner, untilMs: nowMs + ttlMs } satisfies LeaseRecord, {
      expireIn: ttlMs + 60_000,
    })
    .commit();
  return res.ok;
}

export async function releaseLease(kv: Deno.Kv, name: string, owner: string): Promise<void> {
  const cur = await kv.get<LeaseRecord>(keys.lease(name));
  if (cur.value?.owner !== owner) return;
  await kv.atomic().check(cur).delete(keys.lease(name)).commit();
}

/** Releases every lease `owner` holds (at shutdown), each with a check so a taken-over one stays. */
export async function releaseLeasesOf(kv: Deno.Kv, owner: string): Promise<number> {
  let released = 0;
  for await (const e of kv.list<LeaseRecord>({ prefix: keys.leasePrefix() })) {
    if (e.value?.owner !== owner) continue;
    if ((await kv.atomic().check(e).delete(e.key).commit()).ok) released++;
  }
  return released;
}
