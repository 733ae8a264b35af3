/**
 * The host's CalDAV accounts as the dashboard sees them: connect (discover, seal the password,
 * store, first sync), settings (conflict calendars, the one writeback calendar), sync now, remove.
 * Views never carry the password or its ciphertext.
 */
import type { App } from "../app.ts";
import { type CaldavError, connect, discoverAccount } from "../integrations/caldav.ts";
import { describeCalendarError } from "../integrations/calendar-provider.ts";
import { providerOf } from "./calendar-providers.ts";
import { seal } from "../integrations/crypto.ts";
import { dropGeneration, listHeads } from "../store/calendar-busy.ts";
import {
  clearLostWriteback,
  emptyHead,
  getAccountEntry,
  getWriteback,
  insertAccount,
  listAccounts,
  listHostCalendars,
  removeAccount,
  removedAccountId,
  replaceAccountPassword,
  setWriteback,
  updateCalendar,
} from "../store/calendars.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { newId } from "../store/users.ts";
import {
  type AccountSyncOutcome,
  connectedCalendarRecords,
  syncAccount,
} from "./sync-calendars.ts";
import { describeError } from "./calendar-views.ts";
import type { Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { FIELD_MAX } from "../../shared/field-bounds.ts";

/** Messages default to English for callers that name no reader (tests, older code). */
const ENGLISH = () => translator("en");

export const MAX_ACCOUNTS_PER_HOST = 10;
export const CREDENTIAL_KID = "caldav-credential-v1";

export type AddAccountInput = { serverUrl: string; username: string; password: string };
export type AddAccountResult =
  | { ok: true; accountId: string; calendars: number; sync: AccountSyncOutcome }
  | { ok: false; field: "serverUrl" | "username" | "password" | "form"; message: string };

/** "cloud.example.com/remote.php/dav" → "https://cloud.example.com/remote.php/dav"; null if hopeless. */
export function normalizeServerUrl(input: string): string | null {
  const s = input.trim();
  if (!s || s.length > FIELD_MAX.url) return null;
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    if (u.username || u.password || !u.hostname) return null;
    u.hash = "";
    return u.href;
  } catch {
    return null;
  }
}

function fieldFor(e: CaldavError): "serverUrl" | "password" {
  return e.kind === "auth" ? "password" : "serverUrl";
}

/** Longer than any app password a calendar service hands out. */
const MAX_PASSWORD = 500;

export async function addCalendarAccount(
  app: App,
  host: UserRecord,
  input: AddAccountInput,
  t: Translator = ENGLISH(),
): Promise<AddAccountResult> {
  if (input.serverUrl.trim().length > FIELD_MAX.url) {
    return { ok: false, field: "serverUrl", message: t.t("cal.too_long", { max: FIELD_MAX.url }) };
  }
  const serverUrl = normalizeServerUrl(input.serverUrl);
  if (!serverUrl) return { ok: false, field: "serverUrl", message: t.t("cal.enter_server") };
  const username = input.username.trim();
  if (!username || username.length > FIELD_MAX.email) {
    return { ok: false, field: "username", message: t.t("cal.enter_username") };
  }
  if (!input.password) {
    return { ok: false, field: "password", message: t.t("cal.enter_password") };
  }
  if (input.password.length > MAX_PASSWORD) {
    return { ok: false, field: "password", message: t.t("cal.too_long", { max: MAX_PASSWORD }) };
  }

  const existing = await listAccounts(app.kv, host.id);
  if (existing.length >= MAX_ACCOUNTS_PER_HOST) {
    return {
      ok: false,
      field: "form",
      message: t.t("cal.max_accounts", { max: MAX_ACCOUNTS_PER_HOST }),
    };
  }
  if (existing.some((e) => e.value.serverUrl === serverUrl && e.value.username === username)) {
    return { ok: false, field: "form", message: t.t("cal.already_connected") };
  }

  const conn = connect({ username, password: input.password }, {
    allowPrivate: app.config.allowPrivateCaldav,
  });
  const found = await discoverAccount(conn, serverUrl);
  if (!found.ok) {
    return {
      ok: false,
      field: fieldFor(found.error),
      message: describeCalendarError(found.error, "caldav", t, {
        privateAllowed: app.config.allowPrivateCaldav,
      }),
    };
  }
  if (found.calendars.length === 0) {
    return { ok: false, field: "serverUrl", message: t.t("cal.no_calendars") };
  }
  // The same account reached by another address (the server's root, then a calendar's own):
  // its principal is one, and two copies would show alike and block twice.
  if (existing.some((e) => e.value.principalUrl === found.principalUrl)) {
    return { ok: false, field: "form", message: t.t("cal.already_connected") };
  }

  const nowMs = app.now();
  // Connected again after being removed: the same account, so what it wrote is its own again.
  const accountId = await removedAccountId(app.kv, {
    hostId: host.id,
    principalUrl: found.principalUrl,
    username,
  }) ?? newId(nowMs);
  const calendars = await connectedCalendarRecords(
    { hostId: host.id, accountId },
    found.calendars,
    nowMs,
  );
  const hasWriteback = (await getWriteback(app.kv, host.id)).value !== null;
  const target = calendars.find((c) => c.writable);
  const stored = await insertAccount(app.kv, {
    account: {
      v: 1,
      id: accountId,
      hostId: host.id,
      serverUrl,
      username,
      password: await seal(app.credentialKey, CREDENTIAL_KID, input.password),
      principalUrl: found.principalUrl,
      homeUrl: found.homeUrl,
      createdAtMs: nowMs,
    },
    calendars,
    heads: calendars.map((c) => emptyHead(c.id, accountId)),
    writeback: !hasWriteback && target ? { v: 1, accountId, calendarId: target.id } : null,
  });
  if (!stored) return { ok: false, field: "form", message: t.t("cal.did_not_work") };
  const account = await getAccountEntry(app.kv, host.id, accountId);
  const sync = account.value
    ? await syncAccount(app, account as Deno.KvEntry<typeof account.value>, app.now())
    : {
      ok: false as const,
      error: { kind: "network" as const, detail: "the account was removed", atMs: nowMs },
    };
  return { ok: true, accountId, calendars: calendars.length, sync };
}

