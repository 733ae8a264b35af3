import type { PageServerLoad } from "./$types";
import { safeRedirectPath } from "$lib/shared/redirect.ts";

/**
 * The magic link lands here. Nothing is consumed on GET: a mail scanner that fetches the link
 * sees this page, and only the person's button press (a same-origin POST) completes sign-in.
 * A GET of Auth.js's callback is sent here too, so a link planted by another site only shows
 * this page. Signed in as someone else, the page asks before switching accounts.
 */
export const load: PageServerLoad = ({ url, locals }) => {
  const token = url.searchParams.get("token") ?? "";
  const email = (url.searchParams.get("email") ?? "").trim();
  const valid = /^[A-Za-z0-9_-]{10,200}$/.test(token) && email.length <= 254 && email.includes("@");
  const next = safeRedirectPath(url.searchParams.get("next"), url.origin);
  const current = locals.user?.email ?? null;
  return {
    token: valid ? token : "",
    email: valid ? email : "",
    next,
    /** The address this browser is signed in with, when it is not the link's. */
    otherAccount: current && current.toLowerCase() !== email.toLowerCase() ? current : null,
    completeUrl: valid
      ? `/auth/callback/email?${new URLSearchParams({ token, email, callbackUrl: next })}`
      : "",
  };
};
