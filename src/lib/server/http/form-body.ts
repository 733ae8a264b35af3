/**
 * A form post whose body cannot be read as form data is the client's mistake, answered 400: a
 * `text/plain` body (an HTML form with enctype="text/plain"; SvelteKit lets that content type
 * through to actions, and Deno's `request.formData()` cannot parse it) or a multipart body that
 * does not match its boundary, or has none. Without this, `await request.formData()` in an
 * action threw a TypeError and the visitor saw a 500 (found by
 * tests/reliability/fuzz-http.test.ts). Clones (the sign-in action reads one) behave the same.
 */
import { error, type Handle } from "@sveltejs/kit";
import type { Translator } from "../../shared/i18n.ts";
import { earlyTranslator } from "../i18n.ts";

function unreadable(err: unknown): boolean {
  return err instanceof TypeError && /form ?data|boundary|multipart/i.test(err.message);
}

function guard(request: Request, locals: { t?: Translator }): Request {
  const read = request.formData.bind(request);
  const clone = request.clone.bind(request);
  // The refusal, once made: a hook that read the body first (the page cache decides booking
  // posts) hands the request on to the action, which reads it again and must meet the same 400
  // (not "body already used"), thrown where SvelteKit shows it on the app's own error page.
  let refusal: unknown = null;
  Object.defineProperties(request, {
    formData: {
      configurable: true,
      value: async () => {
        if (refusal) throw refusal;
        try {
          return await read();
        } catch (err) {
          if (unreadable(err)) {
            // Read after the `locale` hook has chosen the language.
            try {
              error(400, earlyTranslator(request, locals).t("http.form_unreadable"));
            } catch (made) {
              refusal = made;
            }
            throw refusal;
          }
          throw err;
        }
      },
    },
    clone: { configurable: true, value: () => guard(clone(), locals) },
  });
  return request;
}

export const readableFormBodies: Handle = ({ event, resolve }) => {
  if (event.request.method !== "GET" && event.request.method !== "HEAD") {
    guard(event.request, event.locals);
  }
  return resolve(event);
};
