/**
 * Shapes shared by the store, the dashboard forms and the guest pages: one definition, so a new
 * question type or location kind cannot be added in one place and forgotten in another.
 */
export type QuestionType = "short" | "long" | "choice" | "checkbox" | "phone";
export type Question = {
  id: string;
  label: string;
  type: QuestionType;
  required: boolean;
  /** For "choice": the options a guest picks from. */
  options?: string[];
};
export type Reminder = { minutesBefore: number; toHost: boolean };
/** A mail to the guest this long after a confirmed meeting ends, in the host's words. */
export type FollowUp = { minutesAfter: number; message: string; bookAgain: boolean };
/**
 * "phone": the guest calls the host's number; "guest_phone": the host calls the guest (the booking
 * holds the guest's number); "video": one link the host pasted; "jitsi": a Jitsi Meet room made
 * per booking (the event type's value is the server, "" for the public one; the booking's the room).
 */
export type LocationKind =
  | "none"
  | "in_person"
  | "phone"
  | "guest_phone"
  | "video"
  | "jitsi"
  /** Made with the host's Google Calendar event (the link is read back from it). */
  | "google_meet"
  /** Made with the host's Microsoft 365 calendar event (`onlineMeeting.joinUrl`). */
  | "teams"
  /** A Zoom meeting made per booking through the host's connected Zoom account. */
  | "zoom"
  | "custom";
/**
 * `value`: the host's text, or on a booking its resolved place ("" while a provider's link is
 * on its way). `pending` is never stored: shownLocation() marks a request's hidden room with it.
 */
export type Location = { kind: LocationKind; value: string; pending?: boolean };

/** An offered location as guest pages show it (no meeting link: that is made per booking). */
export type PublicLocation = { kind: LocationKind; label: string };

/** What guest pages receive about a host and an event type: safe for the browser, no ids. */
export type PublicQuestion = Question;

export type PublicHost = {
  name: string;
  username: string;
  timeZone: string;
  /** the host's photo (their own path, versioned), or null */
  photoUrl?: string | null;
};

export type PublicEventType = {
  slug: string;
  title: string;
  description: string;
  durationMin: number;
  durations: number[];
  color: string;
  requiresConfirmation: boolean;
  /** The first offered location in the reader's words ("" when none). */
  location: string;
  /** Every offered location; with more than one the guest picks one (form field `location`: the index). */
  locations: PublicLocation[];
  questions: PublicQuestion[];
  /** Name and email filled in from the link cannot be changed on the page (issue 29). */
  lockPrefill?: boolean;
  /** The thank-you page's origin: the booking page's form may be answered with a redirect there. */
  thankYouOrigin?: string;
  /** How many extra attendees a guest may add (0: the field is not offered). */
  maxGuests: number;
};

/** A team's booking page: its name and the members who take part (names and initials only). */
export type PublicTeam = {
  slug: string;
  name: string;
  mode: "round_robin" | "collective";
  members: { name: string; initials: string }[];
};
