/**
 * Form schemas shared by server actions and (for hints) the browser. Every message is written
 * for the person filling in the form and shown next to the field.
 */
import * as v from "valibot";

export type FieldErrors = Record<string, string>;

/** First message per field, keyed by the field name. */
export function fieldErrors(issues: v.BaseIssue<unknown>[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path?.map((p) => String(p.key)).join(".") ?? "form";
    out[key] ??= issue.message;
  }
  return out;
}

const checkbox = v.pipe(
  v.optional(v.string(), ""),
  v.transform((s) => s === "on" || s === "true" || s === "1"),
);

const trimmed = (min: number, max: number, what: string) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(min, min === 1 ? `${what} is required` : `${what} needs at least ${min} characters`),
    v.maxLength(max, `${what} can be at most ${max} characters`),
  );

const intIn = (min: number, max: number, what: string) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.regex(/^\d{1,6}$/, `${what} must be a whole number`),
    v.transform(Number),
    v.minValue(min, `${what} must be at least ${min}`),
    v.maxValue(max, `${what} can be at most ${max}`),
  );

export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/;

export const EventTypeForm = v.object({
  title: trimmed(1, 100, "Title"),
  slug: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim().toLowerCase()),
    v.minLength(1, "URL slug is required"),
    v.maxLength(60, "URL slug can be at most 60 characters"),
    v.regex(SLUG_RE, "Use lowercase letters, digits and dashes (not at the start or end)"),
  ),
  description: trimmed(0, 2000, "Description"),
  durationMin: intIn(5, 720, "Duration"),
  requiresConfirmation: checkbox,
  bookingWindowDays: intIn(1, 365, "Booking window"),
  color: v.pipe(
    v.optional(v.string(), "#2549ea"),
    v.transform((s) => s.trim().toLowerCase()),
    v.regex(/^#[0-9a-f]{6}$/, "Pick a colour like #2549ea"),
  ),
  active: checkbox,
  confirmedMessage: trimmed(0, 1000, "Message after confirmation"),
  rejectedMessage: trimmed(0, 1000, "Message after rejection"),
});
export type EventTypeInput = v.InferOutput<typeof EventTypeForm>;

export const USERNAME_HINT = "2–40 lowercase letters, digits or dashes";

export const ProfileForm = v.object({
  name: trimmed(1, 100, "Display name"),
  username: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim().toLowerCase()),
    v.regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/, `Username: ${USERNAME_HINT}, not starting or ending with a dash`),
  ),
  timeZone: v.pipe(v.optional(v.string(), ""), v.transform((s) => s.trim()), v.minLength(1, "Choose a time zone")),
});

export const EmailForm = v.object({
  email: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(1, "Enter your email address"),
    v.maxLength(254, "That email address is too long"),
    v.email("Enter a valid email address, like name@example.com"),
  ),
});

export const BookingForm = v.object({
  name: trimmed(1, 100, "Name"),
  email: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(1, "Email is required"),
    v.maxLength(254, "That email address is too long"),
    v.email("Enter a valid email address, like name@example.com"),
  ),
  note: trimmed(0, 2000, "Note"),
  start: v.pipe(
    v.optional(v.string(), ""),
    v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/, "Choose a time"),
  ),
  tz: v.optional(v.string(), "UTC"),
});
