import type { PageServerLoad } from "./$types";
import { pickedLang, withLang } from "../lang.ts";

export const load: PageServerLoad = ({ locals, url }) => ({
  signupOpen: locals.app.config.signup.open,
  /** No mail server: the link is in the server log, not the inbox the heading sends one to. */
  mailLogged: locals.app.mailer.mode === "log",
  /** Back to the form, in the language picked there. */
  signinUrl: withLang("/signin", pickedLang(url, locals.locale)),
});
