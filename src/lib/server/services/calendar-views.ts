/**
 * The host's calendar accounts as the dashboard reads them (and insights sample their health):
 * the read side of services/calendar-accounts.ts, kept apart so that counting a sync run needs
 * no import of the module that starts syncs.
 */
import type { App } from "../app.ts";
import { describeCalendarError, PROVIDER_NAMES } from "../integrations/calendar-provider.ts";
import { providerOf } from "./calendar-providers.ts";
import { listHeads } from "../store/calendar-busy.ts";
import {
  getAccountStatus,
  getWriteback,
  listAccounts,
  listHostCalendars,
} from "../store/calendars.ts";
import type { CalendarError, CalendarProviderKind } from "../domain/model/records.ts";
import { STALE_AFTER_INTERVALS } from "./calendar-busy.ts";
import type { Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";

export type CalendarView = {
  id: string;
  name: string;
  color: string | null;
  writable: boolean;
  checkConflicts: boolean;
  writeback: boolean;
  syncedAtMs: number | null;
  /** the cache is too old to trust: booking is paused for this host */
  stale: boolean;
  error: string | null;
  events: number;
  skipped: { uid: string | null; reason: string }[];
};

export type AccountView = {
  id: string;
  provider: CalendarProviderKind;
  /** "CalDAV", "Google Calendar", "Microsoft 365" */
  providerName: string;
  serverUrl: string;
  username: string;
  /** Google/Microsoft: the host must sign in again (consent revoked, refresh refused) */
  reconnectNeeded: boolean;
  lastSuccessMs: number | null;
  lastAttemptMs: number | null;
  error: string | null;
  /** The calendar receiving bookings was deleted on the server: bookings go nowhere now. */
  notice: string | null;
  calendars: CalendarView[];
};

/**
 * What a host reads for a calendar (sync) error, in their language (`t`; English by default).
 * Syncs run again by themselves, so a passing network failure says it will be tried again.
 */
export function describeError(
  e: Pick<CalendarError, "kind" | "detail"> | null,
  provider: CalendarProviderKind = "caldav",
  t?: Translator,
): string | null {
  return e ? describeCalendarError(e, provider, t, { retrying: true }) : null;
}

export async function listCalendarAccounts(
  app: App,
  hostId: string,
  t?: Translator,
): Promise<{ accounts: AccountView[]; paused: boolean }> {
  const nowMs = app.now();
  const staleAfter = STALE_AFTER_INTERVALS * app.config.syncIntervalMs;
  const [accounts, calendars, heads, wb] = await Promise.all([
    listAccounts(app.kv, hostId),
    listHostCalendars(app.kv, hostId),
    listHeads(app.kv, hostId),
    getWriteback(app.kv, hostId),
  ]);
  const headOf = new Map(heads.map((h) => [h.calendarId, h]));
  let paused = false;
  const views: AccountView[] = [];
  for (const { value: a } of accounts) {
    const provider = providerOf(a);
    const status = await getAccountStatus(app.kv, hostId, a.id);
    const cals: CalendarView[] = calendars.filter((c) => c.value.accountId === a.id).map(
      ({ value: c }) => {
        const h = headOf.get(c.id);
        const stale = !!h &&
          (h.syncedAtMs === null || h.gen === null || !!h.failClosed ||
            nowMs - h.syncedAtMs > staleAfter);
        if (stale) paused = true;
        return {
          id: c.id,
          name: c.displayName,
          color: c.color,
          writable: c.writable,
          checkConflicts: c.checkConflicts,
          writeback: wb.value?.calendarId === c.id,
          syncedAtMs: h?.syncedAtMs ?? null,
          stale,
          error: describeError(h?.error ?? null, provider, t),
          events: h?.events ?? 0,
          skipped: h?.skipped ?? [],
        };
      },
    );
    cals.sort((x, y) => x.name.localeCompare(y.name));
    views.push({
      id: a.id,
      provider,
      providerName: PROVIDER_NAMES[provider],
      serverUrl: a.serverUrl,
      username: a.username,
      reconnectNeeded: status?.lastError?.kind === "reconnect",
      lastSuccessMs: status?.lastSuccessMs ?? null,
      lastAttemptMs: status?.lastAttemptMs ?? null,
      error: describeError(status?.lastError ?? null, provider, t),
      notice: status?.lostWriteback
        ? (t ?? translator(null)).t("cal.writeback_deleted", { name: status.lostWriteback.name })
        : null,
      calendars: cals,
    });
  }
  return { accounts: views, paused };
}
