/**
 * Auth.js adapter over Deno KV: users, linked accounts, database sessions and single-use
 * magic-link tokens.
 *
 * Nothing stored opens an account by itself: a session is kept under the SHA-256 of its token
 * (the cookie holds the token), and Auth.js hands us magic-link tokens already hashed with the
 * secret. A copy of the data file therefore signs nobody in. Session tokens are random UUIDs
 * (122 bits), so a plain hash cannot be reversed by guessing.
 */
import type {
  Adapter,
  AdapterAccount,
  AdapterSession,
  AdapterUser,
  VerificationToken,
} from "@auth/core/adapters";
import { keys, type UserId } from "./keys.ts";
import { commitOrReread, commitWithReceipt } from "./kv.ts";
import type {
  AccountRecord,
  LegacySessionRecord,
  SessionRecord,
  UserRecord,
  VerificationTokenRecord,
} from "../domain/model/records.ts";
import { getActiveUser, getUserByEmail, insertUser, updateUser } from "./users.ts";
import { sha256Hex } from "../util/digest.ts";

/** Session cookies longer than this were never issued by us (Auth.js issues 36-character UUIDs). */
const MAX_SESSION_TOKEN = 512;

/** The names Auth.js gives the session cookie (the second over https). */
export const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

/** The session token a request's cookies carry, if any could be one of ours. */
export function sessionTokenFrom(cookies: { get(name: string): string | undefined }) {
  const token = SESSION_COOKIES.map((n) => cookies.get(n)).find(Boolean);
  // Longer than any token we issue: not a session (and never a KV lookup).
  return token && token.length <= MAX_SESSION_TOKEN ? token : undefined;
}

/** The key a session is stored under: the hash of its token, never the token. */
export function sessionTokenHash(sessionToken: string): Promise<string> {
  return sha256Hex(sessionToken);
}

type Options = {
  /** The browser's zone, when the sign-in page could tell it; else UTC until the host sets one. */
  timeZone: string;
  /** The browser's clock at the first sign-in (the account's default). */
  clock?: "12h" | "24h";
  /** The clock follows the account's language (Profile's "Automatic"). */
  clockAuto?: boolean;
  /** The browser's language at the first sign-in (the account's default). */
  locale?: string;
  now?: () => number;
};

function toAdapterUser(u: UserRecord): AdapterUser {
  return {
    id: u.id,
    email: u.email,
    emailVerified: u.emailVerifiedMs === null ? null : new Date(u.emailVerifiedMs),
    name: u.name,
    image: u.image,
  };
}

