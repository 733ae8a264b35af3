/**
 * A form post whose body cannot be read as form data is the client's mistake, answered 400: a
 * `text/plain` body (an HTML form with enctype="text/plain"; SvelteKit lets that content type
 * through to actions, and Deno's `request.formData()` cannot parse it) or a multipart body that
 * does not match its boundary, or has none. Without this, `await request.formData()` in an
 * action threw a TypeError and the visitor saw a 500 (found by
 * tests/reliability/fuzz-http.test.ts). Clones (the sign-in action reads one) behave the same.
 */
import { error, type Handle } from "@sveltejs/kit";

function unreadable(err: unknown): boolean {
  return err instanceof TypeError && /form ?data|boundary|multipart/i.test(err.message);
}

function guard(request: Request): Request {
  const read = request.formData.bind(request);
  const clone = request.clone.bind(request);
  Object.defineProperties(request, {
    formData: {
      configurable: true,
      value: async () => {
        try {
          return await read();
        } catch (err) {
          if (unreadable(err)) {
            error(400, "The form could not be read. Please send it again from the page.");
          }
          throw err;
        }
      },
    },
    clone: { configurable: true, value: () => guard(clone()) },
  });
  return request;
}

export const readableFormBodies: Handle = ({ event, resolve }) => {
  if (event.request.method !== "GET" && event.request.method !== "HEAD") guard(event.request);
  return resolve(event);
};
