/**
 * The first-run setup of a new host: name, username, time zone, working hours and a first event
 * type in one go, or skipped. Each part is saved through the service that owns it (profile,
 * availability, event types), so the rules are the ones the full pages apply.
 */
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { updateUser, type UserPatch } from "../store/users.ts";
import { updateProfile } from "./profile.ts";
import { saveWeeklyAvailability } from "./availability.ts";
import { createEventType } from "./event-types.ts";
import type { WeeklyRules } from "../domain/availability.ts";
import { type WeekdayNumber } from "../../shared/forms/availability.ts";
import {
  NEW_EVENT_TYPE_VALUES,
  parseEventTypeValues,
} from "../../shared/forms/event-type-editor.ts";
import { slugify } from "../../shared/slug.ts";
import type { Translator } from "../../shared/i18n.ts";

export type SetupInput = {
  name: string;
  username: string;
  timeZone: string;
  days: WeekdayNumber[];
  start: string;
  end: string;
  /** Empty: no event type now. */
  eventTitle: string;
  durationMin: string;
  requiresConfirmation: boolean;
};

export type SetupResult =
  | { ok: true; user: UserRecord; eventTypeId: string | null }
  | { ok: false; errors: Record<string, string> };

export async function completeSetup(
  app: App,
  user: UserRecord,
  input: SetupInput,
  t: Translator,
): Promise<SetupResult> {
  const errors: Record<string, string> = {};
  // Check what can be checked before anything is written: the hours and the event type.
  const weekly = {} as WeeklyRules;
  for (const d of [1, 2, 3, 4, 5, 6, 7] as const) {
    weekly[d] = input.days.includes(d) ? [{ start: input.start, end: input.end }] : [];
  }
  if (!(input.start < input.end)) errors.end = t.t("setup.end_after_start");
  const title = input.eventTitle.trim();
  const et = title
    ? parseEventTypeValues({
      ...NEW_EVENT_TYPE_VALUES,
      title,
      slug: slugify(title) || "meeting",
      durationMin: input.durationMin,
      requiresConfirmation: input.requiresConfirmation,
    }, t)
    : null;
  if (et && !et.ok) {
    errors.eventTitle = et.errors.title ?? et.errors.slug ?? Object.values(et.errors)[0];
    if (et.errors.durationMin) errors.durationMin = et.errors.durationMin;
  }
  if (Object.keys(errors).length) return { ok: false, errors };

  const profile = await updateProfile(app, user, {
    name: input.name,
    username: input.username,
    timeZone: input.timeZone,
  }, t);
  if (!profile.ok) return { ok: false, errors: { [profile.field]: profile.message } };
  const hours = await saveWeeklyAvailability(app, profile.user, weekly, t);
  if (!hours.ok) {
    return { ok: false, errors: { end: Object.values(hours.errors).flat()[0] ?? "" } };
  }
  let eventTypeId: string | null = null;
  if (et?.ok) {
    const created = await createEventType(app, profile.user, et.input);
    // The slug may be taken by an event type made meanwhile: the setup does not fail for that.
    if (created.ok) eventTypeId = created.record.id;
  }
  // How guests book is also the host's default for the event types they make later.
  const done = await finishSetup(app, profile.user, {
    confirmByDefault: input.requiresConfirmation,
  });
  return { ok: true, user: done ?? profile.user, eventTypeId };
}

/**
 * The setup is over (finished or skipped): the dashboard no longer offers it. Its choices are
 * kept in the same write (the setup page also opens again once finished).
 */
export async function finishSetup(
  app: App,
  user: UserRecord,
  choices: Pick<UserPatch, "confirmByDefault"> = {},
): Promise<UserRecord | null> {
  const patch: UserPatch = {
    ...choices,
    ...(user.onboarding === "pending" ? { onboarding: undefined } : {}),
  };
  if (Object.keys(patch).length === 0) return user;
  const res = await updateUser(app.kv, user.id, patch);
  return res.ok ? res.user : null;
}
