import { fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { listOwnEventTypes } from "$lib/server/services/event-types.ts";
import { saveEmbedEventSettings, saveEmbedOrigins } from "$lib/server/services/embed.ts";
import { translateRef } from "$lib/shared/i18n.ts";
import { withFreshUser } from "$lib/server/http/fresh-user.ts";

export const load: PageServerLoad = async ({ locals }) => {
  const types = await listOwnEventTypes(locals.app, locals.user!);
  return {
    eventTypes: types.filter((t) => t.active).map((t) => ({ slug: t.slug, title: t.title })),
    /** None made yet (a host who skipped setup): the widget has nothing to offer. */
    noEventTypes: types.length === 0,
    origins: (locals.user!.embedOrigins ?? ["*"]).join("\n"),
    shareGuestData: locals.user!.embedShareGuestData === true,
    navigateParent: locals.user!.embedNavigateParent === true,
  };
};

// The page after Save shows what was saved, also when rendered by the same request.
export const actions = withFreshUser(
  {
    origins: async ({ request, locals }) => {
      const text = String((await request.formData()).get("origins") ?? "").slice(0, 5_000);
      const res = await saveEmbedOrigins(locals.app, locals.user!, text);
      if (!res.ok) {
        return fail(400, {
          origins: text,
          errors: res.errors.map((e) => translateRef(locals.t, e)),
        });
      }
      return { saved: true, origins: res.origins.join("\n") };
    },
    // Two checkboxes: anything but "on" is off (ADR 046).
    events: async ({ request, locals }) => {
      const form = await request.formData();
      const res = await saveEmbedEventSettings(locals.app, locals.user!, {
        shareGuestData: form.get("shareGuestData") === "on",
        navigateParent: form.get("navigateParent") === "on",
      });
      if (!res.ok) return fail(400, { eventsError: locals.t.t("profile.account_missing") });
      return { eventsSaved: true };
    },
  } satisfies Actions,
);
