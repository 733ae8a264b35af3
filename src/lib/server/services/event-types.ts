import type { App } from "../app.ts";
import type { EventTypeRecord, UserRecord } from "../domain/model/records.ts";
import * as store from "../store/event-types.ts";
import { newId } from "../store/users.ts";
import type { EventTypeInput } from "../../shared/forms/event-types.ts";
import { writebackProviderOf } from "./writeback-events.ts";
import { zoomUsable } from "./zoom-meetings.ts";

/**
 * Google Meet and Teams are made with the booking's event in the host's Google or Microsoft 365
 * calendar (docs/decisions/042-meeting-locations.md): offering one needs that calendar chosen to
 * receive bookings, or its link would never come.
 */
export async function meetingNeedsCalendar(
  app: App,
  user: Pick<UserRecord, "id">,
  input: Pick<EventTypeInput, "location" | "locations">,
): Promise<boolean> {
  const kinds = (input.locations ?? [input.location]).map((l) => l.kind);
  // Zoom: the host's Zoom account connected on the Calendars page.
  if (kinds.includes("zoom") && !(await zoomUsable(app, user.id))) return true;
  const needs = kinds.includes("google_meet")
    ? "google"
    : kinds.includes("teams")
    ? "microsoft"
    : null;
  if (!needs) return false;
  if (kinds.includes("google_meet") && kinds.includes("teams")) return true;
  return await writebackProviderOf(app, user.id) !== needs;
}

/**
 * Ids come from URLs and forms. Anything that cannot be one of ours is "not found" before it
 * reaches KV (a key part longer than KV allows would otherwise throw).
 */
export function isEventTypeIdShape(id: string): boolean {
  return typeof id === "string" && /^[0-9A-Za-z_-]{1,64}$/.test(id);
}

/** The host's own event type, or null: another host's id is indistinguishable from a missing one. */
export async function findEventType(
  app: App,
  user: UserRecord,
  id: string,
): Promise<EventTypeRecord | null> {
  if (!isEventTypeIdShape(id)) return null;
  return await store.getEventType(app.kv, user.id, id);
}

/** The host's event types, oldest first (ids are time-sortable). */
export async function listOwnEventTypes(app: App, user: UserRecord): Promise<EventTypeRecord[]> {
  return await store.listEventTypes(app.kv, user.id);
}

export async function createEventType(
  app: App,
  user: UserRecord,
  input: EventTypeInput,
): Promise<
  { ok: true; record: EventTypeRecord } | {
    ok: false;
    reason: "slug_taken" | "meeting_needs_calendar";
  }
> {
  if (await meetingNeedsCalendar(app, user, input)) {
    return { ok: false, reason: "meeting_needs_calendar" };
  }
  const nowMs = app.now();
  const record: EventTypeRecord = {
    v: 1,
    id: newId(nowMs),
    userId: user.id,
    ...input,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  const res = await store.insertEventType(app.kv, record);
  return res.ok ? { ok: true, record } : res;
}

export async function editEventType(app: App, user: UserRecord, id: string, input: EventTypeInput) {
  if (!isEventTypeIdShape(id)) return { ok: false as const, reason: "not_found" as const };
  if (await meetingNeedsCalendar(app, user, input)) {
    return { ok: false as const, reason: "meeting_needs_calendar" as const };
  }
  return await store.updateEventType(
    app.kv,
    user.id,
    id,
    (cur) => ({ ...cur, ...input, updatedAtMs: app.now() }),
  );
}

export async function setEventTypeActive(app: App, user: UserRecord, id: string, active: boolean) {
  if (!isEventTypeIdShape(id)) return { ok: false as const, reason: "not_found" as const };
  return await store.updateEventType(
    app.kv,
    user.id,
    id,
    (cur) => ({ ...cur, active, updatedAtMs: app.now() }),
  );
}

export async function deleteEventType(app: App, user: UserRecord, id: string): Promise<boolean> {
  if (!isEventTypeIdShape(id)) return false;
  return await store.removeEventType(app.kv, user.id, id);
}
