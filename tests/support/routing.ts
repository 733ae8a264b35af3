/**
 * Routing forms for tests: a host's (or team's) form saved in one step, and a rendered input's
 * value read back from a page.
 */
import assert from "node:assert/strict";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import type { RoutingFormDefinition } from "../../src/lib/server/domain/routing.ts";
import type { App } from "../../src/lib/server/app.ts";

/** The value of the `<input name=…>` in a page as rendered ("" when it has none). */
export const inputValue = (html: string, name: string): string =>
  new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1] ??
    new RegExp(`<input[^>]*value="([^"]*)"[^>]*name="${name}"`).exec(html)?.[1] ?? "";

/** A published form of `ownerId` at `/forms/<owner>/<slug>` (title = slug unless given). */
export async function publishedForm(
  app: App,
  ownerId: string,
  slug: string,
  definition: RoutingFormDefinition,
  title = slug,
): Promise<string> {
  const made = await createForm(app, ownerId, { title, slug });
  assert.ok(made.ok, JSON.stringify(made));
  const saved = await saveForm(app, ownerId, made.form.id, {
    title,
    slug,
    description: "",
    active: true,
  }, definition);
  assert.ok(saved.ok, JSON.stringify(saved));
  return made.form.id;
}
