/**
 * API keys. The secret is stored only as its SHA-256 (the index key); the record keeps a short
 * prefix so the host can tell keys apart. Revoking deletes the index in one write: the next
 * request with that secret finds nothing, exactly like an unknown key.
 */
import { keys, type UserId } from "./keys.ts";
import { commitOrReread, commitWithReceipt, LOST, untilLanded } from "./kv.ts";
import type { ApiKeyIndexRecord, ApiKeyRecord } from "../domain/model/records.ts";

export async function insertApiKey(kv: Deno.Kv, rec: ApiKeyRecord): Promise<boolean> {
  // A fresh id and a fresh secret's hash: the index names this key exactly when this write
  // landed, even when its answer was lost (ADR 038).
  const res = await commitOrReread(
    kv.atomic()
      .check({ key: keys.apiKeyByHash(rec.hash), versionstamp: null })
      .check({ key: keys.apiKey(rec.hostId, rec.id), versionstamp: null })
      .set(keys.apiKey(rec.hostId, rec.id), rec)
      .set(
        keys.apiKeyByHash(rec.hash),
        { v: 1, hostId: rec.hostId, keyId: rec.id } satisfies ApiKeyIndexRecord,
      ),
    async () =>
      (await kv.get<ApiKeyIndexRecord>(keys.apiKeyByHash(rec.hash))).value?.keyId === rec.id,
  );
  return res.ok;
}

/** The key a secret's hash names, with its entry (for a guarded last-use update). */
export async function getApiKeyByHash(
  kv: Deno.Kv,
  hash: string,
): Promise<Deno.KvEntry<ApiKeyRecord> | null> {
  const idx = await kv.get<ApiKeyIndexRecord>(keys.apiKeyByHash(hash));
  if (!idx.value) return null;
  const rec = await kv.get<ApiKeyRecord>(keys.apiKey(idx.value.hostId, idx.value.keyId));
  // A record whose hash does not match is a leftover; never trust the index alone.
  return rec.value && rec.value.hash === hash ? rec as Deno.KvEntry<ApiKeyRecord> : null;
}

export async function listApiKeys(kv: Deno.Kv, hostId: UserId): Promise<ApiKeyRecord[]> {
  const out: ApiKeyRecord[] = [];
  for await (const e of kv.list<ApiKeyRecord>({ prefix: keys.apiKeyPrefix(hostId) })) {
    out.push(e.value);
  }
  return out;
}

/**
 * Deletes a key and its hash index; the key as it was, or null when there was none. A use
 * recorded on the key between the read and the commit (`touchApiKey`: a client calling with it
 * while it is revoked) does not refuse the revoke: it reads again.
 */
export async function removeApiKey(
  kv: Deno.Kv,
  hostId: UserId,
  keyId: string,
): Promise<ApiKeyRecord | null> {
  return await untilLanded("removeApiKey", async () => {
    const cur = await kv.get<ApiKeyRecord>(keys.apiKey(hostId, keyId));
    if (!cur.value) return null;
    const res = await commitWithReceipt(
      kv,
      kv.atomic().check(cur)
        .delete(keys.apiKey(hostId, keyId))
        .delete(keys.apiKeyByHash(cur.value.hash)),
    );
    return res.ok ? cur.value : LOST;
  });
}

/** Records a use; skipped when the key changed or was revoked meanwhile (never resurrects it). */
export async function touchApiKey(
  kv: Deno.Kv,
  entry: Deno.KvEntry<ApiKeyRecord>,
  nowMs: number,
): Promise<void> {
  await kv.atomic().check(entry)
    .set(entry.key, { ...entry.value, lastUsedAtMs: nowMs } satisfies ApiKeyRecord)
    .commit();
}
