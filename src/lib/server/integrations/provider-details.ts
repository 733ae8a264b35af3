/**
 * The words Invito itself writes about a calendar server's answer ("the server did not accept
 * the username and password", "the server refused access to the calendar list (403)", "Google
 * Calendar answered with an error (503)"). They are kept in English in records and logs, as the
 * catalog's English says them, and read in each host's language when shown: a detail that is one
 * of these is said from the reader's catalog; anything else (a server's own words) is quoted as
 * it came. A server's words inside ours (`{message}`) stay as they came.
 */
import { parse, TYPE } from "@formatjs/icu-messageformat-parser";
import type { MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { CATALOGS, translator } from "../i18n.ts";
import { intlLocale, type MessageKey, type Translator } from "../../shared/i18n.ts";
import { formatBytes } from "../../shared/format.ts";

const KEYS = [
  // CalDAV
  "cal.detail_credentials",
  "cal.detail_rate_limited",
  "cal.detail_timed_out",
  "cal.detail_server_error",
  "cal.detail_not_caldav",
  "cal.detail_no_service",
  "cal.detail_not_url",
  "cal.detail_calendar_gone",
  "cal.detail_event_refused",
  "cal.detail_refused",
  "cal.detail_not_found",
  "cal.detail_answered",
  "cal.detail_empty_reply",
  "cal.detail_reply_not_xml",
  "cal.detail_not_like_caldav",
  "cal.detail_principal_elsewhere",
  "cal.detail_no_home",
  "cal.detail_home_elsewhere",
  "cal.detail_events_missing",
  "cal.detail_event_without_data",
  "cal.detail_unreadable",
  "cal.detail_cut_off",
  "cal.detail_too_many_to_expand",
  // any server Invito fetches from (safe-fetch.ts)
  "cal.detail_http_only",
  "cal.detail_no_userinfo",
  "cal.detail_too_large",
  "cal.detail_redirect_other_host",
  "cal.detail_too_many_redirects",
  // Google Calendar and Microsoft 365: their APIs and sign-in
  "cal.detail_outside_api",
  "cal.detail_outside_api_plain",
  "cal.detail_slow_down_waiting",
  "cal.detail_slow_down",
  "cal.detail_request_failed",
  "cal.detail_access_ended",
  "cal.detail_access_ended_grant",
  "cal.detail_not_json",
  "cal.detail_access_refused",
  "cal.detail_access_refused_said",
  "cal.detail_api_not_found",
  "cal.detail_provider_error",
  "cal.detail_request_refused",
  "cal.detail_request_refused_said",
  "cal.detail_oauth_refused",
  "cal.detail_not_granted",
  "cal.detail_not_authorized",
  "cal.detail_provider_unreachable",
  "cal.detail_provider_unreadable",
  "cal.detail_not_configured",
  "cal.detail_no_longer_configured",
  "cal.detail_server_not_set_up",
  "cal.detail_too_many_pages",
  "cal.detail_too_many_events",
  "cal.detail_events_form",
  "cal.detail_no_delta_link",
  "cal.detail_delta_link_long",
  "cal.detail_gone_on_full_read",
  "cal.detail_created_without_id",
  "cal.detail_list_form",
  "cal.detail_list_too_long",
  "cal.detail_no_sync_token",
  "cal.detail_event_vanished",
  "cal.detail_refused_at_once",
  "cal.detail_authorization_missing",
  "cal.detail_must_reconnect",
  "cal.detail_cannot_decrypt",
  "cal.detail_renewing",
  "cal.detail_password_undecryptable",
  "cal.detail_no_refresh_token",
  "cal.detail_meet_failed",
  "cal.detail_zoom_no_link",
] as const;
export type ProviderDetail = (typeof KEYS)[number];

/** What a CalDAV request was about (`{what}` in the details that name it). */
export type DavTarget = "service" | "account" | "list" | "calendar" | "event";

export type DetailValues = {
  /** an HTTP status */
  status?: number;
  what?: DavTarget;
  /** a provider's name ("Google Calendar", "Microsoft 365", "Google", "Microsoft") */
  name?: string;
  /** a server's own words, quoted as they came */
  message?: string;
  /** a host name */
  host?: string;
  /** an error code a provider sent (`access_denied`) */
  code?: string;
  /** a size ("10 MB") */
  size?: string;
  /** a limit */
  count?: number;
  /** a setting's name (`INVITO_GOOGLE_CLIENT_ID`) */
  setting?: string;
};

/** The detail as records keep it (English). */
export function ownDetail(key: ProviderDetail, values: DetailValues = {}): string {
  const v: Record<string, string> = {};
  for (const [k, x] of Object.entries(values)) if (x !== undefined) v[k] = String(x);
  return translator("en").t(key, v);
}

/** How each value reads inside a detail; a value not listed here is any text. */
const VALUE: Record<string, string> = {
  status: "\\d{3}",
  count: "\\d+",
  name: "Google Calendar|Microsoft 365|Google|Microsoft|Zoom",
  code: "[\\w.-]{0,60}",
  size: "\\d+ [KM]B",
  setting: "INVITO_[A-Z_]+",
  host: "[^\\s()]+",
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every choice of the message's selects (`{what, select, …}`), one set of values each. */
function choices(els: MessageFormatElement[]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const el of els) {
    if (el.type !== TYPE.select) continue;
    out = out.flatMap((c) =>
      Object.keys(el.options).flatMap((opt) =>
        choices(el.options[opt].value).map((inner) => ({ ...c, ...inner, [el.value]: opt }))
      )
    );
  }
  return out;
}

/** The message's English with these select choices, its values as named groups. */
function pattern(els: MessageFormatElement[], chosen: Record<string, string>, seen: Set<string>) {
  let out = "";
  for (const el of els) {
    if (el.type === TYPE.literal) out += escape(el.value);
    else if (el.type === TYPE.argument) {
      out += seen.has(el.value)
        ? `\\k<${el.value}>`
        : `(?<${el.value}>${VALUE[el.value] ?? ".+?"})`;
      seen.add(el.value);
    } else if (el.type === TYPE.select) {
      out += pattern(el.options[chosen[el.value]].value, chosen, seen);
    } else throw new Error(`provider-details: ${el.type} is not read back from a detail`);
  }
  return out;
}

type Matcher = { key: MessageKey; re: RegExp; chosen: Record<string, string>; free: number };

function buildMatchers(keys: readonly MessageKey[]): Matcher[] {
  const out: Matcher[] = [];
  for (const key of keys) {
    const ast = parse(CATALOGS.en[key]);
    for (const chosen of choices(ast)) {
      const source = pattern(ast, chosen, new Set());
      const free = (source.match(/\.\+\?/g) ?? []).length;
      out.push({ key, re: new RegExp(`^${source}$`), chosen, free });
    }
  }
  // A text with a server's words in it is tried after every text that has none, and of two
  // that both take any words, the one that says more itself first ("… {detail}. Invito will try
  // again." before "… {detail}.").
  return out.sort((a, b) => a.free - b.free || b.re.source.length - a.re.source.length);
}

/**
 * A reader of text Invito wrote in English from one of `keys`: the same text in `t`'s language,
 * or null when none of them wrote it. `values` may say a value over too (a detail inside a
 * sentence).
 */
export function readerOf(
  keys: readonly MessageKey[],
  values: (v: Record<string, string>, t: Translator) => Record<string, string> = (v) => v,
): (text: string, t: Translator) => string | null {
  let matchers: Matcher[] | null = null;
  return (text, t) => {
    matchers ??= buildMatchers(keys);
    for (const m of matchers) {
      const hit = m.re.exec(text);
      if (hit) return t.t(m.key, values({ ...hit.groups, ...m.chosen }, t));
    }
    return null;
  };
}

/**
 * A size Invito stated in English (`describeBytes`: "10 MB", "977 KB") in the reader's number
 * format and unit ("10 Mo", "977 kB").
 */
function sizeIn(size: string, locale: string): string {
  const m = /^(\d+) ([KM])B$/.exec(size);
  if (!m) return size;
  return formatBytes(Number(m[1]) * (m[2] === "M" ? 1_048_576 : 1024), intlLocale(locale));
}

const readDetail = readerOf(
  KEYS,
  (v, t) => v.size === undefined ? v : { ...v, size: sizeIn(v.size, t.locale) },
);

/** `detail` in the reader's language when Invito wrote it; otherwise as it came. */
export function detailIn(detail: string, t: Translator): string {
  return readDetail(detail, t) ?? detail;
}
