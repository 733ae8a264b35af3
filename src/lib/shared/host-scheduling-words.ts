/**
 * What a host is told when a poll or a one-off link cannot be made, per service reason: one
 * table for the dashboard pages and the JSON API (which words them in English).
 */
import type { MessageKey } from "./i18n.ts";

export const POLL_CREATE_WORDS = {
  not_found: "bookings.no_such",
  too_few: "poll.too_few",
  too_many: "poll.too_many",
  not_free: "offer.not_free",
  bad_title: "poll.bad_title",
  bad_until: "poll.bad_until",
  seated: "poll.seated",
  series: "poll.series",
} as const satisfies Record<string, MessageKey>;

export const ONE_OFF_CREATE_WORDS = {
  not_found: "bookings.no_such",
  too_many: "offer.too_many_links",
  no_times: "offer.no_times",
  too_many_times: "offer.too_many_times",
  not_free: "offer.not_free",
  bad_note: "offer.bad_note",
} as const satisfies Record<string, MessageKey>;
