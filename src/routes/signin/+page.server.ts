import { fail, isRedirect, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { auth } from "$lib/server/auth-instance.ts";
import { EmailForm, fieldErrors } from "$lib/shared/forms.ts";
import { safeRedirectPath } from "$lib/shared/redirect.ts";
import { checkRateLimit } from "$lib/server/services/rate-limit.ts";
import { maySignIn } from "$lib/server/services/signup.ts";
import type { MessageKey } from "$lib/shared/i18n.ts";

/** Auth.js's error codes, in words. */
const ERRORS: Record<string, MessageKey> = {
  Verification: "signin.error_verification",
  OAuthAccountNotLinked: "signin.error_not_linked",
  AccessDenied: "signin.closed",
  Configuration: "signin.error_configuration",
  OAuthCallbackError: "signin.error_callback",
};

export const load: PageServerLoad = ({ locals, url }) => {
  const next = safeRedirectPath(
    url.searchParams.get("next") ?? url.searchParams.get("callbackUrl"),
    url.origin,
  );
  if (locals.user) redirect(303, next);
  const code = url.searchParams.get("error");
  return {
    next,
    oidcName: locals.app.config.oidc?.name ?? null,
    error: code ? locals.t.t(ERRORS[code] ?? ERRORS.Configuration) : null,
    mailLogged: locals.app.mailer.mode === "log",
    signupOpen: locals.app.config.signup.open,
  };
};

async function start(event: Parameters<Actions[string]>[0], provider: "email" | "oidc") {
  const { t } = event.locals;
  const form = await event.request.clone().formData();
  const next = safeRedirectPath(form.get("next") ?? form.get("redirectTo"), event.url.origin);
  event.locals.signinNext = next;
  if (provider === "email") {
    // Auth.js mails the last "email" value; the checks below read the first. A post carrying two
    // would be checked (and rate-limited) for one address and mailed to another: refuse it.
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
    // Per target address too: nobody can use us to flood one inbox from many IPs.
    const limited = await checkRateLimit(event.locals.app, "signin_email", parsed.output.email);
    if (!limited.ok) {
      event.setHeaders({ "retry-after": String(limited.retryAfterS) });
      return fail(429, {
        email: parsed.output.email,
        errors: { form: t.t("signin.too_many_links") },
      });
    }
    // Refused before any mail goes out, with a reason a person can act on.
    if (!(await maySignIn(event.locals.app, { email: parsed.output.email }))) {
      return fail(403, {
        email: parsed.output.email,
        errors: { form: t.t("signin.closed") },
      });
    }
  } else if (!event.locals.app.config.oidc) {
    return fail(400, {
      email: "",
      errors: { form: t.t("signin.no_oidc") },
    });
  }
  try {
    await auth.signIn(event);
  } catch (err) {
    if (isRedirect(err)) {
      // Auth.js sends email sign-ins to its own verify-request page; ours says the same, better.
      if (provider === "email") redirect(303, "/signin/check-email");
      throw err;
    }
    if (event.locals.mailFailure) {
      console.error("[signin] magic link not sent:", event.locals.mailFailure.detail);
      return fail(503, {
        email: String(form.get("email") ?? ""),
        errors: { form: t.t("signin.mail_failed") },
      });
    }
    console.error("[signin]", err);
    return fail(503, {
      email: String(form.get("email") ?? ""),
      errors: { form: t.t("signin.unavailable") },
    });
  }
  redirect(303, next);
}

export const actions: Actions = {
  email: (event) => start(event, "email"),
  oidc: (event) => start(event, "oidc"),
};
