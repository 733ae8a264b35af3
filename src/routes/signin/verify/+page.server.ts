import type { PageServerLoad } from "./$types";
import { safeRedirectPath } from "$lib/shared/redirect.ts";

/**
 * The magic link lands here. Nothing is consumed on GET: a mail scanner that fetches the link
 * sees this page, and only the person's button press completes sign-in.
 */
export const load: PageServerLoad = ({ url }) => {
  const token = url.searchParams.get("token") ?? "";
  const email = url.searchParams.get("email") ?? "";
  return {
    token: /^[A-Za-z0-9_-]{10,200}$/.test(token) ? token : "",
    email: email.length <= 254 ? email : "",
    next: safeRedirectPath(url.searchParams.get("next"), url.origin),
  };
};
