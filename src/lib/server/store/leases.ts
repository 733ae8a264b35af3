/**
 * Leases keep a cron job to one runner at a time across processes (each process registers the
 * same crons). A lease is a KV entry with an owner and an expiry, taken by versionstamp check.
 */
import { keys } from "./keys.ts";
import type { LeaseRecord } from "../domain/model/records.ts";
import { commitOrReread } from "./kv.ts";

export async function acquireLease(
  kv: Deno.Kv,
  name: string,
  owner: string,
  ttlMs: number,
  nowMs: number,
): Promise<boolean> {
  const cur = await kv.get<LeaseRecord>(keys.lease(name));
  if (cur.value && cur.value.untilMs > nowMs && cur.value.owner !== owner) return false;
  const untilMs = nowMs + ttlMs;
  const op = kv.atomic()
    .check(cur)
    .set(keys.lease(name), { owner, untilMs } satisfies LeaseRecord, {
      expireIn: ttlMs + 60_000,
    });
  // A take whose answer was lost (remote KV) is ours if the lease holds exactly what we wrote.
  const res = await commitOrReread(op, async () => {
    const now = (await kv.get<LeaseRecord>(keys.lease(name))).value;
    return now?.owner === owner && now.untilMs === untilMs;
  });
  return res.ok;
}

export async function releaseLease(kv: Deno.Kv, name: string, owner: string): Promise<void> {
  const cur = await kv.get<LeaseRecord>(keys.lease(name));
  if (cur.value?.owner !== owner) return;
  await kv.atomic().check(cur).delete(keys.lease(name)).commit();
}

/**
 * Claims one tick of a periodic job: of all processes whose cron fires for tick
 * `floor(nowMs / intervalMs)`, the first to ask gets true, every other false until the next tick.
 * A lease alone cannot promise that: it is released when the job ends, so a process whose cron
 * fires a little later (a busy machine) would run the same tick again. A tick is never released.
 */
export async function claimTick(
  kv: Deno.Kv,
  name: string,
  owner: string,
  intervalMs: number,
  nowMs: number,
): Promise<boolean> {
  const tick = Math.floor(nowMs / intervalMs);
  const key = keys.cronTick(name);
  const cur = await kv.get<LeaseRecord>(key);
  if (cur.value?.tick !== undefined && cur.value.tick >= tick) return false;
  const untilMs = (tick + 1) * intervalMs;
  const op = kv.atomic().check(cur).set(key, { owner, untilMs, tick } satisfies LeaseRecord, {
    expireIn: Math.max(1, untilMs - nowMs) + intervalMs,
  });
  const res = await commitOrReread(op, async () => {
    const now = (await kv.get<LeaseRecord>(key)).value;
    return now?.owner === owner && now.tick === tick;
  });
  return res.ok;
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
