/**
 * OAuth tokens of Google/Microsoft calendar accounts, kept sealed in KV and shared by every
 * process. An access token is refreshed a few minutes before it expires and when an API refuses
 * it. One refresh at a time: a process claims the refresh on the token entry (compare-and-swap),
 * the others wait for the new token instead of spending the same refresh token again (Microsoft
 * rotates refresh tokens; a second use of the old one can revoke the grant). A refused refresh
 * token (`invalid_grant`) marks the account "reconnect needed" in one atomic write that also
 * queues ONE mail to the host for that incident, and its calendars fail closed at once.
 */
import type { App } from "../app.ts";
import { seal, unseal } from "../integrations/crypto.ts";
import { providerFail, type ProviderResult } from "../integrations/calendar-provider.ts";
import { type OAuthClientKind, refreshTokens, type Tokens } from "../integrations/oauth.ts";
import type { TokenSource } from "../integrations/provider-http.ts";
import { translator } from "../i18n.ts";
import { reconnectMail } from "../integrations/mail-templates/calendar.ts";
import { failClosedHeads } from "../store/calendar-busy.ts";
import { casToken, getTokenEntry } from "../store/calendar-tokens.ts";
import { keys } from "../store/keys.ts";
import { enqueue, newOutboxRecord } from "../store/outbox.ts";
import type {
  CalendarAccountRecord,
  CalendarAccountStatusRecord,
  CalendarTokenRecord,
} from "../domain/model/records.ts";
import { getUser } from "../store/users.ts";
import { randomToken } from "../integrations/crypto.ts";
import { detailIn, ownDetail } from "../integrations/provider-details.ts";

export const TOKEN_KID = "calendar-oauth-v1";
/** Refresh this long before the access token expires. */
export const REFRESH_EARLY_MS = 5 * 60_000;
/** A claimed refresh that has not finished by then is taken over. */
export const REFRESH_CLAIM_MS = 30_000;
/** How long a process waits for another one's refresh. */
const WAIT_FOR_OTHER_MS = 20_000;

type Secret = { accessToken: string; refreshToken: string | null };

export async function sealTokens(
  app: App,
  tokens: Tokens,
  nowMs: number,
  previous?: CalendarTokenRecord,
  previousRefresh?: string | null,
): Promise<CalendarTokenRecord> {
  const secret: Secret = {
    accessToken: tokens.accessToken,
    // Google answers a refresh without a new refresh token: the old one stays valid.
    refreshToken: tokens.refreshToken ?? previousRefresh ?? null,
  };
  return {
    v: 1,
    sealed: await seal(app.credentialKey, TOKEN_KID, JSON.stringify(secret)),
    accessExpiresAtMs: nowMs + tokens.expiresInS * 1000,
    tokenGen: (previous?.tokenGen ?? 0) + 1,
    refreshing: null,
    revokedAtMs: null,
    revokedReason: null,
    updatedAtMs: nowMs,
  };
}

async function open(app: App, rec: CalendarTokenRecord): Promise<Secret | null> {
  const text = await unseal(app.credentialKey, rec.sealed);
  if (text === null) return null;
  try {
    const s = JSON.parse(text) as Secret;
    return typeof s.accessToken === "string" ? s : null;
  } catch {
    return null;
  }
}

/** Whose tokens: a Google/Microsoft calendar account, or a host's Zoom connection. */
export type TokenAccount = Pick<CalendarAccountRecord, "id" | "hostId" | "username"> & {
  provider?: CalendarAccountRecord["provider"] | "zoom";
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Marks the account "reconnect needed": the token record (checked, so of several processes
 * noticing at once exactly one succeeds and exactly one mail is queued), the account's status,
 * and its calendars' cache heads (fail closed).
 */
export async function markReconnectNeeded(
  app: App,
  account: TokenAccount,
  reason: string,
): Promise<void> {
  const provider = (account.provider ?? "caldav") as OAuthClientKind;
  const nowMs = app.now();
  const error = { kind: "reconnect" as const, detail: reason.slice(0, 300), atMs: nowMs };
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await getTokenEntry(app.kv, account.hostId, account.id);
    if (!cur.value) return; // removed meanwhile
    if (cur.value.revokedAtMs !== null) break; // this incident was reported already
    const host = await getUser(app.kv, account.hostId);
    const status = await app.kv.get<CalendarAccountStatusRecord>(
      keys.calendarAccountStatus(account.hostId, account.id),
    );
    const ok = await casToken(app.kv, cur, {
      ...cur.value,
      refreshing: null,
      revokedAtMs: nowMs,
      revokedReason: reason.slice(0, 300),
    }, (op) => {
      op.set(
        keys.calendarAccountStatus(account.hostId, account.id),
        {
          v: 1,
          lastAttemptMs: status.value?.lastAttemptMs ?? nowMs,
          lastSuccessMs: status.value?.lastSuccessMs ?? null,
          lastError: error,
          // A calendar lost meanwhile is still said (until the host saves their settings).
          ...(status.value?.lostWriteback ? { lostWriteback: status.value.lostWriteback } : {}),
        } satisfies CalendarAccountStatusRecord,
      );
      if (host) {
        const t = translator(host.locale);
        const mail = reconnectMail({
          provider,
          account: account.username,
          hostName: host.name,
          reason: detailIn(reason, t),
          calendarsUrl: `${app.config.baseUrl.href.replace(/\/$/, "")}/dashboard/calendars`,
          t,
        });
        enqueue(op, newOutboxRecord({ kind: "raw_mail", to: host.email, ...mail }, nowMs));
      }
    });
    if (ok) {
      app.kickOutbox();
      break;
    }
  }
  await failClosedHeads(app.kv, account.hostId, account.id, error);
}