export function createKvAdapter(kv: Deno.Kv, opts: Options): Adapter {
  const now = opts.now ?? Date.now;
  return {
    async createUser(user) {
      const extra = user as AdapterUser & { username?: string };
      // An identity without a verified address never gets an account (the signIn callback turns
      // it away first; this keeps the rule if that ever changes).
      if (typeof user.email !== "string" || !user.email.includes("@")) {
        throw new Error("createUser: no verified email address");
      }
      const email = user.email.toLowerCase();
      const res = await insertUser(kv, {
        email,
        name: user.name ?? "",
        wantedUsername: extra.username || email.split("@")[0],
        timeZone: opts.timeZone,
        clock: opts.clock,
        clockAuto: opts.clockAuto,
        locale: opts.locale,
        onboarding: true,
        emailVerifiedMs: user.emailVerified ? user.emailVerified.getTime() : null,
        image: user.image ?? null,
      }, now());
      if (!res.ok) {
        // Two sign-ins of one new address raced: both end up as the same user.
        const existing = await getUserByEmail(kv, email);
        if (existing) return toAdapterUser(existing);
        throw new Error("createUser: email index without user");
      }
      return toAdapterUser(res.user);
    },
    async getUser(id) {
      const u = await getActiveUser(kv, id);
      return u ? toAdapterUser(u) : null;
    },
    async getUserByEmail(email) {
      if (typeof email !== "string" || !email) return null;
      const u = await getUserByEmail(kv, email);
      return u ? toAdapterUser(u) : null;
    },
    async getUserByAccount({ provider, providerAccountId }) {
      const acc = await kv.get<AccountRecord>(keys.account(provider, providerAccountId));
      if (!acc.value) return null;
      const u = await getActiveUser(kv, acc.value.userId);
      return u ? toAdapterUser(u) : null;
    },
    async updateUser(user) {
      const patch: Parameters<typeof updateUser>[2] = {};
      if (user.emailVerified !== undefined) {
        patch.emailVerifiedMs = user.emailVerified?.getTime() ?? null;
      }
      if (user.image !== undefined) patch.image = user.image ?? null;
      // Name and username are the host's to edit in Invito; an IdP profile refresh must not overwrite them.
      const res = await updateUser(kv, user.id, patch);
      if (!res.ok) throw new Error("updateUser: user not found");
      return toAdapterUser(res.user);
    },
    async linkAccount(account: AdapterAccount) {
      const record: AccountRecord = {
        v: 1,
        userId: account.userId,
        type: account.type,
        provider: account.provider,
        providerAccountId: account.providerAccountId,
      };
      const key = keys.account(account.provider, account.providerAccountId);
      // An identity opens one account: two links of it at once never both land.
      // Linked to this user after a failed commit: this write landed, its answer was lost.
      const res = await commitOrReread(
        kv.atomic()
          .check({ key, versionstamp: null })
          .set(key, record)
          .set(
            keys.accountByUser(account.userId, account.provider, account.providerAccountId),
            true,
          ),
        async () => (await kv.get<AccountRecord>(key)).value?.userId === account.userId,
      );
      if (!res.ok) throw new Error("linkAccount: the identity is linked already");
    },
    async unlinkAccount({ provider, providerAccountId }) {
      const acc = await kv.get<AccountRecord>(keys.account(provider, providerAccountId));
      if (!acc.value) return;
      await kv.atomic()
        .delete(keys.account(provider, providerAccountId))
        .delete(keys.accountByUser(acc.value.userId, provider, providerAccountId))
        .commit();
    },
    async createSession(session) {
      const tokenHash = await sessionTokenHash(session.sessionToken);
      const record: SessionRecord = {
        v: 2,
        tokenHash,
        userId: session.userId,
        expiresMs: session.expires.getTime(),
      };
      const ttl = Math.max(1_000, record.expiresMs - now());
      await kv.atomic()
        .set(keys.session(tokenHash), record, { expireIn: ttl })
        .set(keys.sessionByUser(session.userId, tokenHash), true, { expireIn: ttl })
        .commit();
      return session;
    },
    async getSessionAndUser(sessionToken) {
      const s = await readSession(kv, sessionToken);
      // KV expiry is "not before": the stored expiry is what counts.
      if (!s?.value || s.value.expiresMs <= now()) return null;
      const u = await getActiveUser(kv, s.value.userId);
      if (!u) return null;
      return { session: toAdapterSession(sessionToken, s.value), user: toAdapterUser(u) };
    },
    async updateSession(session) {
      const s = await readSession(kv, session.sessionToken);
      if (!s?.value) return null;
      const next: SessionRecord = {
        ...s.value,
        expiresMs: session.expires ? session.expires.getTime() : s.value.expiresMs,
      };
      const ttl = Math.max(1_000, next.expiresMs - now());
      await kv.atomic()
        .check(s)
        .set(keys.session(next.tokenHash), next, { expireIn: ttl })
        .set(keys.sessionByUser(next.userId, next.tokenHash), true, { expireIn: ttl })
        .commit();
      return toAdapterSession(session.sessionToken, next);
    },
    async deleteSession(sessionToken) {
      await deleteSessionToken(kv, sessionToken);
    },
    async createVerificationToken(token: VerificationToken) {
      const record: VerificationTokenRecord = {
        v: 1,
        identifier: token.identifier,
        token: token.token,
        expiresMs: token.expires.getTime(),
      };
      await kv.set(keys.verificationToken(token.identifier, token.token), record, {
        expireIn: Math.max(1_000, record.expiresMs - now()),
      });
      return token;
    },
    async useVerificationToken({ identifier, token }) {
      // Read and delete under a versionstamp check: of several concurrent uses exactly one wins.
      const key = keys.verificationToken(identifier, token);
      const cur = await kv.get<VerificationTokenRecord>(key);
      if (!cur.value) return null;
      // The receipt tells this use from another one's, when the answer was lost (ADR 038).
      const res = await commitWithReceipt(kv, kv.atomic().check(cur).delete(key));
      if (!res.ok) return null;
      return { identifier, token, expires: new Date(cur.value.expiresMs) };
    },
  };
}

function toAdapterSession(sessionToken: string, s: SessionRecord): AdapterSession {
  return { sessionToken, userId: s.userId, expires: new Date(s.expiresMs) };
}

