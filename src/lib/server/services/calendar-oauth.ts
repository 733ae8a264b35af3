/**
 * Connecting (and reconnecting) a Google or Microsoft calendar account: start an authorization
 * (PKCE verifier and state kept in KV for 10 minutes, bound to the host), then on the callback
 * take that record exactly once, exchange the code, list the account's calendars with the new
 * token, and store the account with its sealed tokens — or, for an account already connected,
 * only replace its tokens, which ends a "reconnect needed" incident. Every refusal is a message
 * for the host; nothing is stored unless it all worked.
 */
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { sha256Hex } from "../integrations/crypto.ts";
import {
  exchangeCode,
  missingScopes,
  type OAuthProviderKind,
  providerConfig,
  redirectUri,
  SCOPES,
  startAuthorization,
  type Tokens,
} from "../integrations/oauth.ts";
import { apiClient } from "../integrations/provider-http.ts";
import { googleProvider } from "../integrations/google-calendar.ts";
import { microsoftProvider } from "../integrations/microsoft-calendar.ts";
import {
  describeCalendarError,
  PROVIDER_NAMES,
  providerFail,
  type RemoteCalendar,
} from "../integrations/calendar-provider.ts";
import {
  casToken,
  getTokenEntry,
  OAUTH_STATE_TTL_MS,
  putOAuthState,
  takeOAuthState,
} from "../store/calendar-tokens.ts";
import {
  emptyHead,
  getAccountEntry,
  getWriteback,
  insertAccount,
  listAccounts,
  removedAccountId,
} from "../store/calendars.ts";
import { keys } from "../store/keys.ts";
import type { CalendarAccountStatusRecord } from "../domain/model/records.ts";
import { newId } from "../store/users.ts";
import { sealTokens } from "./calendar-tokens.ts";
import {
  type AccountSyncOutcome,
  connectedCalendarRecords,
  syncAccount,
} from "./sync-calendars.ts";
import { MAX_ACCOUNTS_PER_HOST } from "./calendar-accounts.ts";
import type { Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { ownDetail } from "../integrations/provider-details.ts";

/** Messages a host reads, in their language. */
const messages = (t: Translator) => ({
  notConfigured: (name: string) => t.t("oauth.not_configured", { name }),
  expired: t.t("oauth.expired"),
  tooMany: t.t("cal.max_accounts", { max: MAX_ACCOUNTS_PER_HOST }),
  scopes: (name: string) => t.t("oauth.scopes", { name }),
  noRefresh: (name: string) => t.t("oauth.no_refresh", { name }),
  noCalendars: (name: string) => t.t("oauth.no_calendars", { name }),
  otherAccount: (want: string, got: string) => t.t("oauth.other_account", { want, got }),
  gone: t.t("oauth.gone"),
  retry: t.t("cal.did_not_work"),
});

/** One provider as the Calendars page and its guide show it, enabled or not. */
export type ProviderSetup = {
  id: OAuthProviderKind;
  enabled: boolean;
  /** where the provider sends the host back: what the operator registers, for this instance */
  redirectUri: string;
  envId: string;
  envSecret: string;
  scopes: string[];
};

/** Google and Microsoft, always both: "Connect" when set up, otherwise what the operator sets. */
export function calendarProviderSetup(app: App): ProviderSetup[] {
  return (["google", "microsoft"] as const).map((id) => ({
    id,
    enabled: providerConfig(app.config, id) !== null,
    redirectUri: redirectUri(app.config.baseUrl, id),
    envId: `INVITO_${id.toUpperCase()}_CLIENT_ID`,
    envSecret: `INVITO_${id.toUpperCase()}_CLIENT_SECRET`,
    scopes: [...SCOPES[id]],
  }));
}

/** Where Zoom sends the host back: what the operator registers in their Zoom app. */
export function zoomRedirectUri(app: App): string {
  return redirectUri(app.config.baseUrl, "zoom");
}

export type StartResult = { ok: true; url: string } | { ok: false; message: string };

export async function startOAuthConnect(
  app: App,
  host: UserRecord,
  provider: OAuthProviderKind,
  reconnectAccountId: string | null,
  t: Translator = translator(null),
): Promise<StartResult> {
  const MSG = messages(t);
  const name = PROVIDER_NAMES[provider];
  if (!providerConfig(app.config, provider)) return { ok: false, message: MSG.notConfigured(name) };
  let loginHint: string | undefined;
  if (reconnectAccountId) {
    const a = (await getAccountEntry(app.kv, host.id, reconnectAccountId)).value;
    if (!a || a.provider !== provider) return { ok: false, message: MSG.gone };
    loginHint = a.username;
  } else if ((await listAccounts(app.kv, host.id)).length >= MAX_ACCOUNTS_PER_HOST) {
    return { ok: false, message: MSG.tooMany };
  }
  const started = await startAuthorization(app.config, provider, loginHint);
  if (!started) return { ok: false, message: MSG.notConfigured(name) };
  await putOAuthState(app.kv, await sha256Hex(started.state), {
    v: 1,
    hostId: host.id,
    provider,
    codeVerifier: started.codeVerifier,
    expiresMs: app.now() + OAUTH_STATE_TTL_MS,
    accountId: reconnectAccountId,
  });
  return { ok: true, url: started.url };
}

export type FinishResult =
  | { ok: true; accountId: string; reconnected: boolean; sync: AccountSyncOutcome }
  | { ok: false; message: string };

/** Lists calendars with a token just received (no refresh needed yet). */
async function listWith(app: App, provider: OAuthProviderKind, tokens: Tokens) {
  const cfg = providerConfig(app.config, provider)!;
  const api = apiClient({
    apiUrl: cfg.apiUrl,
    name: PROVIDER_NAMES[provider],
    tokens: {
      get: () => Promise.resolve({ ok: true, accessToken: tokens.accessToken }),
      refresh: () =>
        Promise.resolve(providerFail("reconnect", ownDetail("cal.detail_refused_at_once"))),
      revoked: () => Promise.resolve(),
    },
  });
  const p = provider === "google"
    ? googleProvider(api, cfg.apiUrl)
    : microsoftProvider(api, cfg.apiUrl);
  return await p.listCalendars();
}

export async function finishOAuthConnect(
  app: App,
  host: UserRecord,
  provider: OAuthProviderKind,
  callback: URL,
  t: Translator = translator(null),
): Promise<FinishResult> {
  const MSG = messages(t);
  const name = PROVIDER_NAMES[provider];
  const cfg = providerConfig(app.config, provider);
  if (!cfg) return { ok: false, message: MSG.notConfigured(name) };
  const state = callback.searchParams.get("state");
  if (!state || state.length > 200) return { ok: false, message: MSG.expired };
  const rec = await takeOAuthState(app.kv, await sha256Hex(state), app.now());
  if (!rec || rec.hostId !== host.id || rec.provider !== provider) {
    return { ok: false, message: MSG.expired };
  }
  const exchanged = await exchangeCode(app.config, provider, callback, state, rec.codeVerifier);
  if (!exchanged.ok) {
    return { ok: false, message: describeCalendarError(exchanged.error, provider, t) };
  }
  if (missingScopes(provider, exchanged.scopes).length > 0) {
    return { ok: false, message: MSG.scopes(name) };
  }
  const tokens = exchanged.tokens;
  if (!tokens.refreshToken) return { ok: false, message: MSG.noRefresh(name) };
  const listed = await listWith(app, provider, tokens);
  if (!listed.ok) {
    return { ok: false, message: describeCalendarError(listed.error, provider, t) };
  }
  if (listed.calendars.length === 0) return { ok: false, message: MSG.noCalendars(name) };
  const primary = listed.calendars.find((c) => c.primary) ?? listed.calendars[0];
  const address = (primary.ownerAddress ?? "").trim() || primary.displayName;

  const existing = await listAccounts(app.kv, host.id);
  let accountId = rec.accountId;
  if (accountId) {
    const a = existing.find((e) => e.value.id === accountId)?.value;
    if (!a) return { ok: false, message: MSG.gone };
    if (a.username.toLowerCase() !== address.toLowerCase()) {
      return { ok: false, message: MSG.otherAccount(a.username, address) };
    }
  } else {
    // Connecting an account that is already there renews its access instead of adding it twice.
    accountId = existing.find((e) =>
      e.value.provider === provider && e.value.username.toLowerCase() === address.toLowerCase()
    )?.value.id ?? null;
  }

  const nowMs = app.now();
  const reconnected = accountId !== null;
  if (accountId) {
    if (!(await renewTokens(app, host.id, accountId, tokens, nowMs))) {
      return { ok: false, message: MSG.retry };
    }
  } else {
    if (existing.length >= MAX_ACCOUNTS_PER_HOST) return { ok: false, message: MSG.tooMany };
    // Connected again after being removed: the same account (calendar-accounts.ts).
    accountId = await removedAccountId(app.kv, {
      hostId: host.id,
      provider,
      principalUrl: "",
      username: address.slice(0, 320),
    }) ?? newId(nowMs);
    if (
      !(await insertOAuthAccount(
        app,
        host,
        provider,
        accountId,
        address,
        listed.calendars,
        tokens,
        nowMs,
      ))
    ) {
      return { ok: false, message: MSG.retry };
    }
  }
  const account = await getAccountEntry(app.kv, host.id, accountId);
  if (!account.value) return { ok: false, message: MSG.gone };
  const sync = await syncAccount(app, account as Deno.KvEntry<typeof account.value>, app.now());
  return { ok: true, accountId, reconnected, sync };
}

async function renewTokens(
  app: App,
  hostId: string,
  accountId: string,
  tokens: Tokens,
  nowMs: number,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await getTokenEntry(app.kv, hostId, accountId);
    const next = await sealTokens(app, tokens, nowMs, cur.value ?? undefined);
    const status = await app.kv.get<CalendarAccountStatusRecord>(
      keys.calendarAccountStatus(hostId, accountId),
    );
    const ok = await casToken(app.kv, cur, next, (op) => {
      // The incident is over: the dashboard stops asking for a reconnect.
      op.check(status).set(
        keys.calendarAccountStatus(hostId, accountId),
        {
          v: 1,
          lastAttemptMs: status.value?.lastAttemptMs ?? null,
          lastSuccessMs: status.value?.lastSuccessMs ?? null,
          lastError: null,
          ...(status.value?.lostWriteback ? { lostWriteback: status.value.lostWriteback } : {}),
        } satisfies CalendarAccountStatusRecord,
      );
    });
    if (ok) return true;
  }
  return false;
}

