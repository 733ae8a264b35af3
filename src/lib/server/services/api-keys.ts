/**
 * Personal API keys: created with a name, scopes and an optional expiry; the secret is shown
 * once and kept only as a hash. Unknown, revoked and expired keys are indistinguishable.
 */
import type { App } from "../app.ts";
import { recordAudit } from "./audit.ts";
import type { ApiKeyRecord, ApiScope, UserRecord } from "../domain/model/records.ts";
import {
  getApiKeyByHash,
  insertApiKey,
  listApiKeys,
  removeApiKey,
  touchApiKey,
} from "../store/api-keys.ts";
import { getActiveUser, newId } from "../store/users.ts";
import { randomToken, sha256Hex } from "../integrations/crypto.ts";

export const API_KEY_PREFIX = "inv_";
const KEY_RE = /^inv_[A-Za-z0-9_-]{43}$/;
/** A host may keep this many keys; old ones are revoked to make room. */
export const MAX_API_KEYS = 25;
/** Last use is written at most this often per key (each write costs a commit). */
const TOUCH_EVERY_MS = 60_000;

export type NewApiKey = { name: string; scopes: ApiScope[]; expiresAtMs: number | null };

export async function createApiKey(
  app: App,
  host: Pick<UserRecord, "id">,
  input: NewApiKey,
  /** Only for the demo key, whose secret is derived (see seed-demo.ts); otherwise random. */
  fixedSecret?: string,
): Promise<{ ok: true; secret: string; key: ApiKeyRecord } | { ok: false; reason: "too_many" }> {
  if ((await listApiKeys(app.kv, host.id)).length >= MAX_API_KEYS) {
    return { ok: false, reason: "too_many" };
  }
  const nowMs = app.now();
  for (let attempt = 0; attempt < (fixedSecret ? 1 : 5); attempt++) {
    const secret = fixedSecret ?? API_KEY_PREFIX + randomToken(32);
    const key: ApiKeyRecord = {
      v: 1,
      id: newId(nowMs),
      hostId: host.id,
      name: input.name,
      prefix: secret.slice(0, 12),
      hash: await sha256Hex(secret),
      scopes: [...new Set(input.scopes)].sort(),
      expiresAtMs: input.expiresAtMs,
      createdAtMs: nowMs,
      lastUsedAtMs: null,
    };
    if (await insertApiKey(app.kv, key)) {
      await recordAudit(app, {
        kind: "api_key_created",
        actor: host,
        target: { id: key.id, label: key.name },
        detail: `${key.prefix}… ${key.scopes.join(" ")}`,
      });
      return { ok: true, secret, key };
    }
  }
  throw new Error("createApiKey: could not store a new key");
}

export async function listKeys(app: App, host: Pick<UserRecord, "id">): Promise<ApiKeyRecord[]> {
  const list = await listApiKeys(app.kv, host.id);
  return list.sort((a, b) => b.createdAtMs - a.createdAtMs);
}

export async function revokeApiKey(
  app: App,
  host: Pick<UserRecord, "id">,
  keyId: string,
): Promise<boolean> {
  if (!/^[0-9A-Z]{26}$/.test(keyId)) return false;
  const removed = await removeApiKey(app.kv, host.id, keyId);
  if (removed) {
    await recordAudit(app, {
      kind: "api_key_revoked",
      actor: host,
      target: { id: keyId, label: removed.name },
      detail: `${removed.prefix}…`,
    });
  }
  return removed !== null;
}

export type Authenticated = { key: ApiKeyRecord; host: UserRecord };

/**
 * Whether an `Authorization` header means to carry an API key (the Bearer scheme). Such a key
 * is checked wherever it is sent, public routes and tools included: one that is unknown,
 * revoked or expired is refused there too, so a program learns at once that its key is dead.
 * Another scheme (a proxy's Basic credentials) is no API key and leaves a public route alone.
 */
export function sendsApiKey(authorization: string | null): boolean {
  return authorization !== null && /^\s*Bearer(\s|$)/i.test(authorization);
}

/** The key and host behind `Authorization: Bearer …`, or null (one answer for every failure). */
export async function authenticate(
  app: App,
  authorization: string | null,
): Promise<Authenticated | null> {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
  if (!m || !KEY_RE.test(m[1])) return null;
  const entry = await getApiKeyByHash(app.kv, await sha256Hex(m[1]));
  if (!entry) return null;
  const nowMs = app.now();
  const key = entry.value;
  if (key.expiresAtMs !== null && key.expiresAtMs <= nowMs) return null;
  const host = await getActiveUser(app.kv, key.hostId);
  if (!host) return null;
  if (key.lastUsedAtMs === null || nowMs - key.lastUsedAtMs >= TOUCH_EVERY_MS) {
    await touchApiKey(app.kv, entry, nowMs);
  }
  return { key, host };
}

/**
 * Whether a caller may do what needs `need`: the API's routes and the MCP endpoint's tools ask
 * here. `write` includes `read`. Null when allowed, else the refusal reason.
 */
export function scopeRefusal(
  auth: Authenticated | null,
  need: "none" | "read" | "write",
): "unauthorized" | "forbidden_scope" | null {
  if (need === "none") return null;
  if (!auth) return "unauthorized";
  const scopes = auth.key.scopes;
  const allowed = need === "read"
    ? scopes.includes("read") || scopes.includes("write")
    : scopes.includes("write");
  return allowed ? null : "forbidden_scope";
}
