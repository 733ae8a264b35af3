import { bumpSettings } from "./revisions.ts";
import { commitOrReread, commitWithReceipt, LOST, untilLanded } from "./kv.ts";
import { type EventTypeId, keys, type UserId } from "./keys.ts";
import type { EventTypeRecord } from "../domain/model/records.ts";
import { cachedRead, settingsChanged, withReadMark } from "./settings-cache.ts";

export async function getEventType(
  kv: Deno.Kv,
  userId: UserId,
  id: EventTypeId,
): Promise<EventTypeRecord | null> {
  return withReadMark(await kv.get<EventTypeRecord>(keys.eventType(userId, id)));
}

export async function getEventTypeBySlug(
  kv: Deno.Kv,
  userId: UserId,
  slug: string,
): Promise<EventTypeRecord | null> {
  const idx = await kv.get<EventTypeId>(keys.eventTypeBySlug(userId, slug));
  return idx.value ? await getEventType(kv, userId, idx.value) : null;
}

/** The same, from the short-lived settings copy (guest pages and bookings). */
export function getEventTypeBySlugCached(
  kv: Deno.Kv,
  userId: UserId,
  slug: string,
): Promise<EventTypeRecord | null> {
  // Owned by the host or the team `userId` names (its settings revision covers event types).
  return cachedRead(
    kv,
    `et:${userId}:${slug}`,
    () => getEventTypeBySlug(kv, userId, slug),
    () => userId,
  );
}

export async function listEventTypes(kv: Deno.Kv, userId: UserId): Promise<EventTypeRecord[]> {
  const out: EventTypeRecord[] = [];
  for await (const e of kv.list<EventTypeRecord>({ prefix: keys.eventTypePrefix(userId) })) {
    out.push(e.value);
  }
  return out;
}

/** Inserts an event type; its slug is claimed in the same atomic write (unique per host). */
export async function insertEventType(
  kv: Deno.Kv,
  record: EventTypeRecord,
): Promise<{ ok: true } | { ok: false; reason: "slug_taken" }> {
  // The record's id is fresh per request and nothing else writes under it: it exists exactly
  // when this write landed, even when its answer was lost (ADR 038).
  const res = await commitOrReread(
    kv.atomic()
      .check({ key: keys.eventTypeBySlug(record.userId, record.slug), versionstamp: null })
      .check({ key: keys.eventType(record.userId, record.id), versionstamp: null })
      .set(keys.eventType(record.userId, record.id), record)
      .set(keys.eventTypeBySlug(record.userId, record.slug), record.id)
      .set(keys.settingsRev(record.userId), { v: 1 }),
    async () => (await kv.get(keys.eventType(record.userId, record.id))).versionstamp !== null,
  );
  settingsChanged(kv);
  return res.ok ? { ok: true } : { ok: false, reason: "slug_taken" };
}

export async function updateEventType(
  kv: Deno.Kv,
  userId: UserId,
  id: EventTypeId,
  change: (cur: EventTypeRecord) => EventTypeRecord,
): Promise<
  { ok: true; record: EventTypeRecord } | { ok: false; reason: "not_found" | "slug_taken" }
> {
  return await untilLanded("updateEventType", async () => {
    const cur = await kv.get<EventTypeRecord>(keys.eventType(userId, id));
    if (!cur.value) return { ok: false, reason: "not_found" };
    const next = change(cur.value);
    const op = bumpSettings(kv.atomic().check(cur).set(keys.eventType(userId, id), next), userId);
    if (next.slug !== cur.value.slug) {
      op.check({ key: keys.eventTypeBySlug(userId, next.slug), versionstamp: null })
        .delete(keys.eventTypeBySlug(userId, cur.value.slug))
        .set(keys.eventTypeBySlug(userId, next.slug), id);
    }
    const res = await commitWithReceipt(kv, op);
    if (res.ok) {
      settingsChanged(kv);
      return { ok: true, record: next };
    }
    if (
      next.slug !== cur.value.slug &&
      (await kv.get(keys.eventTypeBySlug(userId, next.slug))).versionstamp
    ) {
      return { ok: false, reason: "slug_taken" };
    }
    return LOST;
  });
}

export async function removeEventType(
  kv: Deno.Kv,
  userId: UserId,
  id: EventTypeId,
): Promise<boolean> {
  // A save landing between the read and the commit (a second tab) is no reason to refuse the
  // delete: it reads again, and "false" means only that the event type is not there.
  return await untilLanded("removeEventType", async () => {
    const cur = await kv.get<EventTypeRecord>(keys.eventType(userId, id));
    if (!cur.value) return false;
    const res = await commitWithReceipt(
      kv,
      kv.atomic().check(cur)
        .delete(keys.eventType(userId, id))
        .delete(keys.eventTypeBySlug(userId, cur.value.slug))
        .set(keys.settingsRev(userId), { v: 1 }),
    );
    if (!res.ok) return LOST;
    settingsChanged(kv);
    return true;
  });
}