export async function removeCalendarAccount(
  app: App,
  hostId: string,
  accountId: string,
): Promise<boolean> {
  const heads = new Map((await listHeads(app.kv, hostId)).map((h) => [h.calendarId, h.gen]));
  const removed = await removeAccount(app.kv, hostId, accountId);
  if (!removed) return false;
  // The heads went with the account, so nothing reads these chunks any more.
  for (const id of removed) {
    const gen = heads.get(id);
    if (gen) await dropGeneration(app.kv, hostId, id, gen);
  }
  return true;
}

export async function syncAccountNow(
  app: App,
  hostId: string,
  accountId: string,
): Promise<AccountSyncOutcome | null> {
  const account = await getAccountEntry(app.kv, hostId, accountId);
  if (!account.value) return null;
  return await syncAccount(app, account as Deno.KvEntry<typeof account.value>, app.now());
}

/**
 * A CalDAV account's new password (changed on the server): tried first (sign-in and discovery at
 * the account's own address and username), then stored on the same account, which keeps its
 * calendars, their choices and its written meetings, and is read again at once. Null: no such
 * CalDAV account of this host.
 */
export async function updateCalendarPassword(
  app: App,
  hostId: string,
  input: { accountId: string; password: string },
  t: Translator = ENGLISH(),
): Promise<{ ok: true; sync: AccountSyncOutcome } | { ok: false; message: string } | null> {
  const account = await getAccountEntry(app.kv, hostId, input.accountId);
  if (!account.value || providerOf(account.value) !== "caldav") return null;
  if (!input.password) return { ok: false, message: t.t("cal.enter_password") };
  if (input.password.length > MAX_PASSWORD) {
    return { ok: false, message: t.t("cal.too_long", { max: MAX_PASSWORD }) };
  }
  const conn = connect({ username: account.value.username, password: input.password }, {
    allowPrivate: app.config.allowPrivateCaldav,
  });
  const found = await discoverAccount(conn, account.value.serverUrl);
  if (!found.ok) {
    return {
      ok: false,
      message: describeCalendarError(found.error, "caldav", t, {
        privateAllowed: app.config.allowPrivateCaldav,
      }),
    };
  }
  const sealed = await seal(app.credentialKey, CREDENTIAL_KID, input.password);
  if (!(await replaceAccountPassword(app.kv, hostId, input.accountId, sealed))) return null;
  const fresh = await getAccountEntry(app.kv, hostId, input.accountId);
  if (!fresh.value) return null;
  return {
    ok: true,
    sync: await syncAccount(app, fresh as Deno.KvEntry<typeof fresh.value>, app.now()),
  };
}

/** "Sync now" from the dashboard: the outcome in the host's words. */
export async function syncAccountForHost(
  app: App,
  hostId: string,
  accountId: string,
  t?: Translator,
): Promise<{ error: string | null } | null> {
  const account = await getAccountEntry(app.kv, hostId, accountId);
  if (!account.value) return null;
  const res = await syncAccount(app, account as Deno.KvEntry<typeof account.value>, app.now());
  return { error: res.ok ? null : describeError(res.error, providerOf(account.value), t) };
}

/**
 * Saves which calendars count as busy and where bookings go. Returns the accounts whose newly
 * checked calendars need a first read.
 */
export async function saveCalendarSettings(
  app: App,
  hostId: string,
  input: { conflicts: string[]; writeback: string | null },
  t: Translator = ENGLISH(),
): Promise<{ ok: true; toSync: string[] } | { ok: false; message: string }> {
  const calendars = await listHostCalendars(app.kv, hostId);
  const wanted = new Set(input.conflicts);
  const toSync = new Set<string>();
  const heads = new Map((await listHeads(app.kv, hostId)).map((h) => [h.calendarId, h.gen]));
  for (const entry of calendars) {
    const c = entry.value;
    const on = wanted.has(c.id);
    if (on === c.checkConflicts) continue;
    if (!(await updateCalendar(app.kv, entry, { ...c, checkConflicts: on }))) {
      return { ok: false, message: t.t("cal.changed_meanwhile") };
    }
    if (on) toSync.add(c.accountId);
    else {
      const gen = heads.get(c.id);
      if (gen) await dropGeneration(app.kv, hostId, c.id, gen);
    }
  }
  if (input.writeback === null) {
    await setWriteback(app.kv, hostId, null);
  } else {
    const target = (await listHostCalendars(app.kv, hostId)).find((e) =>
      e.value.id === input.writeback
    );
    if (!target) return { ok: false, message: t.t("cal.calendar_gone") };
    if (!target.value.writable) return { ok: false, message: t.t("cal.read_only") };
    if (!(await setWriteback(app.kv, hostId, { calendar: target }))) {
      return { ok: false, message: t.t("cal.changed_meanwhile") };
    }
  }
  await clearLostWriteback(app.kv, hostId);
  return { ok: true, toSync: [...toSync] };
}

export {
  type AccountView,
  type CalendarView,
  describeError,
  listCalendarAccounts,
} from "./calendar-views.ts";