async function insertOAuthAccount(
  app: App,
  host: UserRecord,
  provider: OAuthProviderKind,
  accountId: string,
  address: string,
  remote: RemoteCalendar[],
  tokens: Tokens,
  nowMs: number,
): Promise<boolean> {
  const calendars = await connectedCalendarRecords({ hostId: host.id, accountId }, remote, nowMs);
  const hasWriteback = (await getWriteback(app.kv, host.id)).value !== null;
  const primaryUrl = (remote.find((c) => c.primary && c.writable) ?? remote.find((c) => c.writable))
    ?.url;
  const target = calendars.find((c) => c.url === primaryUrl);
  const cfg = providerConfig(app.config, provider)!;
  return await insertAccount(app.kv, {
    account: {
      v: 1,
      id: accountId,
      hostId: host.id,
      provider,
      serverUrl: cfg.apiUrl,
      username: address.slice(0, 320),
      // No password: the tokens live in their own record.
      password: { v: 1, kid: "none", iv: "", ct: "" },
      principalUrl: "",
      homeUrl: "",
      createdAtMs: nowMs,
    },
    calendars,
    heads: calendars.filter((c) => c.checkConflicts).map((c) => emptyHead(c.id, accountId)),
    writeback: !hasWriteback && target ? { v: 1, accountId, calendarId: target.id } : null,
    token: await sealTokens(app, tokens, nowMs),
  });
}
