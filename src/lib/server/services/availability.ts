import type { App } from "../app.ts";
import type { UserRecord } from "../store/records.ts";
import { getAvailability, putAvailability } from "../store/availability.ts";
import { validateWeeklyRules, type WeeklyRules } from "../domain/availability.ts";

export async function saveWeeklyAvailability(app: App, user: UserRecord, weekly: WeeklyRules) {
  const checked = validateWeeklyRules(weekly);
  if (!checked.ok) return checked;
  const cur = await getAvailability(app.kv, user.id, app.now());
  await putAvailability(app.kv, { ...cur, weekly: checked.rules, updatedAtMs: app.now() });
  return { ok: true as const };
}

/** The host's weekly hours as saved (Mon–Fri 09:00–17:00 until they save their own). */
export async function getWeeklyAvailability(
  app: App,
  user: UserRecord,
): Promise<{ weekly: WeeklyRules; updatedAtMs: number }> {
  const cur = await getAvailability(app.kv, user.id, app.now());
  return { weekly: cur.weekly, updatedAtMs: cur.updatedAtMs };
}
