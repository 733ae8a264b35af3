/**
 * The fields an export file's records are made of, as the import reads them (services/
 * import-file.ts): bounded text, addresses and instants, zones, invitees by address.
 */
import * as v from "valibot";
import { canonicalLocale, messageRef } from "../../shared/i18n.ts";
import { STORED_GUESTS_MAX } from "../../shared/booking-extras.ts";
import { canonicalTimeZone, isValidTimeZone } from "../domain/time-zone.ts";
import { NOT_MULTI_LINE, oneLineText } from "../../shared/text.ts";
import { MAIL_ADDRESS } from "../../shared/forms/common.ts";

export const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

/** Text stored before today's rules may hold characters forms now refuse: they become spaces. */
export const oneLine = (max: number) => v.pipe(text(max), v.transform(oneLineText));
export const multiLine = (max: number) =>
  v.pipe(text(max), v.transform((s) => s.replace(new RegExp(NOT_MULTI_LINE.source, "g"), " ")));
/**
 * An address as the forms take it (each was typed into one), refused in their words. Every
 * address stored before this rule passed valibot's `email()`, which takes a subset of it.
 */
export const address = v.pipe(text(254), v.regex(MAIL_ADDRESS, messageRef("forms.email_invalid")));
/** Instants from 1970 to 2200: anything else is not a booking's. */
export const instant = v.pipe(
  v.number(),
  v.safeInteger(),
  v.minValue(0),
  v.maxValue(7_258_118_400_000),
);
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const ulid = v.pipe(v.string(), v.regex(ULID, messageRef("import.problem_booking_id")));
export const zone = v.pipe(
  text(100),
  v.check(isValidTimeZone, messageRef("import.problem_zone")),
  v.transform((z) => canonicalTimeZone(z)!),
);
export const STATUSES = ["PENDING", "CONFIRMED", "REJECTED", "CANCELLED"] as const;
/** Something kept per invitee of a booking, by address (at most as many as it may invite). */
export const byGuest = <T>(value: v.GenericSchema<unknown, T>) =>
  v.pipe(v.record(address, value), v.maxEntries(STORED_GUESTS_MAX));
/** How an invitee reads their mails (a `GuestReader`); a tag that is no language: null. */
export const reader = v.pipe(
  v.object({ locale: text(35), timeZone: zone, clock: v.picklist(["12h", "24h"]) }),
  v.transform((r) => {
    const locale = canonicalLocale(r.locale);
    return locale ? { ...r, locale } : null;
  }),
);
export const MIN = 60_000;
