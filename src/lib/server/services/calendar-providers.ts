/**
 * The provider behind a calendar account: CalDAV with its sealed password, Google Calendar or
 * Microsoft Graph with tokens from KV. Everything above this file speaks `CalendarProvider`.
 */
import type { App } from "../app.ts";
import { connect } from "../integrations/caldav.ts";
import { caldavProvider } from "../integrations/caldav-provider.ts";
import { unseal } from "../integrations/crypto.ts";
import {
  type CalendarProvider,
  providerFail,
  type ProviderResult,
} from "../integrations/calendar-provider.ts";
import { googleProvider } from "../integrations/google-calendar.ts";
import { microsoftProvider } from "../integrations/microsoft-calendar.ts";
import { apiClient } from "../integrations/provider-http.ts";
import type { CalendarAccountRecord, CalendarProviderKind } from "../domain/model/records.ts";
import { tokenSource } from "./calendar-tokens.ts";
import { getProviderHold, holdProvider, releaseProviderHold } from "../store/calendar-tokens.ts";
import { ownDetail } from "../integrations/provider-details.ts";

export const providerOf = (a: CalendarAccountRecord): CalendarProviderKind =>
  a.provider ?? "caldav";

export const UNREADABLE_PASSWORD = {
  kind: "auth" as const,
  detail: ownDetail("cal.detail_password_undecryptable"),
};

export async function openProvider(
  app: App,
  account: CalendarAccountRecord,
): Promise<ProviderResult<{ provider: CalendarProvider }>> {
  const kind = providerOf(account);
  if (kind === "caldav") {
    const password = await unseal(app.credentialKey, account.password);
    if (password === null) return { ok: false, error: UNREADABLE_PASSWORD };
    const conn = connect({ username: account.username, password }, {
      allowPrivate: app.config.allowPrivateCaldav,
    });
    return { ok: true, provider: caldavProvider(conn, account.homeUrl) };
  }
  const cfg = kind === "google" ? app.config.google : app.config.microsoft;
  if (!cfg) {
    return providerFail(
      "reconnect",
      ownDetail("cal.detail_server_not_set_up", {
        name: kind === "google" ? "Google" : "Microsoft",
        setting: `INVITO_${kind.toUpperCase()}_CLIENT_ID`,
      }),
    );
  }
  const api = apiClient({
    apiUrl: cfg.apiUrl,
    tokens: tokenSource(app, account),
    name: kind === "google" ? "Google Calendar" : "Microsoft 365",
    // One Retry-After holds every call of this account (mailbox), in every process.
    hold: {
      until: () => getProviderHold(app.kv, account.hostId, account.id),
      hold: (untilMs) => holdProvider(app.kv, account.hostId, account.id, untilMs, app.now()),
      release: (untilMs) => releaseProviderHold(app.kv, account.hostId, account.id, untilMs),
      now: () => app.now(),
    },
  });
  return {
    ok: true,
    provider: kind === "google"
      ? googleProvider(api, cfg.apiUrl)
      : microsoftProvider(api, cfg.apiUrl),
  };
}
