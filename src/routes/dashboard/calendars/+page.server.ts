import { error, fail, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { readField } from "$lib/shared/field-bounds.ts";
import {
  addCalendarAccount,
  describeError,
  listCalendarAccounts,
  removeCalendarAccount,
  saveCalendarSettings,
  syncAccountForHost,
  syncAccountNow,
  updateCalendarPassword,
} from "$lib/server/services/calendar-accounts.ts";
import { formatDuration } from "$lib/shared/format.ts";
import {
  calendarProviderSetup,
  startOAuthConnect,
  zoomRedirectUri,
} from "$lib/server/services/calendar-oauth.ts";
import {
  disconnectZoom,
  startZoomConnect,
  zoomStatus,
} from "$lib/server/services/zoom-meetings.ts";

export const load: PageServerLoad = async ({ locals, url }) => {
  const app = locals.app;
  const { accounts, paused } = await listCalendarAccounts(app, locals.user!.id, locals.t);
  // Set by the OAuth callback's redirect: only these fixed words are read back.
  const connected = url.searchParams.get("connected");
  return {
    accounts,
    paused,
    providers: calendarProviderSetup(app),
    connected: connected === "google" || connected === "microsoft" || connected === "zoom"
      ? connected
      : null,
    zoom: {
      ...(await zoomStatus(app, locals.user!.id, locals.t)),
      redirectUri: zoomRedirectUri(app),
    },
    reconnected: url.searchParams.get("reconnected") === "1",
    nowMs: app.now(),
    syncEvery: formatDuration(app.config.syncIntervalMs, locals.locale),
    pauseAfter: formatDuration(2 * app.config.syncIntervalMs, locals.locale),
  };
};

const AccountId = v.object({ account: v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/)) });
const CALENDAR_ID = /^[0-9a-f]{20}$/;
const Connect = v.object({
  provider: v.picklist(["google", "microsoft"]),
  account: v.optional(v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/))),
});

export const actions: Actions = {
  add: async ({ request, locals }) => {
    const f = await request.formData();
    const str = (k: string) => (typeof f.get(k) === "string" ? (f.get(k) as string) : "");
    // The password is never sent back to the browser, not even after a failed attempt.
    const values = {
      serverUrl: readField(f, "serverUrl", "url"),
      username: readField(f, "username", "email"),
    };
    const res = await addCalendarAccount(locals.app, locals.user!, {
      serverUrl: values.serverUrl,
      username: values.username,
      password: str("password"),
    }, locals.t);
    if (!res.ok) {
      return fail(400, {
        add: { values, errors: { [res.field]: res.message } as Record<string, string> },
      });
    }
    return {
      added: {
        calendars: res.calendars,
        syncError: res.sync.ok ? null : describeError(res.sync.error, "caldav", locals.t),
      },
    };
  },

  save: async ({ request, locals }) => {
    const f = await request.formData();
    const conflicts = f.getAll("conflict").filter((x): x is string =>
      typeof x === "string" && CALENDAR_ID.test(x)
    );
    const wb = f.get("writeback");
    const writeback = typeof wb === "string" && CALENDAR_ID.test(wb) ? wb : null;
    const res = await saveCalendarSettings(
      locals.app,
      locals.user!.id,
      { conflicts, writeback },
      locals.t,
    );
    if (!res.ok) return fail(409, { saveError: res.message });
    // Calendars just turned on are read now, so their busy times count at once.
    for (const accountId of res.toSync) {
      await syncAccountNow(locals.app, locals.user!.id, accountId);
    }
    return { saved: true };
  },

  sync: async ({ request, locals }) => {
    const parsed = v.safeParse(AccountId, Object.fromEntries(await request.formData()));
    if (!parsed.success) error(404, locals.t.t("cal.no_such_account"));
    const res = await syncAccountForHost(
      locals.app,
      locals.user!.id,
      parsed.output.account,
      locals.t,
    );
    if (!res) error(404, locals.t.t("cal.no_such_account"));
    return { synced: { account: parsed.output.account, error: res.error } };
  },

  /** A CalDAV account's new password (changed on the server): the same account, signed in again. */
  password: async ({ request, locals }) => {
    const f = await request.formData();
    const parsed = v.safeParse(AccountId, { account: f.get("account") });
    if (!parsed.success) error(404, locals.t.t("cal.no_such_account"));
    const pw = f.get("password");
    const res = await updateCalendarPassword(locals.app, locals.user!.id, {
      accountId: parsed.output.account,
      password: typeof pw === "string" ? pw : "",
    }, locals.t);
    if (!res) error(404, locals.t.t("cal.no_such_account"));
    // The password is never sent back to the browser.
    if (!res.ok) {
      return fail(400, {
        password: { account: parsed.output.account, error: res.message, syncError: null },
      });
    }
    return {
      password: {
        account: parsed.output.account,
        error: null,
        syncError: res.sync.ok ? null : describeError(res.sync.error, "caldav", locals.t),
      },
    };
  },

  /** "Connect Google Calendar" / "Connect Microsoft 365" / "Reconnect": off to the provider. */
  connect: async ({ request, locals }) => {
    const f = Object.fromEntries(await request.formData());
    const parsed = v.safeParse(Connect, { ...f, account: f.account || undefined });
    if (!parsed.success) return fail(400, { connectError: locals.t.t("oauth.unknown_provider") });
    const res = await startOAuthConnect(
      locals.app,
      locals.user!,
      parsed.output.provider,
      parsed.output.account ?? null,
      locals.t,
    );
    if (!res.ok) return fail(400, { connectError: res.message });
    redirect(303, res.url);
  },

  /** "Connect Zoom" / "Reconnect Zoom": off to Zoom's consent page. */
  zoomConnect: async ({ locals }) => {
    const res = await startZoomConnect(locals.app, locals.user!, locals.t);
    if (!res.ok) return fail(400, { zoomError: res.message });
    redirect(303, res.url);
  },

  zoomDisconnect: async ({ locals }) => {
    await disconnectZoom(locals.app, locals.user!);
    return { zoomDisconnected: true };
  },

  remove: async ({ request, locals }) => {
    const parsed = v.safeParse(AccountId, Object.fromEntries(await request.formData()));
    if (!parsed.success) error(404, locals.t.t("cal.no_such_account"));
    const removed = await removeCalendarAccount(locals.app, locals.user!.id, parsed.output.account);
    if (!removed) error(404, locals.t.t("cal.no_such_account"));
    return { removed: true };
  },
};
