import type { App } from "../app.ts";
import type { UserRecord } from "../store/records.ts";
import { updateUser } from "../store/users.ts";
import { canonicalTimeZone, isValidTimeZone } from "../domain/time-zone.ts";
import { MAX_USERNAME_HOLDS, RESERVED_USERNAMES } from "../domain/username.ts";

export type ProfileInput = {
  name: string;
  username: string;
  timeZone: string;
  clock?: "12h" | "24h";
};

export async function updateProfile(
  app: App,
  user: UserRecord,
  input: ProfileInput,
): Promise<{ ok: true; user: UserRecord } | { ok: false; field: string; message: string }> {
  if (!isValidTimeZone(input.timeZone)) {
    return { ok: false, field: "timeZone", message: "Choose a time zone from the list" };
  }
  if (input.username !== user.username && RESERVED_USERNAMES.has(input.username)) {
    return { ok: false, field: "username", message: "That username is reserved; pick another" };
  }
  // Stored in Intl's spelling ("europe/berlin" → "Europe/Berlin") so pickers and mails agree.
  const timeZone = canonicalTimeZone(input.timeZone) ?? input.timeZone;
  const { clock, ...rest } = input;
  const res = await updateUser(app.kv, user.id, {
    ...rest,
    timeZone,
    ...(clock ? { clock } : {}),
  }, app.now());
  if (res.ok) return res;
  if (res.reason === "username_taken") {
    return { ok: false, field: "username", message: "That username is taken" };
  }
  if (res.reason === "too_many_holds") {
    return {
      ok: false,
      field: "username",
      message:
        `You gave up ${MAX_USERNAME_HOLDS} usernames recently, and each still forwards to you. Pick one of them, or change again after ${
          new Date(res.untilMs ?? app.now()).toISOString().slice(0, 10)
        }.`,
    };
  }
  return { ok: false, field: "form", message: "Your account was not found" };
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
