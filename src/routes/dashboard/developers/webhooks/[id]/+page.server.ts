import { error, fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { readField } from "$lib/shared/field-bounds.ts";
import {
  deliveryLog,
  getSubscription,
  redeliver,
  viewSubscription,
} from "$lib/server/services/webhooks.ts";
import { hostClock } from "$lib/shared/format.ts";
import { attemptErrorIn } from "$lib/server/services/webhook-errors.ts";

export const load: PageServerLoad = async ({ locals, params }) => {
  const sub = await getSubscription(locals.app, locals.user!, params.id);
  if (!sub) error(404, locals.t.t("dev.no_such_hook"));
  // Invito's own words in the log (an unreachable server, where a redirect pointed) in the
  // host's language; `detail` is what the status alone does not say.
  const log = ((await deliveryLog(locals.app, locals.user!, sub.id, 100)) ?? []).map((a) => {
    const error = attemptErrorIn(a.error, locals.t);
    return { ...a, error, detail: error && error !== `HTTP ${a.status}` ? error : null };
  });
  return {
    subscription: viewSubscription(sub, locals.app.now()),
    log,
    timeZone: locals.user!.timeZone,
    clock: hostClock(locals.user!, locals.locale),
  };
};

export const actions: Actions = {
  redeliver: async ({ locals, params, request }) => {
    const messageId = readField(await request.formData(), "messageId", "id");
    const ok = await redeliver(locals.app, locals.user!, params.id, messageId);
    if (!ok) return fail(404, { error: locals.t.t("dev.message_gone") });
    return { redelivered: messageId };
  },
};