/** Tokens for one account, shared across processes through KV. */
export function tokenSource(app: App, account: TokenAccount): TokenSource {
  const provider = account.provider as OAuthClientKind;
  const reconnect = (detail: string) => providerFail("reconnect", detail);

  /**
   * A usable access token: the stored one when it is fresh (and not the `rejected` one), else
   * a refresh — ours, or another process's that we wait for.
   */
  async function obtain(rejected: string | null): Promise<ProviderResult<{ accessToken: string }>> {
    // One owner per call: two requests of this very process must not both refresh either.
    const me = `${app.instanceId}:${randomToken(6)}`;
    const startedMs = Date.now();
    for (;;) {
      const cur = await getTokenEntry(app.kv, account.hostId, account.id);
      const rec = cur.value;
      if (!rec) return reconnect(ownDetail("cal.detail_authorization_missing"));
      if (rec.revokedAtMs !== null) {
        return reconnect(rec.revokedReason ?? ownDetail("cal.detail_must_reconnect"));
      }
      const secret = await open(app, rec);
      if (!secret) {
        return reconnect(ownDetail("cal.detail_cannot_decrypt"));
      }
      const nowMs = app.now();
      const fresh = rec.accessExpiresAtMs - nowMs > REFRESH_EARLY_MS;
      if (rejected === null ? fresh : secret.accessToken !== rejected) {
        return { ok: true, accessToken: secret.accessToken };
      }
      if (rec.refreshing && rec.refreshing.untilMs > nowMs && rec.refreshing.owner !== me) {
        if (Date.now() - startedMs > WAIT_FOR_OTHER_MS) {
          return providerFail("network", ownDetail("cal.detail_renewing"));
        }
        await sleep(50 + Math.random() * 100);
        continue;
      }
      if (!secret.refreshToken) {
        return reconnect(ownDetail("cal.detail_no_refresh_token"));
      }
      const claimed: CalendarTokenRecord = {
        ...rec,
        refreshing: { owner: me, untilMs: nowMs + REFRESH_CLAIM_MS },
      };
      if (!(await casToken(app.kv, cur, claimed))) continue; // someone else moved first
      const res = await refreshTokens(app.config, provider, secret.refreshToken);
      if (!res.ok) {
        if (res.error.kind === "reconnect") {
          await markReconnectNeeded(app, account, res.error.detail);
          return res;
        }
        await release(claimed);
        return res;
      }
      return await store(claimed, res.tokens, secret.refreshToken);
    }

    async function release(claimed: CalendarTokenRecord): Promise<void> {
      const cur = await getTokenEntry(app.kv, account.hostId, account.id);
      if (cur.value?.refreshing?.owner !== me || cur.value.tokenGen !== claimed.tokenGen) return;
      await casToken(app.kv, cur, { ...cur.value, refreshing: null });
    }
  }

  /** Stores new tokens unless a newer set was stored meanwhile (then ours is spare, but valid). */
  async function store(
    claimed: CalendarTokenRecord,
    tokens: Tokens,
    oldRefresh: string,
  ): Promise<ProviderResult<{ accessToken: string }>> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const cur = await getTokenEntry(app.kv, account.hostId, account.id);
      if (!cur.value || cur.value.tokenGen !== claimed.tokenGen || cur.value.revokedAtMs) break;
      const next = await sealTokens(app, tokens, app.now(), cur.value, oldRefresh);
      if (await casToken(app.kv, cur, next)) break;
    }
    return { ok: true, accessToken: tokens.accessToken };
  }

  return {
    get: () => obtain(null),
    refresh: (rejected) => obtain(rejected),
    revoked: (reason) => markReconnectNeeded(app, account, reason),
  };
}
