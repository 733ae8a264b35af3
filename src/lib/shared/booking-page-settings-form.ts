/**
 * The form of an event type's "Booking page and after booking" page (issue 29): how free times
 * are laid out, whether prefilled name/email are locked, and the thank-you page. The address is
 * checked here for shape only; whether plain http is allowed depends on the host's own sites,
 * which the service checks (domain/embed.ts `parseThankYouUrl`).
 */
import * as v from "valibot";
import { messageRef } from "./i18n.ts";

const checkbox = v.pipe(
  v.optional(v.string(), ""),
  v.transform((s) => s === "on"),
);

export const BookingPageSettingsForm = v.object({
  layout: v.optional(
    v.picklist(["month", "week", "column"], messageRef("forms.layout")),
    "month",
  ),
  lockPrefill: checkbox,
  thankYouUrl: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.maxLength(1000, messageRef("embed.redirect_long")),
  ),
  thankYouParams: checkbox,
});

export type BookingPageSettings = v.InferOutput<typeof BookingPageSettingsForm>;

/** The form's fields as strings, for reading a post and showing it again. */
export function readBookingPageSettings(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["layout", "lockPrefill", "thankYouUrl", "thankYouParams"]) {
    const val = form.get(k);
    if (typeof val === "string") out[k] = val.slice(0, 1100);
  }
  return out;
}