async function readSession(
  kv: Deno.Kv,
  sessionToken: string,
): Promise<Deno.KvEntryMaybe<SessionRecord> | null> {
  if (
    typeof sessionToken !== "string" || !sessionToken || sessionToken.length > MAX_SESSION_TOKEN
  ) {
    return null;
  }
  const s = await kv.get<SessionRecord | LegacySessionRecord>(
    keys.session(await sessionTokenHash(sessionToken)),
  );
  return s.value?.v === 2 ? s as Deno.KvEntryMaybe<SessionRecord> : null;
}

/** Whether an external identity (provider + its account id) is linked to a user already. */
export async function hasLinkedAccount(
  kv: Deno.Kv,
  provider: string,
  providerAccountId: string,
): Promise<boolean> {
  return (await kv.get<AccountRecord>(keys.account(provider, providerAccountId))).value !== null;
}

/** The external identities linked to a user (provider and its account id). */
export async function listLinkedAccounts(
  kv: Deno.Kv,
  userId: UserId,
): Promise<{ provider: string; providerAccountId: string }[]> {
  const out: { provider: string; providerAccountId: string }[] = [];
  for await (const e of kv.list({ prefix: keys.accountByUserPrefix(userId) }, { limit: 100 })) {
    out.push({ provider: String(e.key[2]), providerAccountId: String(e.key[3]) });
  }
  return out;
}

/** Unlinks an identity from the user it is linked to; false when it is not linked to them. */
export async function removeLinkedAccount(
  kv: Deno.Kv,
  userId: UserId,
  provider: string,
  providerAccountId: string,
): Promise<boolean> {
  const acc = await kv.get<AccountRecord>(keys.account(provider, providerAccountId));
  if (acc.value?.userId !== userId) return false;
  const res = await commitWithReceipt(
    kv,
    kv.atomic()
      .check(acc)
      .delete(keys.account(provider, providerAccountId))
      .delete(keys.accountByUser(userId, provider, providerAccountId)),
  );
  return res.ok;
}

/** The account an external identity is linked to, or null. */
export async function getLinkedUserId(
  kv: Deno.Kv,
  provider: string,
  providerAccountId: string,
): Promise<UserId | null> {
  return (await kv.get<AccountRecord>(keys.account(provider, providerAccountId))).value?.userId ??
    null;
}

export async function deleteSessionToken(kv: Deno.Kv, sessionToken: string): Promise<void> {
  if (!sessionToken || sessionToken.length > MAX_SESSION_TOKEN) return;
  const tokenHash = await sessionTokenHash(sessionToken);
  const s = await kv.get<SessionRecord>(keys.session(tokenHash));
  const op = kv.atomic().delete(keys.session(tokenHash));
  if (s.value) op.delete(keys.sessionByUser(s.value.userId, tokenHash));
  await op.commit();
}

export async function getSessionUserId(
  kv: Deno.Kv,
  sessionToken: string,
  nowMs: number,
): Promise<UserId | null> {
  const s = await readSession(kv, sessionToken);
  return s?.value && s.value.expiresMs > nowMs ? s.value.userId : null;
}

/**
 * Sessions written before tokens were hashed (records `v: 1`, keyed by the token itself) are
 * moved under the hash of their token, so nobody is signed out by the upgrade and no token is
 * left readable in the data file. Idempotent and safe to run in several processes at once: each
 * move is one atomic write that checks the old entry. Returns how many were moved.
 */
export async function migrateLegacySessions(kv: Deno.Kv, nowMs: number): Promise<number> {
  let moved = 0;
  for await (
    const e of kv.list<SessionRecord | LegacySessionRecord>({ prefix: keys.sessionPrefix() })
  ) {
    const old = e.value;
    if (old?.v !== 1) continue;
    const op = kv.atomic().check(e).delete(e.key).delete(
      keys.sessionByUser(old.userId, old.sessionToken),
    );
    const ttl = old.expiresMs - nowMs;
    if (ttl > 0) {
      const tokenHash = await sessionTokenHash(old.sessionToken);
      const record: SessionRecord = {
        v: 2,
        tokenHash,
        userId: old.userId,
        expiresMs: old.expiresMs,
      };
      op.set(keys.session(tokenHash), record, { expireIn: ttl })
        .set(keys.sessionByUser(old.userId, tokenHash), true, { expireIn: ttl });
    }
    if ((await op.commit()).ok) moved++;
  }
  return moved;
}
