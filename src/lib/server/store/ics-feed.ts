/**
 * A host's secret calendar feed: the URL's token is derived from a stored salt (so the profile
 * can show it again), and only its hash names the host. A new salt retires the old URL at once.
 */
import { keys, type UserId } from "./keys.ts";
import { commitOrReread } from "./kv.ts";
import type { IcsFeedRecord } from "../domain/model/records.ts";

export async function getIcsFeed(
  kv: Deno.Kv,
  hostId: UserId,
): Promise<Deno.KvEntryMaybe<IcsFeedRecord>> {
  return await kv.get<IcsFeedRecord>(keys.icsFeed(hostId));
}

export async function hostForFeedHash(kv: Deno.Kv, hash: string): Promise<UserId | null> {
  return (await kv.get<UserId>(keys.icsFeedByHash(hash))).value;
}

/** Removes the feed and its hash index (a closed account); false when it changed meanwhile. */
export async function removeIcsFeed(
  kv: Deno.Kv,
  hostId: UserId,
  current: Deno.KvEntry<IcsFeedRecord>,
  hash: string,
): Promise<boolean> {
  const res = await kv.atomic().check(current)
    .delete(keys.icsFeed(hostId))
    .delete(keys.icsFeedByHash(hash))
    .commit();
  return res.ok;
}

/** Replaces the feed's salt and hash index in one write; false when it changed meanwhile. */
export async function replaceIcsFeed(
  kv: Deno.Kv,
  hostId: UserId,
  current: Deno.KvEntryMaybe<IcsFeedRecord>,
  oldHash: string | null,
  next: IcsFeedRecord,
  newHash: string,
): Promise<boolean> {
  const op = kv.atomic().check(current)
    .check({ key: keys.icsFeedByHash(newHash), versionstamp: null })
    .set(keys.icsFeed(hostId), next)
    .set(keys.icsFeedByHash(newHash), hostId);
  if (oldHash) op.delete(keys.icsFeedByHash(oldHash));
  // The new hash comes from a fresh salt: it names this host exactly when this write landed.
  return (await commitOrReread(
    op,
    async () => (await kv.get<UserId>(keys.icsFeedByHash(newHash))).value === hostId,
  )).ok;
}
