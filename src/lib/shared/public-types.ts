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
export type LocationKind = "none" | "in_person" | "phone" | "video" | "custom";
export type Location = { kind: LocationKind; value: string };

/** What guest pages receive about a host and an event type: safe for the browser, no ids. */
export type PublicQuestion = Question;

export type PublicHost = { name: string; username: string; timeZone: string };

export type PublicEventType = {
  slug: string;
  title: string;
  description: string;
  durationMin: number;
  durations: number[];
  color: string;
  requiresConfirmation: boolean;
  location: string;
  questions: PublicQuestion[];
};

/** A team's booking page: its name and the members who take part (names and initials only). */
export type PublicTeam = {
  slug: string;
  name: string;
  mode: "round_robin" | "collective";
  members: { name: string; initials: string }[];
};
