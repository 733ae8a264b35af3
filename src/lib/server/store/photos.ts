/**
 * A host's photo: its bytes under their own key, and `photoMs` on the user record, written
 * together (the user entry checked), so a page never points at a photo that is not there.
 */
import { bumpSettings } from "./revisions.ts";
import { keys, type UserId } from "./keys.ts";
import type { UserPhotoRecord, UserRecord } from "../domain/model/records.ts";
import { settingsChanged } from "./settings-cache.ts";
import { LOST, untilLanded } from "./kv.ts";

export async function getUserPhoto(kv: Deno.Kv, userId: UserId): Promise<UserPhotoRecord | null> {
  return (await kv.get<UserPhotoRecord>(keys.userPhoto(userId))).value;
}

/**
 * Sets (or with `photo: null` removes) the photo; null when the user is gone. A commit lost is
 * another change of the user landing (`untilLanded`); one sent again after a lost answer writes
 * the same photo.
 */
export async function setUserPhoto(
  kv: Deno.Kv,
  userId: UserId,
  photo: UserPhotoRecord | null,
): Promise<UserRecord | null> {
  return await untilLanded("setUserPhoto", async () => {
    const cur = await kv.get<UserRecord>(keys.user(userId));
    if (!cur.value) return null;
    const next: UserRecord = { ...cur.value };
    if (photo) next.photoMs = photo.updatedAtMs;
    else delete next.photoMs;
    const op = bumpSettings(kv.atomic().check(cur).set(keys.user(userId), next), userId);
    if (photo) op.set(keys.userPhoto(userId), photo);
    else op.delete(keys.userPhoto(userId));
    if ((await op.commit()).ok) {
      settingsChanged(kv);
      return next;
    }
    return LOST;
  });
}
