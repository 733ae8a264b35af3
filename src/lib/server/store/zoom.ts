/**
 * Zoom connections and the Zoom meeting of each meeting UID. A connection's tokens are a
 * calendar token record under `ZOOM_ACCOUNT_ID` (store/calendars.ts reads and swaps them).
 */
import { keys, type UserId } from "./keys.ts";
import { commitOrReread } from "./kv.ts";
import type {
  CalendarTokenRecord,
  ZoomConnectionRecord,
  ZoomMeetingRecord,
} from "../domain/model/records.ts";

/** The account id a host's Zoom tokens are kept under (no calendar account has it: ids are ULIDs). */
export const ZOOM_ACCOUNT_ID = "zoom";

export async function getZoomConnection(
  kv: Deno.Kv,
  hostId: UserId,
): Promise<ZoomConnectionRecord | null> {
  return (await kv.get<ZoomConnectionRecord>(keys.zoomConnection(hostId))).value;
}

/** Stores a (re)connection with its new tokens in one write. */
export async function putZoomConnection(
  kv: Deno.Kv,
  conn: ZoomConnectionRecord,
  token: CalendarTokenRecord,
): Promise<boolean> {
  const res = await kv.atomic()
    .set(keys.zoomConnection(conn.hostId), conn)
    .set(keys.calendarToken(conn.hostId, ZOOM_ACCOUNT_ID), token)
    .delete(keys.calendarAccountStatus(conn.hostId, ZOOM_ACCOUNT_ID))
    .commit();
  return res.ok;
}

export async function removeZoomConnection(kv: Deno.Kv, hostId: UserId): Promise<void> {
  await kv.atomic()
    .delete(keys.zoomConnection(hostId))
    .delete(keys.calendarToken(hostId, ZOOM_ACCOUNT_ID))
    .delete(keys.calendarAccountStatus(hostId, ZOOM_ACCOUNT_ID))
    .commit();
}

export async function getZoomMeeting(
  kv: Deno.Kv,
  meetingUid: string,
): Promise<Deno.KvEntryMaybe<ZoomMeetingRecord>> {
  return await kv.get<ZoomMeetingRecord>(keys.zoomMeeting(meetingUid));
}

/**
 * Records a meeting made for `meetingUid` unless one was recorded meanwhile (then: false). A lost
 * answer (remote KV, ADR 038) is settled by reading: the record names this meeting (Zoom's id is
 * new per meeting made) exactly when this write landed — the caller deletes a spare meeting, so
 * taking our own record for another's would leave the guest a link to a deleted meeting.
 */
export async function insertZoomMeeting(
  kv: Deno.Kv,
  meetingUid: string,
  rec: ZoomMeetingRecord,
): Promise<boolean> {
  const key = keys.zoomMeeting(meetingUid);
  return (await commitOrReread(
    kv.atomic().check({ key, versionstamp: null }).set(key, rec),
    async () => (await kv.get<ZoomMeetingRecord>(key)).value?.meetingId === rec.meetingId,
  )).ok;
}

/**
 * Forgets the meeting recorded for `meetingUid` if the record is still the one read (`read`):
 * a meeting another writer recorded meanwhile (a new member's, after a hand-over) stays.
 */
export async function removeZoomMeeting(
  kv: Deno.Kv,
  meetingUid: string,
  read: Deno.KvEntryMaybe<ZoomMeetingRecord>,
): Promise<boolean> {
  const key = keys.zoomMeeting(meetingUid);
  return (await kv.atomic().check({ key, versionstamp: read.versionstamp }).delete(key).commit())
    .ok;
}
