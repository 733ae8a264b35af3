import { fail, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { listTimeZones } from "$lib/server/domain/time-zone.ts";
import { resolveTypedZone } from "$lib/server/http/zone-input.ts";
import { requestBytes } from "$lib/server/http/body-limit.ts";
import { adoptBrowserTimeZone, updateProfile } from "$lib/server/services/profile.ts";
import { withFreshUser } from "$lib/server/http/fresh-user.ts";
import { fieldErrors, formValues } from "$lib/shared/forms/common.ts";
import { ProfileForm } from "$lib/shared/forms/profile.ts";
import { readFields } from "$lib/shared/field-bounds.ts";
import { safeRedirectPath } from "$lib/shared/redirect.ts";
import { currentFeedUrls, feedUrls, regenerateFeed } from "$lib/server/services/ics-feed.ts";
import { clockChoice, formatDate, hostClock, hostWeekStart } from "$lib/shared/format.ts";
import { USERNAME_HOLD_DAYS } from "$lib/server/domain/username.ts";
import { eraseGuest } from "$lib/server/services/host-data.ts";
import { deleteAccount, lastOwnerMessage } from "$lib/server/services/account-closing.ts";
import { importHostData } from "$lib/server/services/host-import.ts";
import { languageOf, negotiateLocale } from "$lib/shared/i18n.ts";
import { translator } from "$lib/server/i18n.ts";
import { photoPath, removeHostPhoto, setHostPhoto } from "$lib/server/services/photo.ts";
import { PHOTO_MAX_BYTES } from "$lib/server/domain/photo.ts";
import {
  disconnectIdentity,
  type IdentityNotice,
  isIdentityNotice,
  listIdentities,
} from "$lib/server/services/identity-link.ts";
import type { MessageKey } from "$lib/shared/i18n.ts";

/** What a trip to the identity provider came to, in words (ADR 007). */
const IDENTITY_NOTICES: Record<IdentityNotice, { key: MessageKey; ok: boolean }> = {
  connected: { key: "profile.identity_notice_connected", ok: true },
  signed_in: { key: "profile.identity_notice_signed_in", ok: false },
  unavailable: { key: "profile.identity_notice_unavailable", ok: false },
  other_address: { key: "profile.identity_notice_other_address", ok: false },
  unverified: { key: "profile.identity_notice_unverified", ok: false },
  linked_elsewhere: { key: "profile.identity_notice_linked_elsewhere", ok: false },
  has_identity: { key: "profile.identity_notice_has_identity", ok: false },
};

export const load: PageServerLoad = async ({ locals, url }) => {
  const u = locals.user!;
  const nowMs = locals.app.now();
  const oidc = locals.app.config.oidc;
  const notice = url.searchParams.get("identity");
  return {
    /** Signing in with the configured identity provider: the identities linked, and what a trip there came to. */
    identity: oidc
      ? {
        name: oidc.name,
        linked: await listIdentities(locals.app, u.id),
        notice: isIdentityNotice(notice)
          ? {
            text: locals.t.t(IDENTITY_NOTICES[notice].key, { name: oidc.name, email: u.email }),
            ok: IDENTITY_NOTICES[notice].ok,
          }
          : null,
      }
      : null,
    feed: await currentFeedUrls(locals.app, u),
    /** Names given up that still forward here, and until when (nobody else can take them). */
    heldUsernames: (u.previousUsernames ?? []).filter((h) => h.untilMs > nowMs).map((h) => ({
      username: h.username,
      until: formatDate(h.untilMs, u.timeZone, locals.locale),
    })),
    holdDays: USERNAME_HOLD_DAYS,
    profile: {
      name: u.name,
      username: u.username,
      timeZone: u.timeZone,
      // Their choice, else their language's habit: what the whole dashboard uses.
      clock: clockChoice(u),
      /** The clock the dashboard writes now ("auto" resolved). */
      clockNow: hostClock(u, locals.locale),
      weekStart: hostWeekStart(u, locals.locale),
      // The new event type form's preset (the setup's answer until changed here).
      confirmByDefault: u.confirmByDefault === true,
      // The language the dashboard speaks now (the profile's, else the browser's).
      language: languageOf(u.locale ?? locals.locale) ?? "en",
      email: u.email,
      photoUrl: photoPath(u),
    },
    photoMaxKb: PHOTO_MAX_BYTES / 1024,
    zones: listTimeZones(),
  };
};

// Loads that run after an action in the same request (a form sent without scripts) see the
// saved profile, photo and imported settings.
export const actions = withFreshUser(
  {
    /** The secret calendar feed: made on request; "regenerate" retires the old URL at once. */
    feed: async ({ locals }) => {
      await feedUrls(locals.app, locals.user!);
      return { feedMade: true };
    },
    regenerateFeed: async ({ locals }) => {
      await regenerateFeed(locals.app, locals.user!);
      return { feedRegenerated: true };
    },

    save: async ({ request, locals }) => {
      const user = locals.user!;
      const values = readFields(await request.formData(), {
        name: "line",
        username: "line",
        timeZone: "line",
        clock: "choice",
        weekStart: "choice",
        requiresConfirmation: "choice",
        locale: "choice",
      });
      // "Tokyo", "PST", "UTC+2": a zone typed by name is looked up; several or none are said.
      const zone = resolveTypedZone(values.timeZone, locals.app.now(), locals.t);
      if (zone.ok) values.timeZone = zone.zone;
      const parsed = v.safeParse(ProfileForm, values);
      if (!parsed.success) {
        const errors = fieldErrors(parsed.issues, locals.t);
        // Report an unknown zone together with the other problems, not one round trip later.
        if (!errors.timeZone && !zone.ok) errors.timeZone = zone.message;
        return fail(400, { values, errors });
      }
      if (!zone.ok) return fail(400, { values, errors: { timeZone: zone.message } });
      // A language picked keeps the host's region when they have one for it ("de" → "de-AT").
      const locale = parsed.output.locale
        ? negotiateLocale({
          chosen: [parsed.output.locale],
          acceptLanguage: [user.locale, request.headers.get("accept-language")].filter(Boolean)
            .join(","),
        })
        : undefined;
      const { requiresConfirmation, ...fields } = parsed.output;
      const res = await updateProfile(
        locals.app,
        user,
        { ...fields, locale, confirmByDefault: requiresConfirmation },
        locals.t,
      );
      if (!res.ok) return fail(400, { values, errors: { [res.field]: res.message } });
      // Loads that run after this action in the same request speak the saved language.
      if (res.user.locale && res.user.locale !== locals.locale) {
        locals.locale = res.user.locale;
        locals.t = translator(res.user.locale);
      }
      const held = res.user.previousUsernames?.find((h) => h.username === user.username);
      return {
        saved: true,
        usernameChanged: res.user.username === user.username ? null : {
          from: user.username,
          to: res.user.username,
          until: held ? formatDate(held.untilMs, res.user.timeZone, locals.locale) : null,
        },
      };
    },

    /** A guest asked the host to delete their data: it goes from all of this host's bookings. */
    eraseGuest: async ({ request, locals }) => {
      const { email, confirm } = readFields(await request.formData(), {
        email: "email",
        confirm: "line",
      });
      if (confirm !== "yes") {
        return fail(400, {
          erase: { email, error: locals.t.t("data.erase_tick") },
        });
      }
      const res = await eraseGuest(locals.app, locals.user!, email);
      if (!res.ok) {
        return fail(400, { erase: { email, error: locals.t.t("data.erase_enter_email") } });
      }
      return { erased: { bookings: res.bookings } };
    },

    /** A host moving servers: their export from another Invito, applied where it does not clash. */
    importData: async ({ request, locals }) => {
      const refused = (error: string) =>
        fail(400, { imported: { error, applied: [], skipped: [] } });
      // The whole form goes to the import, which takes its file apart off this thread (64 MB), as
      // the one buffer server.ts read it into: no copy of it is made here.
      const res = await importHostData(locals.app, locals.user!, {
        bytes: await requestBytes(request),
        contentType: request.headers.get("content-type") ?? "",
      }, locals.t);
      if (!res.ok) return refused(res.error);
      return { imported: { error: null, applied: res.applied, skipped: res.skipped } };
    },

    /** The photo guests see: PNG, JPEG or WebP, small; anything else is refused with a reason. */
    photo: async ({ request, locals }) => {
      const file = (await request.formData()).get("photo");
      if (!(file instanceof File) || file.size === 0) {
        return fail(400, { photo: { error: locals.t.t("photo.choose"), removed: false } });
      }
      if (file.size > PHOTO_MAX_BYTES) {
        return fail(413, {
          photo: {
            error: locals.t.t("photo.too_big", { kb: PHOTO_MAX_BYTES / 1024 }),
            removed: false,
          },
        });
      }
      const res = await setHostPhoto(
        locals.app,
        locals.user!,
        new Uint8Array(await file.arrayBuffer()),
        locals.t,
      );
      if (!res.ok) return fail(400, { photo: { error: res.message, removed: false } });
      return { photo: { error: null, removed: false } };
    },
    removePhoto: async ({ locals }) => {
      await removeHostPhoto(locals.app, locals.user!);
      return { photo: { error: null, removed: true } };
    },

    /** Closing the account: confirmed by typing the username; guests of meetings ahead are told. */
    deleteAccount: async ({ request, locals }) => {
      const { username } = formValues(await request.formData(), ["username"], "line");
      const res = await deleteAccount(locals.app, locals.user!, username);
      if (!res.ok && res.reason === "last_owner") {
        return fail(409, { remove: { error: lastOwnerMessage(res.teams, locals.t) } });
      }
      if (!res.ok) {
        return fail(400, {
          remove: {
            error: locals.t.t("data.delete_mismatch", { username: locals.user!.username }),
          },
        });
      }
      // Signed out now: the address carries the language the host was reading.
      redirect(303, `/?account=closed&lang=${encodeURIComponent(locals.locale)}`);
    },

    /** Unlinks the identity provider's identity; the account keeps signing in by email link. */
    disconnectIdentity: async ({ locals }) => {
      await disconnectIdentity(locals.app, locals.user!.id);
      return { identityDisconnected: true };
    },

    /** The "use my time zone" banner: only changes a zone that is still the fresh-account UTC. */
    adoptTimeZone: async ({ request, locals, url }) => {
      const { timeZone, next } = readFields(await request.formData(), {
        timeZone: "line",
        next: "url",
      });
      await adoptBrowserTimeZone(locals.app, locals.user!, timeZone.trim());
      redirect(303, safeRedirectPath(next, url.origin, "/dashboard/profile"));
    },
  } satisfies Actions,
);
