/** What guest pages receive about a host and an event type: safe for the browser, no ids. */
export type PublicQuestion = {
  id: string;
  label: string;
  type: "short" | "long" | "choice" | "checkbox" | "phone";
  required: boolean;
  options?: string[];
};

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
