import { fail } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { createApiKey, listKeys, revokeApiKey } from "$lib/server/services/api-keys.ts";
import {
  createSubscription,
  deleteSubscription,
  DISABLED_BY_HOST,
  DISABLED_FAILING,
  listHostSubscriptions,
  MAX_SUBSCRIPTIONS,
  rotateSecret,
  sendTestEvent,
  updateSubscription,
  viewSubscription,
  WEBHOOK_EVENTS,
} from "$lib/server/services/webhooks.ts";
import type { WebhookEvent } from "$lib/server/domain/model/records.ts";
import { type MessageKey, messageRef, translateRef } from "$lib/shared/i18n.ts";
import { MAX_API_KEYS } from "$lib/server/services/api-keys.ts";
import { hostClock } from "$lib/shared/format.ts";
import { readField } from "$lib/shared/field-bounds.ts";
import { SECRET_UNREADABLE } from "$lib/server/services/webhook-errors.ts";

/** Why a subscription is off, as stored (the API reports it as is), in the host's words here. */
const DISABLED_REASONS: Record<string, MessageKey> = {
  [DISABLED_BY_HOST]: "dev.off_by_you",
  [DISABLED_FAILING]: "dev.off_failing",
};
/** Why its deliveries fail when it is not the receiver (the API's `failingReason`). */
const FAILING_REASONS: Record<string, MessageKey> = { [SECRET_UNREADABLE]: "dev.cannot_sign" };

export const load: PageServerLoad = async ({ locals }) => {
  const app = locals.app;
  const user = locals.user!;
  const nowMs = app.now();
  const keys = await listKeys(app, user);
  const subs = await listHostSubscriptions(app, user);
  return {
    keys: keys.map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      scopes: k.scopes,
      createdAtMs: k.createdAtMs,
      lastUsedAtMs: k.lastUsedAtMs,
      expiresAtMs: k.expiresAtMs,
      expired: k.expiresAtMs !== null && k.expiresAtMs <= nowMs,
    })),
    subscriptions: subs.map((s) => {
      const view = viewSubscription(s, nowMs);
      return {
        ...view,
        disabledReasonKey: DISABLED_REASONS[view.disabledReason ?? ""] ?? null,
        failingReasonKey: FAILING_REASONS[view.failingReason ?? ""] ?? null,
      };
    }),
    events: WEBHOOK_EVENTS,
    timeZone: user.timeZone,
    clock: hostClock(user, locals.locale),
  };
};

const NewKey = v.object({
  name: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(1, messageRef("dev.key_name_required")),
    v.maxLength(100, messageRef("forms.max_chars", { max: 100 })),
  ),
  write: v.optional(v.string()),
  expires: v.picklist(["never", "30", "90", "365"], messageRef("dev.key_expiry")),
});

const Id = v.object({ id: v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/)) });

function eventsFrom(form: FormData): WebhookEvent[] {
  return form.getAll("events").filter((e): e is WebhookEvent =>
    typeof e === "string" && (WEBHOOK_EVENTS as readonly string[]).includes(e)
  );
}

const str = (form: FormData, name: string, max = 2000) => {
  const value = form.get(name);
  return typeof value === "string" ? value.slice(0, max) : "";
};

