/**
 * The words Invito itself writes about a CalDAV server's answer ("the server did not accept the
 * username and password", "… (503)"). They are kept in English in records and logs, as the
 * catalog's English says them, and read in each host's language when shown: a detail that is
 * one of these is said from the reader's catalog; anything else (a server's own words) is quoted
 * as it came.
 */
import { translator } from "../i18n.ts";
import type { Translator } from "../../shared/i18n.ts";

const KEYS = [
  "cal.detail_credentials",
  "cal.detail_rate_limited",
  "cal.detail_timed_out",
  "cal.detail_server_error",
  "cal.detail_not_caldav",
  "cal.detail_no_service",
  "cal.detail_not_url",
  "cal.detail_calendar_gone",
  "cal.detail_event_refused",
] as const;
export type CaldavDetail = (typeof KEYS)[number];

/** The detail as records keep it (English); `status`: the HTTP status it names, if any. */
export function caldavDetail(key: CaldavDetail, status?: number): string {
  return translator("en").t(key, { status: String(status ?? "") });
}

const SENTINEL = "7919713";
let matchers: { key: CaldavDetail; re: RegExp }[] | null = null;

/** `detail` in the reader's language when Invito wrote it; otherwise as it came. */
export function detailIn(detail: string, t: Translator): string {
  matchers ??= KEYS.map((key) => {
    const en = caldavDetail(key, Number(SENTINEL)).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return { key, re: new RegExp(`^${en.replace(SENTINEL, "(\\d{3})")}$`) };
  });
  for (const m of matchers) {
    const hit = m.re.exec(detail);
    if (hit) return t.t(m.key, { status: hit[1] ?? "" });
  }
  return detail;
}
