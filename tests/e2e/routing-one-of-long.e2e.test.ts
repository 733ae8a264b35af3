/**
 * A host types an "is one of" rule naming several long options of a choice question in the
 * editor, in Chromium: every option typed is kept and the rule routes visitors who pick any of
 * them (the rule's field stopped taking keys at 200 characters, mid-option).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createHost, seedStore } from "../support/memory-app.ts";
import { signInByLink } from "../support/auth.ts";
import { createClient } from "../support/http.ts";
import { inputValue, publishedForm } from "../support/routing.ts";
import { borrowBrowser, sessionCookies } from "../support/browser.ts";

const REGIONS = [
  "Germany, Austria and Switzerland (DACH), German-speaking",
  "France, Belgium and Luxembourg, French-speaking customers",
  "Spain, Portugal and Latin America, Spanish or Portuguese",
  "United Kingdom and Ireland, English-speaking customers",
  "Nordics: Denmark, Finland, Iceland, Norway and Sweden",
];

Deno.test({
  name:
    "e2e routing editor: an 'is one of' rule typed with five long options keeps all five and routes each of them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-one-of-");
    const host = await createHost(seed, { username: "pia" });
    const formId = await publishedForm(seed, host.id, "regions", {
      questions: [{
        key: "region",
        type: "select",
        label: "Region",
        required: true,
        options: [...REGIONS, "Elsewhere"],
      }],
      routes: [],
      fallback: { kind: "message", text: "Our global team will write to you." },
    });
    kv.close();

    await using app = await startApp({ dataDir });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await ctx.addCookies(sessionCookies(await signInByLink(app, "pia@example.test")));
      const page = await ctx.newPage();
      await page.goto(`${app.baseUrl}/dashboard/routing/${formId}`);
      const rule = page.locator('[data-route="new"]');
      await rule.locator('select[name="r0_c0_key"]').selectOption("region");
      await rule.locator('select[name="r0_c0_op"]').selectOption("one_of");
      const typed = REGIONS.join(", ");
      assert.ok(typed.length > 200);
      // Typed key by key, as a person does (a field's maxlength stops keys, not a fill).
      await rule.locator('input[name="r0_c0_value"]').pressSequentially(typed);
      await rule.locator('select[name="r0_dest"]').selectOption("message");
      await rule.locator('textarea[name="r0_message"]').fill("Our European team will call you.");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByText(/Changes saved|Not saved/).first().waitFor();
      const notice = await page.locator('div[aria-live="polite"]').first().innerText();
      assert.match(notice, /Changes saved/, notice);
      assert.equal(
        await page.locator('input[name="r0_c0_value"]').inputValue(),
        typed,
        "the rule names all five options",
      );

      for (const [region, want] of [[REGIONS[4], /European team/], ["Elsewhere", /global team/]]) {
        const visitor = createClient(app.baseUrl);
        const form = await visitor.get("/forms/pia/regions");
        const sent = await visitor.post("/forms/pia/regions", {
          ft: inputValue(form.body, "ft"),
          website: "",
          region: region as string,
        });
        assert.match(sent.body, want as RegExp, region as string);
      }
    } finally {
      await browser.close();
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
