import { error, fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { findEventType } from "$lib/server/services/event-types.ts";
import {
  listLinks,
  mintSingleUseLink,
  removeLink,
  revokeLink,
} from "$lib/server/services/single-use-links.ts";
import { readField, readFields } from "$lib/shared/field-bounds.ts";
import { isoDateIn } from "$lib/shared/format.ts";
import { MAX_LINKS_PER_HOST } from "$lib/server/services/single-use-links.ts";
import { hostClock } from "$lib/shared/format.ts";

export const load: PageServerLoad = async ({ locals, params }) => {
  const user = locals.user!;
  const et = await findEventType(locals.app, user, params.id);
  if (!et) error(404, locals.t.t("errors.not_found_heading"));
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
    clock: hostClock(user, locals.locale),
  };
};

export const actions: Actions = {
  mint: async ({ request, locals, params }) => {
    const values = readFields(await request.formData(), {
      expiresOn: "date",
      guestEmail: "email",
      label: "line",
    });
    const res = await mintSingleUseLink(
      locals.app,
      locals.user!,
      params.id,
      values,
      locals.t,
    );
    if (!res.ok && res.reason === "not_found") error(404, locals.t.t("errors.not_found_heading"));
    if (!res.ok && res.reason === "invalid") return fail(400, { values, errors: res.errors });
    if (!res.ok) {
      return fail(400, {
        values,
        errors: { form: locals.t.t("links.too_many", { max: MAX_LINKS_PER_HOST }) } as Record<
          string,
          string
        >,
      });
    }
    return { minted: res.url, mintedId: res.link.id };
  },
  revoke: async ({ request, locals }) => {
    const id = readField(await request.formData(), "id", "id");
    const res = await revokeLink(locals.app, locals.user!, id);
    if (!res.ok && res.reason === "not_found") error(404, locals.t.t("errors.not_found_heading"));
    if (!res.ok) return fail(409, { notice: locals.t.t("links.used_meanwhile") });
    return { notice: locals.t.t("links.revoked") };
  },
  remove: async ({ request, locals }) => {
    const id = readField(await request.formData(), "id", "id");
    if (!(await removeLink(locals.app, locals.user!, id))) {
      error(404, locals.t.t("errors.not_found_heading"));
    }
    return { notice: locals.t.t("links.removed") };
  },
};
