/** The guest's booking form and the guest fields a host enters for a guest. */
import * as v from "valibot";
import { emailField, m, multiLine, oneLine } from "./common.ts";

/** The longest name a booking takes (a routing form that leads to one takes no longer). */
export const GUEST_NAME_MAX = 100;

/** A guest's own fields, as a host enters them for a guest (Book for a guest). */
export const GuestFields = v.object({
  name: oneLine(1, GUEST_NAME_MAX),
  email: emailField,
  note: multiLine(0, 2000),
});

export const BookingForm = v.object({
  name: oneLine(1, GUEST_NAME_MAX),
  email: emailField,
  note: multiLine(0, 2000),
  start: v.pipe(
    v.optional(v.string(), ""),
    v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/, m("forms.choose_time")),
  ),
  tz: v.optional(v.string(), "UTC"),
});
