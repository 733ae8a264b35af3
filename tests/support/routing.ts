/**
 * Routing forms for tests: a host's (or team's) form saved in one step, and a rendered input's
 * value read back from a page.
 */
import assert from "node:assert/strict";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import type { RoutingFormDefinition } from "../../src/lib/server/domain/routing.ts";
import type { App } from "../../src/lib/server/app.ts";
import type { WeeklyRules } from "../../src/lib/server/domain/availability.ts";

/** A host open 08:00–18:00 every day of the week: a routed visitor always finds times. */
export const EVERY_DAY_8_TO_18 = Object.fromEntries(
  [1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: "08:00", end: "18:00" }]]),
) as unknown as WeeklyRules;

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
