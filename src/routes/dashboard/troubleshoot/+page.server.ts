import type { PageServerLoad } from "./$types";
import { listOwnEventTypes } from "$lib/server/services/event-types.ts";
import { troubleshootDay, troubleshootOpeningDate } from "$lib/server/services/troubleshoot.ts";
import { isoDateIn } from "$lib/shared/format.ts";
import { hostClock } from "$lib/shared/format.ts";

export const load: PageServerLoad = async ({ locals, url, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  const user = locals.user!;
  const q = url.searchParams;
  const types = await listOwnEventTypes(locals.app, user);
  const today = isoDateIn(locals.app.now(), user.timeZone);
  const chosen = types.find((t) => t.id === q.get("et")) ?? types.find((t) => t.active) ??
    types[0];
  // Opened without a date: the first day with hours (today when it has some left).
  const date = (q.get("date") ?? "").slice(0, 10) ||
    await troubleshootOpeningDate(locals.app, user);
  const at = (q.get("at") ?? "").slice(0, 5) || null;
  const titles = q.get("titles") === "1";
  const result = chosen
    ? await troubleshootDay(locals.app, user, {
      eventTypeId: chosen.id,
      date,
      at,
      titles,
      t: locals.t,
    })
    : null;
  return {
    eventTypes: types.map((t) => ({ id: t.id, title: t.title, active: t.active })),
    chosenId: chosen?.id ?? null,
    date,
    at,
    atValid: at === null || /^([01]\d|2[0-3]):[0-5]\d$/.test(at),
    titles,
    today,
    timeZone: user.timeZone,
    clock: hostClock(user, locals.locale),
    result,
  };
};
