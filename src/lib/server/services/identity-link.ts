/**
 * Connecting an identity at the OIDC issuer to an existing account (ADR 007, amended).
 *
 * Auth.js links any identity it has not seen to the account of the session the issuer's callback
 * arrives with. Invito lets that happen only when the account asked for it, now, on purpose: the
 * profile's "Connect" sets a short-lived link intent, signed and bound to the session and user
 * that pressed it (`issueLinkIntent`). A callback over a live session without one is refused
 * before its code is used (hooks), and one with it links only an identity whose address the
 * issuer verified and which is the account's own, in any case (`decideIdentityLink`). Nothing
 * else ever joins an identity to an account that exists already.
 */
import type { App } from "../app.ts";
import type { UserId } from "../store/keys.ts";
import { type AuditParty, recordAudit } from "./audit.ts";
import { deriveKey, type HmacKey, hmacToken, timingSafeEqual } from "../integrations/crypto.ts";
import {
  getLinkedUserId,
  listLinkedAccounts,
  removeLinkedAccount,
  sessionTokenFrom,
  sessionTokenHash,
} from "../store/auth-adapter.ts";

/** The provider id of the configured issuer (integrations/auth.ts). */
export const OIDC_PROVIDER = "oidc";

/**
 * The issuer by the name people know it by (INVITO_OIDC_NAME): the audit log's detail of its
 * sign-ins, Connects and Disconnects, a proper name that reads the same in every language.
 */
export function issuerName(app: App): string {
  return app.config.oidc?.name ?? OIDC_PROVIDER;
}

/** The link intent travels only to the issuer's callback, and only for a few minutes. */
export const LINK_INTENT_COOKIE = "invito_oidc_link";
export const LINK_INTENT_PATH = "/auth/callback/oidc";
export const LINK_INTENT_MAX_AGE_S = 10 * 60;

/** Why a Connect did not link the identity. */
export type LinkRefusal = "linked_elsewhere" | "has_identity" | "unverified" | "other_address";
/** What the profile page tells after a trip to the issuer (or an attempt to start one). */
export type IdentityNotice = "connected" | "signed_in" | "unavailable" | LinkRefusal;

/** Where the person lands after a trip to the issuer that began on (or concerns) their profile. */
export const identityNoticePath = (notice: IdentityNotice): string =>
  `/dashboard/profile?identity=${notice}`;

export function isIdentityNotice(x: string | null): x is IdentityNotice {
  return x === "connected" || x === "signed_in" || x === "unavailable" ||
    x === "linked_elsewhere" || x === "has_identity" || x === "unverified" ||
    x === "other_address";
}

const intentKeys = new WeakMap<App, Promise<HmacKey>>();

function intentKey(app: App): Promise<HmacKey> {
  let key = intentKeys.get(app);
  if (!key) intentKeys.set(app, key = deriveKey(app.secret, "invito oidc link intent v1", "hmac"));
  return key;
}

async function intentMac(
  app: App,
  sessionToken: string,
  userId: UserId,
  expiresMs: number,
): Promise<string> {
  return await hmacToken(
    await intentKey(app),
    "oidc-link",
    userId,
    await sessionTokenHash(sessionToken),
    String(expiresMs),
  );
}

/** The cookie value of a link intent for this session and user, valid for a few minutes. */
export async function issueLinkIntent(
  app: App,
  sessionToken: string,
  userId: UserId,
  nowMs: number,
): Promise<string> {
  const expiresMs = nowMs + LINK_INTENT_MAX_AGE_S * 1000;
  return `${expiresMs}.${await intentMac(app, sessionToken, userId, expiresMs)}`;
}

/** A link intent for the session the request's cookies carry, or null when they carry none. */
export async function linkIntentFor(
  app: App,
  cookies: { get(name: string): string | undefined },
  userId: UserId,
  nowMs: number,
): Promise<string | null> {
  const token = sessionTokenFrom(cookies);
  return token ? await issueLinkIntent(app, token, userId, nowMs) : null;
}

