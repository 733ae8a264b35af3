import { fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { listEventTypes } from "$lib/server/store/event-types.ts";
import { saveEmbedOrigins } from "$lib/server/services/embed.ts";
import { translateRef } from "$lib/shared/i18n.ts";

export const load: PageServerLoad = async ({ locals }) => {
  const types = await listEventTypes(locals.app.kv, locals.user!.id);
  return {
    eventTypes: types.filter((t) => t.active).map((t) => ({ slug: t.slug, title: t.title })),
    origins: (locals.user!.embedOrigins ?? ["*"]).join("\n"),
  };
};

export const actions: Actions = {
  origins: async ({ request, locals }) => {
    const text = String((await request.formData()).get("origins") ?? "").slice(0, 5_000);
    const res = await saveEmbedOrigins(locals.app, locals.user!, text);
    if (!res.ok) {
      return fail(400, { origins: text, errors: res.errors.map((e) => translateRef(locals.t, e)) });
    }
    return { saved: true, origins: res.origins.join("\n") };
  },
};
