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