/** Whether `value` is a link intent issued to this very session and user, and not expired. */
export async function isLinkIntentValid(
  app: App,
  value: string | undefined,
  sessionToken: string,
  userId: UserId,
  nowMs: number,
): Promise<boolean> {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!m) return false;
  const expiresMs = Number(m[1]);
  if (expiresMs <= nowMs || expiresMs > nowMs + LINK_INTENT_MAX_AGE_S * 1000) return false;
  return timingSafeEqual(m[2], await intentMac(app, sessionToken, userId, expiresMs));
}

/** The account a Connect in this request is for (set by the hook that checked the intent). */
export type LinkRequest = { userId: UserId; email: string };

const requests = new WeakMap<object, LinkRequest>();

export function requestLink(locals: object, link: LinkRequest): void {
  requests.set(locals, link);
}

export function linkRequested(locals: object): LinkRequest | null {
  return requests.get(locals) ?? null;
}

/**
 * Whether the identity the issuer just vouched for may be linked to the account that pressed
 * Connect. `verifiedEmail` is the identity's address only when the issuer verified it, else null.
 */
export async function decideIdentityLink(
  app: App,
  link: LinkRequest,
  identity: { provider: string; providerAccountId: string; verifiedEmail: string | null },
): Promise<{ ok: true } | { ok: false; reason: LinkRefusal }> {
  const owner = await getLinkedUserId(app.kv, identity.provider, identity.providerAccountId);
  if (owner !== null && owner !== link.userId) return { ok: false, reason: "linked_elsewhere" };
  if (owner === null) {
    const linked = await listLinkedAccounts(app.kv, link.userId);
    if (linked.some((a) => a.provider === identity.provider)) {
      return { ok: false, reason: "has_identity" };
    }
  }
  if (identity.verifiedEmail === null) return { ok: false, reason: "unverified" };
  if (identity.verifiedEmail.toLowerCase() !== link.email.toLowerCase()) {
    return { ok: false, reason: "other_address" };
  }
  return { ok: true };
}

/**
 * Records a Connect, once Auth.js has stored the link it allowed. The account and the issuer are
 * what an admin needs; the identity's `sub` and the issuer's tokens are never written to the log.
 */
export async function recordIdentityConnected(app: App, link: LinkRequest): Promise<void> {
  await recordAudit(app, {
    kind: "identity_linked",
    actor: { id: link.userId, email: link.email },
    target: { id: link.userId },
    detail: issuerName(app),
  });
}

/** The issuer's identities linked to the account (its `sub`s), for the profile. */
export async function listIdentities(app: App, userId: UserId): Promise<string[]> {
  return (await listLinkedAccounts(app.kv, userId))
    .filter((a) => a.provider === OIDC_PROVIDER)
    .map((a) => a.providerAccountId);
}

/**
 * Unlinks the account's identities at the issuer; the account still signs in by email link. Each
 * identity unlinked is audited (as a Connect is), without its `sub`.
 */
export async function disconnectIdentity(app: App, userId: UserId): Promise<number> {
  let removed = 0;
  for (const a of await listLinkedAccounts(app.kv, userId)) {
    if (a.provider !== OIDC_PROVIDER) continue;
    if (await removeLinkedAccount(app.kv, userId, a.provider, a.providerAccountId)) {
      removed++;
      await recordIdentityUnlinked(app, { id: userId }, { id: userId }, a.provider);
    }
  }
  return removed;
}

/**
 * One identity unlinked from `account` by `actor` (the account itself by Disconnect, or whoever
 * deleted it), named by its issuer, never by its `sub`.
 */
export async function recordIdentityUnlinked(
  app: App,
  actor: AuditParty,
  account: AuditParty,
  provider: string,
): Promise<void> {
  await recordAudit(app, {
    kind: "identity_unlinked",
    actor,
    target: account,
    detail: provider === OIDC_PROVIDER ? issuerName(app) : provider,
  });
}
