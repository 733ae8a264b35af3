import { fail, isRedirect, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { auth } from "$lib/server/auth-instance.ts";
import { EmailForm, fieldErrors } from "$lib/shared/forms/common.ts";
import { safeRedirectPath } from "$lib/shared/redirect.ts";
import { allowMail, requestSignInLink } from "$lib/server/services/sign-in-link.ts";
import {
  identityNoticePath,
  LINK_INTENT_COOKIE,
  LINK_INTENT_MAX_AGE_S,
  LINK_INTENT_PATH,
  linkIntentFor,
  listIdentities,
} from "$lib/server/services/identity-link.ts";
import type { MessageKey } from "$lib/shared/i18n.ts";
import { pickedLang, withLang } from "./lang.ts";
import { tooManyWords } from "$lib/server/http/too-many.ts";

/** Auth.js's error codes, in words. */
const ERRORS: Record<string, MessageKey> = {
  Verification: "signin.error_verification",
  OAuthAccountNotLinked: "signin.error_not_linked",
  AccessDenied: "signin.closed",
  Configuration: "signin.error_configuration",
  EmailUnverified: "signin.error_unverified",
  OAuthCallbackError: "signin.error_callback",
  Suspended: "signin.error_suspended",
};

export const load: PageServerLoad = ({ locals, url }) => {
  const next = safeRedirectPath(
    url.searchParams.get("next") ?? url.searchParams.get("callbackUrl"),
    url.origin,
  );
  if (locals.user) redirect(303, next);
  const code = url.searchParams.get("error");
  const oidcName = locals.app.config.oidc?.name ?? null;
  return {
    next,
    oidcName,
    /** The language picked on this page, for the forms' posts (and the pages after them). */
    lang: pickedLang(url, locals.locale),
    // Own keys only: "?error=toString" named Object.prototype's function, which no page can
    // carry (a 500).
    error: code
      ? locals.t.t(Object.hasOwn(ERRORS, code) ? ERRORS[code] : ERRORS.Configuration, {
        name: oidcName ?? "",
      })
      : null,
    mailLogged: locals.app.mailer.mode === "log",
    signupOpen: locals.app.config.signup.open,
    /** The server's own address (INVITO_BASE_URL): forms posted from any other are refused. */
    baseUrl: locals.app.config.baseUrl.href.replace(/\/$/, ""),
  };
};

/**
 * Auth.js reads the provider and every other option from the posted form; it gets only the
 * values we checked (a post to ?/oidc naming the email provider used to mail a link unchecked).
 */
function authEvent(
  event: Parameters<Actions[string]>[0],
  fields: Record<string, string>,
): Parameters<Actions[string]>[0] {
  const headers = new Headers(event.request.headers);
  headers.set("content-type", "application/x-www-form-urlencoded");
  headers.delete("content-length");
  const request = new Request(event.request.url, {
    method: "POST",
    headers,
    body: new URLSearchParams(fields),
  });
  const extra: PropertyDescriptorMap = { request: { value: request } };
  if (fields.providerId === "email") {
    // An email link needs no cookie (where it leads travels in the link), and a cookie Auth.js
    // sets only when it mails — for an address with an account — would tell a closed sign-up's
    // known and unknown addresses apart (issue 22): the two answers stay byte-identical.
    extra.cookies = { value: Object.create(event.cookies, { set: { value: () => {} } }) };
  }
  return Object.create(event, extra);
}

async function start(event: Parameters<Actions[string]>[0], provider: "email" | "oidc") {
  const { t } = event.locals;
  const form = await event.request.formData();
  const limitedS = event.locals.signinRetryAfterS;
  if (limitedS !== undefined) {
    // Over the per-client limit (hooks): nothing is checked or sent, the page says how long.
    event.setHeaders({ "retry-after": String(limitedS) });
    return fail(429, {
      email: String(form.get("email") ?? ""),
      errors: { form: tooManyWords(t, limitedS) } as Record<string, string>,
    });
  }
  const next = safeRedirectPath(form.get("next") ?? form.get("redirectTo"), event.url.origin);
  event.locals.signinNext = next;
  const checkEmail = withLang("/signin/check-email", pickedLang(event.url, event.locals.locale));
  let email = "";
  if (provider === "email") {
    // Auth.js would mail the last "email" value; the checks below read the first. A post carrying
    // two would be checked (and rate-limited) for one address and mailed to another: refuse it.
    if (form.getAll("email").length > 1) {
      return fail(400, {
        email: "",
        errors: { email: t.t("signin.one_address") } as Record<string, string>,
      });
    }
    const parsed = v.safeParse(EmailForm, { email: form.get("email") ?? "" });
    if (!parsed.success) {
      return fail(400, {
        email: String(form.get("email") ?? ""),
        errors: fieldErrors(parsed.issues, t),
      });
    }
    email = parsed.output.email.toLowerCase();
    // One gate for every sign-in mail: the per-address limit, then the sign-up policy. Known and
    // unknown addresses get the same answers; only one allowed in gets a mail.
    const gate = await requestSignInLink(event.locals.app, email);
    if (!gate.ok) {
      event.setHeaders({ "retry-after": String(gate.retryAfterS) });
      return fail(429, { email, errors: { form: t.t("signin.too_many_links") } });
    }
    if (!gate.send) redirect(303, checkEmail);
    allowMail(event.locals, email);
  } else if (!event.locals.app.config.oidc) {
    return fail(400, {
      email: "",
      errors: { form: t.t("signin.no_oidc") },
    });
  } else if (event.locals.user) {
    // The issuer's callback would link whatever identity comes back to this account (ADR 007):
    // only the profile's Connect does that, on purpose. Nothing changes here.
    redirect(303, identityNoticePath("signed_in"));
  }
  const fields: Record<string, string> = provider === "email"
    ? { providerId: "email", email, redirectTo: next }
    : { providerId: "oidc", redirectTo: next };
  try {
    await auth.signIn(authEvent(event, fields));
  } catch (err) {
    if (isRedirect(err)) {
      // Auth.js sends email sign-ins to its own verify-request page; ours says the same, better.
      if (provider === "email") redirect(303, checkEmail);
      throw err;
    }
    if (event.locals.mailFailure) {
      console.error("[signin] magic link not sent:", event.locals.mailFailure.detail);
      return fail(503, {
        email,
        errors: { form: t.t("signin.mail_failed") },
      });
    }
    console.error("[signin]", err);
    return fail(503, {
      email,
      errors: { form: t.t("signin.unavailable") },
    });
  }
  redirect(303, next);
}

/**
 * The profile's "Connect" (ADR 007): the signed-in account asks, on purpose, to link its identity
 * at the issuer. A link intent for this session and account goes with the trip (the callback
 * honours nothing else over a session); the identity joins only if the issuer vouches for the
 * account's own address.
 */
async function connect(event: Parameters<Actions[string]>[0]) {
  const { locals, cookies } = event;
  const { app } = locals;
  const intent = locals.user && await linkIntentFor(app, cookies, locals.user.id, app.now());
  if (!locals.user || !intent) redirect(303, "/signin?next=%2Fdashboard%2Fprofile");
  if (!app.config.oidc || (await listIdentities(app, locals.user.id)).length > 0) {
    redirect(303, "/dashboard/profile");
  }
  const secure = app.config.baseUrl.protocol === "https:";
  cookies.set(LINK_INTENT_COOKIE, intent, {
    path: LINK_INTENT_PATH,
    maxAge: LINK_INTENT_MAX_AGE_S,
    httpOnly: true,
    sameSite: "lax",
    secure,
  });
  try {
    await auth.signIn(authEvent(event, {
      providerId: "oidc",
      redirectTo: identityNoticePath("connected"),
    }));
  } catch (err) {
    if (isRedirect(err)) throw err;
    console.error("[signin] connect:", err);
  }
  cookies.delete(LINK_INTENT_COOKIE, { path: LINK_INTENT_PATH, secure });
  redirect(303, identityNoticePath("unavailable"));
}

export const actions: Actions = {
  email: (event) => start(event, "email"),
  oidc: (event) => start(event, "oidc"),
  connect,
};
