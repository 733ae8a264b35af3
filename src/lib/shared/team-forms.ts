/**
 * Form shapes of the team pages (browser-safe): the team's own fields, and the fields a team's
 * event type has on top of a host's (who takes part, and how).
 */
import type { MessageKey } from "./i18n.ts";
import { readField, readFields } from "./field-bounds.ts";

export type TeamMode = "round_robin" | "collective";

export const TEAM_MODES: { value: TeamMode; label: MessageKey; hint: MessageKey }[] = [
  { value: "round_robin", label: "team.mode_round_robin", hint: "team.mode_round_robin_hint" },
  { value: "collective", label: "team.mode_collective", hint: "team.mode_collective_hint" },
];

/** Form fields: `teamMode`, `host` (repeated, one per ticked member id), `organiserId`. */
export type TeamFieldValues = { teamMode: string; hostIds: string[]; organiserId: string };

export const NEW_TEAM_FIELDS: TeamFieldValues = {
  teamMode: "round_robin",
  hostIds: [],
  organiserId: "",
};

export function readTeamFields(form: FormData): TeamFieldValues {
  return {
    teamMode: readField(form, "teamMode", "choice"),
    hostIds: form.getAll("host").filter((v): v is string => typeof v === "string").slice(0, 200),
    organiserId: readField(form, "organiserId", "id"),
  };
}

export type TeamValues = { name: string; slug: string; timeZone: string };

export function readTeamForm(form: FormData): TeamValues {
  return readFields(form, { name: "line", slug: "line", timeZone: "timeZone" });
}

/** The rotation's priorities 0–4, lowest first. */
export const PRIORITY_LABELS: readonly MessageKey[] = [
  "team.priority_0",
  "team.priority_1",
  "team.priority_2",
  "team.priority_3",
  "team.priority_4",
];
