/**
 * What a delivery (a mail, a calendar write, a Zoom meeting) that has not gone out yet is waiting
 * for or failed on, in Invito's own words. Kept in English in the outbox job's log (`ownWords`),
 * read in the host's language on the bookings and insights pages (`deliveryErrorIn`), a
 * server's or a calendar's words inside as `storedWordsIn` reads them.
 */
import { translator } from "../i18n.ts";
import type { Translator } from "../../shared/i18n.ts";
import { readerOf } from "../integrations/provider-details.ts";
import { storedWordsIn } from "../integrations/calendar-provider.ts";

const KEYS = [
  "outbox.waiting_earlier_mail",
  "outbox.waiting_video_link",
  "outbox.video_being_made",
  "outbox.booking_gone",
  "outbox.host_gone",
  "outbox.zoom",
  "outbox.zoom_not_connected",
  "outbox.zoom_record_changed",
  "outbox.room_no_calendar",
] as const;
export type DeliveryWords = (typeof KEYS)[number];

/** The words as the job's log keeps them (English). */
export function ownWords(
  key: DeliveryWords,
  values: { detail?: string; room?: "Google Meet" | "Microsoft Teams" } = {},
): string {
  return translator("en").t(key, values);
}

const read = readerOf(
  KEYS,
  (v, t) => v.detail === undefined ? v : { ...v, detail: deliveryErrorIn(v.detail, t) },
);

/** A job's logged error in `t`'s language; a server's own words as they came. */
export function deliveryErrorIn(text: string, t: Translator): string {
  return read(text, t) ?? storedWordsIn(text, t);
}
