import { error, fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { findEventType } from "$lib/server/services/event-types.ts";
import {
  listLinks,
  mintSingleUseLink,
  removeLink,
  revokeLink,
} from "$lib/server/services/single-use-links.ts";
import { formValues } from "$lib/shared/forms.ts";
import { isoDateIn } from "$lib/shared/format.ts";

export const load: PageServerLoad = async ({ locals, params }) => {
  const user = locals.user!;
  const et = await findEventType(locals.app, user, params.id);
  if (!et) error(404, "Not found");
  return {
    eventType: {
      id: et.id,
      title: et.title,
      slug: et.slug,
      secret: et.secret === true,
      active: et.active,
    },
    links: await listLinks(locals.app, user, et.id),
    today: isoDateIn(locals.app.now(), user.timeZone),
    timeZone: user.timeZone,
    clock: user.clock ?? "24h",
  };
};

export const actions: Actions = {
  mint: async ({ request, locals, params }) => {
    const values = formValues(await request.formData(), ["expiresOn", "guestEmail", "label"], 300);
    const res = await mintSingleUseLink(locals.app, locals.user!, params.id, values);
    if (!res.ok && res.reason === "not_found") error(404, "Not found");
    if (!res.ok && res.reason === "invalid") return fail(400, { values, errors: res.errors });
    if (!res.ok) {
      return fail(400, {
        values,
        errors: { form: "You have 500 links; remove used or expired ones first." } as Record<
          string,
          string
        >,
      });
    }
    return { minted: res.url, mintedId: res.link.id };
  },
  revoke: async ({ request, locals }) => {
    const id = String((await request.formData()).get("id") ?? "").slice(0, 64);
    const res = await revokeLink(locals.app, locals.user!, id);
    if (!res.ok && res.reason === "not_found") error(404, "Not found");
    if (!res.ok) return fail(409, { notice: "That link was used meanwhile; its booking stays." });
    return { notice: "Link revoked: it no longer books anything." };
  },
  remove: async ({ request, locals }) => {
    const id = String((await request.formData()).get("id") ?? "").slice(0, 64);
    if (!(await removeLink(locals.app, locals.user!, id))) error(404, "Not found");
    return { notice: "Link removed from the list." };
  },
};
