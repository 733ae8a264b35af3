/** Event type rules: limits and choices shared by the editor (hints, input attributes) and the
 * schemas (messages). */
import type { Location, LocationKind, Question, QuestionType, Reminder } from "../public-types.ts";
import { SEATS_MAX, SEATS_MIN } from "../seats.ts";
import { type MessageKey, type Translator } from "../i18n.ts";
import { formatMinutes } from "../format.ts";
import { isPhoneNumber } from "../location-text.ts";
import { isHttpsUrl, m } from "./common.ts";

export const BUFFER_MAX_MIN = 240;
export const NOTICE_MAX_MIN = 365 * 1440;
export const DURATION_MIN = 5;
export const DURATION_MAX = 720;
export const CAP_MAX = 1000;
export { SEATS_MAX, SEATS_MIN };
export const CUTOFF_MAX_HOURS = 720;
export const REMINDER_MIN_MIN = 5;
export const REMINDER_MAX_MIN = 20160;
export const MAX_QUESTIONS = 20;
export const MAX_OPTIONS = 20;
export const MAX_REMINDERS = 5;
export const LOCATION_MAX = 500;

/** Lengths offered as ticks in the editor (plus whatever the event type already offers). */
export const DURATION_CHOICES = [15, 30, 45, 60, 90, 120] as const;

export type NoticeUnit = "minutes" | "hours" | "days";
/** `label`s are message keys (the editor translates them). */
export const NOTICE_UNITS: { value: NoticeUnit; label: MessageKey; minutes: number }[] = [
  { value: "minutes", label: "et.unit_minutes", minutes: 1 },
  { value: "hours", label: "et.unit_hours", minutes: 60 },
  { value: "days", label: "et.unit_days", minutes: 1440 },
];

export type LocationKindValue = LocationKind;
export const LOCATION_KINDS: {
  value: LocationKindValue;
  label: MessageKey;
  field: MessageKey | null;
  hint: MessageKey | null;
}[] = [
  { value: "none", label: "et.location_none", field: null, hint: null },
  {
    value: "in_person",
    label: "et.location_in_person",
    field: "et.location_in_person_field",
    hint: "et.location_in_person_hint",
  },
  {
    value: "phone",
    label: "et.location_phone",
    field: "et.location_phone_field",
    hint: "et.location_phone_hint",
  },
  {
    value: "guest_phone",
    label: "et.location_guest_phone",
    field: null,
    hint: "et.location_guest_phone_hint",
  },
  {
    value: "jitsi",
    label: "et.location_jitsi",
    field: "et.location_jitsi_field",
    hint: "et.location_jitsi_hint",
  },
  {
    value: "google_meet",
    label: "et.location_google_meet",
    field: null,
    hint: "et.location_google_meet_hint",
  },
  {
    value: "teams",
    label: "et.location_teams",
    field: null,
    hint: "et.location_teams_hint",
  },
  {
    value: "zoom",
    label: "et.location_zoom",
    field: null,
    hint: "et.location_zoom_hint",
  },
  {
    value: "video",
    label: "et.location_video",
    field: "et.location_video_field",
    hint: "et.location_video_hint",
  },
  {
    value: "custom",
    label: "et.location_custom",
    field: "et.location_custom_field",
    hint: "et.location_custom_hint",
  },
];

export type QuestionTypeValue = QuestionType;
export const QUESTION_TYPES: { value: QuestionTypeValue; label: MessageKey }[] = [
  { value: "short", label: "et.qtype_short" },
  { value: "long", label: "et.qtype_long" },
  { value: "choice", label: "et.qtype_choice" },
  { value: "checkbox", label: "et.qtype_checkbox" },
  { value: "phone", label: "et.qtype_phone" },
];

/** Reminder lengths offered in the editor (labels: `describeReminder`). */
export const REMINDER_PRESETS: { minutes: number }[] = [
  { minutes: 10 },
  { minutes: 60 },
  { minutes: 1440 },
];

/** Stored shapes, defined once in ./public-types.ts. */
export type QuestionInput = Question;
export type ReminderInput = Reminder;
export type LocationInput = Location;

/** The editor's location rows: the first place, then up to two more the guest may pick instead. */
export const LOCATION_ROWS = [
  ["locationKind", "locationValue"],
  ["location2Kind", "location2Value"],
  ["location3Kind", "location3Value"],
] as const;

/** Rooms a provider makes per booking (Zoom, Google Meet, Teams): never shared by a seated time's guests. */
export const PROVIDER_ROOMS: readonly string[] = ["google_meet", "teams", "zoom"];

/** Kinds whose value the host does not type (the booking decides it). */
export const NO_VALUE_KINDS: readonly LocationKind[] = [
  "none",
  "guest_phone",
  "google_meet",
  "teams",
  "zoom",
];

/** What is wrong with an offered location's value for its kind, or null (a message reference). */
export function locationProblem(kind: LocationKind, value: string): string | null {
  switch (kind) {
    case "none":
    case "guest_phone":
    case "google_meet":
    case "teams":
    case "zoom":
      return null;
    case "jitsi":
      if (value !== "" && !isHttpsUrl(value)) return m("forms.location_jitsi");
      // Each booking's room name is added to the address: inside a query or fragment (Jitsi's
      // `#config.…`) it would name no room, and every guest would land on the start page.
      return /[?#]/.test(value) ? m("forms.location_jitsi_room") : null;
    default:
      if (value === "") return m("forms.location_missing", { kind });
      if (kind === "video" && !isHttpsUrl(value)) return m("forms.location_video");
      if (kind === "phone" && !isPhoneNumber(value)) return m("answers.phone");
      return null;
  }
}

/** Stored locations → the editor's rows. */
export function locationValuesOf(list: readonly Location[]) {
  const offered = list.filter((l) => l.kind !== "none");
  const row = (i: number) => ({ kind: offered[i]?.kind ?? "none", value: offered[i]?.value ?? "" });
  return {
    locationKind: row(0).kind,
    locationValue: row(0).value,
    location2Kind: row(1).kind,
    location2Value: row(1).value,
    location3Kind: row(2).kind,
    location3Value: row(2).value,
  };
}

/** Question ids name the guest's form fields (`q_{id}`): short, URL- and field-safe. */
export const QUESTION_ID_RE = /^[A-Za-z0-9_-]{1,32}$/;

/** A fresh question id: 8 random base-36 characters. */
export function newQuestionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => (b % 36).toString(36)).join("");
}

/** "1 hour before", "90 minutes before", "24 hours before" — in the reader's language. */
export function describeReminder(minutes: number, t: Pick<Translator, "t" | "locale">): string {
  // A day's reminder reads as "24 hours" (what people set), three days and more in days.
  return t.t("et.reminder_before", { span: formatMinutes(minutes, t.locale, "long", "hour") });
}
