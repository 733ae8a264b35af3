import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { getUser, updateUser } from "../store/users.ts";
import { canonicalTimeZone, isValidTimeZone } from "../domain/time-zone.ts";
import { MAX_USERNAME_HOLDS, RESERVED_USERNAMES } from "../domain/username.ts";
import type { Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { civilDateShort, type ClockChoice, decideClock, isoDateIn } from "../../shared/format.ts";

export type ProfileInput = {
  name: string;
  username: string;
  timeZone: string;
  /** Fixed, or "auto" (the language's, kept as the language changes); absent: as it is. */
  clock?: ClockChoice;
  weekStart?: 1 | 6 | 7;
  /** The host's language (BCP 47) for the dashboard and their mails. */
  locale?: string;
  /** How guests book the event types made from now on (the new form's preset); absent: as it is. */
  confirmByDefault?: boolean;
};

/** The host as stored now (after a change made elsewhere, e.g. an import); `user` when gone. */
export async function reloadUser(app: App, user: UserRecord): Promise<UserRecord> {
  return (await getUser(app.kv, user.id)) ?? user;
}

export async function updateProfile(
  app: App,
  user: UserRecord,
  input: ProfileInput,
  t: Translator = translator("en"),
): Promise<{ ok: true; user: UserRecord } | { ok: false; field: string; message: string }> {
  if (!isValidTimeZone(input.timeZone)) {
    return { ok: false, field: "timeZone", message: t.t("profile.zone_from_list") };
  }
  if (input.username !== user.username && RESERVED_USERNAMES.has(input.username)) {
    return { ok: false, field: "username", message: t.t("profile.username_reserved") };
  }
  // Stored in Intl's spelling ("europe/berlin" → "Europe/Berlin") so pickers and mails agree.
  const timeZone = canonicalTimeZone(input.timeZone) ?? input.timeZone;
  const { clock, weekStart, locale, confirmByDefault, ...rest } = input;
  // A clock on "auto" follows a new language as well as a new choice.
  const clockNow = clock !== undefined || locale !== undefined
    ? decideClock(user, clock, locale ?? user.locale)
    : {};
  const res = await updateUser(app.kv, user.id, {
    ...rest,
    timeZone,
    ...clockNow,
    ...(weekStart ? { weekStart } : {}),
    ...(locale ? { locale } : {}),
    ...(confirmByDefault !== undefined ? { confirmByDefault } : {}),
  }, app.now());
  if (res.ok) return res;
  if (res.reason === "username_taken") {
    return { ok: false, field: "username", message: t.t("profile.username_taken") };
  }
  if (res.reason === "too_many_holds") {
    return {
      ok: false,
      field: "username",
      message: t.t("profile.too_many_holds", {
        max: MAX_USERNAME_HOLDS,
        date: civilDateShort(isoDateIn(res.untilMs ?? app.now(), user.timeZone), t.locale),
      }),
    };
  }
  return { ok: false, field: "form", message: t.t("profile.account_missing") };
}

/** The browser's zone, set once after the first sign-in when the host has not chosen one. */
export async function adoptBrowserTimeZone(
  app: App,
  user: UserRecord,
  timeZone: string,
): Promise<boolean> {
  if (user.timeZone !== "UTC" || !isValidTimeZone(timeZone) || timeZone === "UTC") return false;
  const res = await updateUser(app.kv, user.id, {
    timeZone: canonicalTimeZone(timeZone) ?? timeZone,
  });
  return res.ok;
}
