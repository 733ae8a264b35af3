/**
 * A page's form actions, each followed by a fresh read of the signed-in user.
 *
 * Hooks read `locals.user` once, before the action runs. A form posted as a plain form (no
 * `use:enhance`, or no scripts) is answered with the page rendered in that same request, by
 * loads that read `locals.user` — the dashboard layout's name and clock, the page's own
 * settings — so what the action had just saved was not on it: the Embed page said "Saved."
 * beside its boxes as they were before, and a host who ticked one again and saved turned the
 * setting back. A page whose actions change the user record wraps them here once, rather than
 * each action remembering to hand its result over. An enhanced post (`x-sveltekit-action`) is
 * answered with the action's data alone; its loads run in a request of their own, which reads
 * the user afresh anyway, so it costs no read.
 */
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { reloadUser } from "../services/profile.ts";

type ActionEvent = { locals: { app: App; user: UserRecord | null }; request: Request };

/** `actions`, each reading the signed-in user again once it has returned (a `fail` too). */
export function withFreshUser<A extends Record<string, (event: never) => unknown>>(actions: A): A {
  const wrapped: Record<string, (event: ActionEvent) => Promise<unknown>> = {};
  for (const [name, action] of Object.entries(actions)) {
    wrapped[name] = async (event) => {
      const result = await (action as (event: ActionEvent) => unknown)(event);
      const { locals, request } = event;
      if (locals.user && request.headers.get("x-sveltekit-action") !== "true") {
        locals.user = await reloadUser(locals.app, locals.user);
      }
      return result;
    };
  }
  return wrapped as unknown as A;
}
