import type { App } from "../app.ts";
import type { EventTypeRecord, UserRecord } from "../store/records.ts";
import * as store from "../store/event-types.ts";
import { newId } from "../store/users.ts";
import type { EventTypeInput } from "../../shared/forms.ts";

export async function createEventType(
  app: App,
  user: UserRecord,
  input: EventTypeInput,
): Promise<{ ok: true; record: EventTypeRecord } | { ok: false; reason: "slug_taken" }> {
  const nowMs = app.now();
  const record: EventTypeRecord = { v: 1, id: newId(nowMs), userId: user.id, ...input, createdAtMs: nowMs, updatedAtMs: nowMs };
  const res = await store.insertEventType(app.kv, record);
  return res.ok ? { ok: true, record } : res;
}

export async function editEventType(app: App, user: UserRecord, id: string, input: EventTypeInput) {
  return await store.updateEventType(app.kv, user.id, id, (cur) => ({ ...cur, ...input, updatedAtMs: app.now() }));
}

export async function setEventTypeActive(app: App, user: UserRecord, id: string, active: boolean) {
  return await store.updateEventType(app.kv, user.id, id, (cur) => ({ ...cur, active, updatedAtMs: app.now() }));
}

export async function deleteEventType(app: App, user: UserRecord, id: string): Promise<boolean> {
  return await store.removeEventType(app.kv, user.id, id);
}
