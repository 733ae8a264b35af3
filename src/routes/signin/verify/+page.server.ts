import type { PageServerLoad } from "./$types";
import { safeRedirectPath } from "$lib/shared/redirect.ts";
import { pickedLang, withLang } from "../lang.ts";

/**
 * The magic link lands here. Nothing is consumed on GET: a mail scanner that fetches the link
 * sees this page, and only the person's button press (a same-origin POST) completes sign-in.
 * A GET of Auth.js's callback is sent here too, so a link planted by another site only shows
 * this page. Signed in as someone else, the page asks before switching accounts. The link's
 * language (the one picked on the sign-in page) goes on to the callback: a new account speaks it.
 */
export const load: PageServerLoad = ({ url, locals }) => {
  const token = url.searchParams.get("token") ?? "";
  const email = (url.searchParams.get("email") ?? "").trim();
  const valid = /^[A-Za-z0-9_-]{10,200}$/.test(token) && email.length <= 254 && email.includes("@");
  const next = safeRedirectPath(url.searchParams.get("next"), url.origin);
  const current = locals.user?.email ?? null;
  const lang = pickedLang(url, locals.locale);
  return {
    token: valid ? token : "",
    email: valid ? email : "",
    next,
    /** The address this browser is signed in with, when it is not the link's. */
    otherAccount: current && current.toLowerCase() !== email.toLowerCase() ? current : null,
    completeUrl: valid
      ? withLang(
        `/auth/callback/email?${new URLSearchParams({ token, email, callbackUrl: next })}`,
        lang,
      )
      : "",
    signinUrl: withLang("/signin", lang),
  };
};
