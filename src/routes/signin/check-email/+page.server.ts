import type { PageServerLoad } from "./$types";
import { pickedLang, withLang } from "../lang.ts";

export const load: PageServerLoad = ({ locals, url }) => ({
  signupOpen: locals.app.config.signup.open,
  /** Back to the form, in the language picked there. */
  signinUrl: withLang("/signin", pickedLang(url, locals.locale)),
});
