/** A host sets or removes the photo guests see on their booking pages. */
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { decidePhoto, PHOTO_MAX_BYTES } from "../domain/photo.ts";
import { getUserPhoto, setUserPhoto } from "../store/photos.ts";
import { getUserByUsername } from "../store/users.ts";
import type { Translator } from "../../shared/i18n.ts";

export async function setHostPhoto(
  app: App,
  host: UserRecord,
  bytes: Uint8Array,
  t: Translator,
): Promise<{ ok: true; user: UserRecord } | { ok: false; message: string }> {
  const d = decidePhoto(bytes);
  if (!d.ok) {
    return {
      ok: false,
      message: d.reason === "too_big"
        ? t.t("photo.too_big", { kb: PHOTO_MAX_BYTES / 1024 })
        : d.reason === "empty"
        ? t.t("photo.choose")
        : t.t("photo.wrong_type"),
    };
  }
  const user = await setUserPhoto(app.kv, host.id, {
    v: 1,
    type: d.type,
    bytes,
    updatedAtMs: app.now(),
  });
  return user ? { ok: true, user } : { ok: false, message: t.t("profile.account_missing") };
}

export async function removeHostPhoto(app: App, host: UserRecord): Promise<UserRecord | null> {
  return await setUserPhoto(app.kv, host.id, null);
}

/** The photo a booking page shows: only an open account's. */
export async function publicPhoto(app: App, username: string) {
  const user = await getUserByUsername(app.kv, username);
  if (!user || user.closedAtMs || !user.photoMs) return null;
  return await getUserPhoto(app.kv, user.id);
}

/** Where a host's photo is served (the version makes a new photo a new URL). */
export const photoPath = (u: Pick<UserRecord, "username" | "photoMs">): string | null =>
  u.photoMs ? `/calendar/${u.username}/photo?v=${u.photoMs}` : null;