export const actions: Actions = {
  createKey: async ({ request, locals }) => {
    const form = await request.formData();
    const parsed = v.safeParse(NewKey, {
      name: str(form, "name", 200),
      write: str(form, "write") || undefined,
      expires: str(form, "expires") || "never",
    });
    if (!parsed.success) {
      return fail(400, {
        keyError: translateRef(locals.t, parsed.issues[0].message),
        keyName: str(form, "name", 200),
      });
    }
    const { name, write, expires } = parsed.output;
    const app = locals.app;
    const res = await createApiKey(app, locals.user!, {
      name,
      scopes: write ? ["read", "write"] : ["read"],
      expiresAtMs: expires === "never" ? null : app.now() + Number(expires) * 86_400_000,
    });
    if (!res.ok) {
      return fail(409, {
        keyError: locals.t.t("dev.too_many_keys", { max: MAX_API_KEYS }),
        keyName: name,
      });
    }
    return { newKey: { name, secret: res.secret } };
  },

  revokeKey: async ({ request, locals }) => {
    const parsed = v.safeParse(Id, Object.fromEntries(await request.formData()));
    if (!parsed.success || !(await revokeApiKey(locals.app, locals.user!, parsed.output.id))) {
      return fail(404, { keyError: locals.t.t("dev.key_gone") });
    }
    return { revoked: true };
  },

  createWebhook: async ({ request, locals }) => {
    const form = await request.formData();
    // One past the bound, so a URL too long is refused as such, never cut and saved.
    const url = readField(form, "url", "url").trim();
    const events = eventsFrom(form);
    const description = str(form, "description", 200).trim();
    const res = await createSubscription(
      locals.app,
      locals.user!,
      { url, events, description },
      locals.t,
    );
    if (!res.ok) {
      const message = res.reason === "invalid"
        ? translateRef(locals.t, res.message)
        : locals.t.t("dev.too_many_hooks", { max: MAX_SUBSCRIPTIONS });
      return fail(400, {
        hookError: message,
        hookField: res.reason === "invalid" ? res.field : null,
        hookValues: { url, events, description },
      });
    }
    return { newSecret: { url: res.subscription.url, secret: res.secret, rotated: false } };
  },

  toggleWebhook: async ({ request, locals }) => {
    const form = await request.formData();
    const parsed = v.safeParse(Id, { id: str(form, "id") });
    if (!parsed.success) return fail(404, { hookError: locals.t.t("dev.hook_gone") });
    const res = await updateSubscription(locals.app, locals.user!, parsed.output.id, {
      enabled: str(form, "enabled") === "true",
    });
    return res.ok ? { toggled: true } : fail(404, { hookError: locals.t.t("dev.hook_gone") });
  },

  eventsWebhook: async ({ request, locals }) => {
    const form = await request.formData();
    const parsed = v.safeParse(Id, { id: str(form, "id") });
    if (!parsed.success) return fail(404, { hookError: locals.t.t("dev.hook_gone") });
    const res = await updateSubscription(locals.app, locals.user!, parsed.output.id, {
      events: eventsFrom(form),
    });
    if (!res.ok) {
      return fail(400, {
        hookError: res.reason === "invalid"
          ? translateRef(locals.t, res.message)
          : locals.t.t("dev.hook_gone"),
      });
    }
    return { saved: true };
  },

  rotateWebhook: async ({ request, locals }) => {
    const parsed = v.safeParse(Id, Object.fromEntries(await request.formData()));
    if (!parsed.success) return fail(404, { hookError: locals.t.t("dev.hook_gone") });
    const res = await rotateSecret(locals.app, locals.user!, parsed.output.id);
    if (!res.ok) return fail(404, { hookError: locals.t.t("dev.hook_gone") });
    return { newSecret: { url: res.subscription.url, secret: res.secret, rotated: true } };
  },

  testWebhook: async ({ request, locals }) => {
    const parsed = v.safeParse(Id, Object.fromEntries(await request.formData()));
    if (!parsed.success) return fail(404, { hookError: locals.t.t("dev.hook_gone") });
    const res = await sendTestEvent(locals.app, locals.user!, parsed.output.id);
    return res.ok
      ? { tested: parsed.output.id }
      : fail(404, { hookError: locals.t.t("dev.hook_gone") });
  },

  deleteWebhook: async ({ request, locals }) => {
    const parsed = v.safeParse(Id, Object.fromEntries(await request.formData()));
    if (
      !parsed.success || !(await deleteSubscription(locals.app, locals.user!, parsed.output.id))
    ) {
      return fail(404, { hookError: locals.t.t("dev.hook_gone") });
    }
    return { deleted: true };
  },
};
