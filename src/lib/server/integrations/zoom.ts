/**
 * Zoom meetings (Zoom API v2, "Meetings"): one scheduled meeting per booking, made with
 * `POST /users/me/meetings`, moved with `PATCH /meetings/{id}`, removed with
 * `DELETE /meetings/{id}`. Calls go through `apiClient` (provider-http.ts): bounded, the bearer
 * token refreshed once on 401, 429 answered by Retry-After (a long wait goes back to the caller,
 * so the outbox retries later). Results, not throws; a meeting already gone counts as deleted.
 */
import type { ApiClient } from "./provider-http.ts";
import { providerFail, type ProviderResult } from "./calendar-provider.ts";
import { ownDetail } from "./provider-details.ts";

/** Scopes Invito asks for: make, move and delete the host's meetings (granular scope names). */
export const ZOOM_SCOPES = [
  "meeting:write:meeting",
  "meeting:update:meeting",
  "meeting:delete:meeting",
];

export type ZoomMeetingInput = {
  topic: string;
  startMs: number;
  endMs: number;
  /** IANA zone shown in Zoom's own pages */
  timeZone: string;
  agenda?: string;
};

export type ZoomMeetingRef = { meetingId: string; joinUrl: string };

/** The body Zoom's create and update take: a scheduled meeting (type 2) in UTC. */
export function zoomMeetingBody(m: ZoomMeetingInput): Record<string, unknown> {
  return {
    topic: m.topic.slice(0, 200),
    type: 2,
    // Zoom reads a trailing "Z" as UTC, whatever `timezone` says (which it shows to people).
    start_time: new Date(m.startMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    duration: Math.max(1, Math.round((m.endMs - m.startMs) / 60_000)),
    timezone: m.timeZone,
    ...(m.agenda ? { agenda: m.agenda.slice(0, 2000) } : {}),
    settings: { join_before_host: false, waiting_room: true },
  };
}

export type ZoomApi = {
  create(m: ZoomMeetingInput): Promise<ProviderResult<ZoomMeetingRef>>;
  update(meetingId: string, m: ZoomMeetingInput): Promise<ProviderResult<{ found: boolean }>>;
  remove(meetingId: string): Promise<ProviderResult<Record<never, never>>>;
};

const ID = /^\d{1,20}$/;

export function zoomApi(api: ApiClient, apiUrl: string): ZoomApi {
  const base = apiUrl.replace(/\/$/, "");
  return {
    async create(m) {
      const res = await api.request("POST", `${base}/users/me/meetings`, {
        body: zoomMeetingBody(m),
      });
      if (!res.ok) return res;
      const j = res.res.json as { id?: unknown; join_url?: unknown } | null;
      const id = typeof j?.id === "number" || typeof j?.id === "string" ? String(j.id) : "";
      const joinUrl = typeof j?.join_url === "string" ? j.join_url : "";
      if (!ID.test(id) || !/^https:\/\/\S+$/.test(joinUrl)) {
        return providerFail("parse", ownDetail("cal.detail_zoom_no_link"));
      }
      return { ok: true, meetingId: id, joinUrl };
    },
    async update(meetingId, m) {
      if (!ID.test(meetingId)) return { ok: true, found: false };
      const res = await api.request("PATCH", `${base}/meetings/${meetingId}`, {
        body: zoomMeetingBody(m),
      });
      if (!res.ok) return res.error.kind === "not_found" ? { ok: true, found: false } : res;
      return { ok: true, found: true };
    },
    async remove(meetingId) {
      if (!ID.test(meetingId)) return { ok: true };
      const res = await api.request("DELETE", `${base}/meetings/${meetingId}`);
      if (!res.ok && res.error.kind !== "not_found") return res;
      return { ok: true };
    },
  };
}
