import { error } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { listOwnEventTypes, setEventTypeActive } from "$lib/server/services/event-types.ts";
import { readFields } from "$lib/shared/field-bounds.ts";

export const load: PageServerLoad = async ({ locals, url }) => {
  const types = await listOwnEventTypes(locals.app, locals.user!);
  return {
    eventTypes: types.map((t) => ({
      id: t.id,
      title: t.title,
      slug: t.slug,
      description: t.description,
      durationMin: t.durationMin,
      active: t.active,
      requiresConfirmation: t.requiresConfirmation,
      bookingWindowDays: t.bookingWindowDays,
      color: t.color,
      secret: t.secret === true,
    })),
    deleted: url.searchParams.get("deleted") === "1",
  };
};

export const actions: Actions = {
  /** Turns an event type on or off; `active` is the wanted state ("true" / "false"). */
  toggle: async ({ request, locals }) => {
    const { id, active } = readFields(await request.formData(), { id: "id", active: "choice" });
    const res = await setEventTypeActive(locals.app, locals.user!, id, active === "true");
    if (!res.ok && res.reason === "not_found") error(404, locals.t.t("errors.not_found_heading"));
    if (!res.ok) error(409, locals.t.t("common.try_again"));
    return { toggled: { id: res.record.id, title: res.record.title, active: res.record.active } };
  },
};
