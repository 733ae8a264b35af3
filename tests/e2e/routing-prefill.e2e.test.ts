/**
 * A routing form's prefill links (issue 30: "each question has a key, used for prefill"), over
 * HTTP against the built server: the dashboard's editor shows under each question the link
 * parameter that fills it in (`q_<key>`), and the public page (and its widget) opens with those
 * answers filled in — only values the question would accept; the rest is left out without a word.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createHost, seedStore } from "../support/memory-app.ts";
import { createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";

const unescape = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&amp;/g, "&");

/** The opening tag of the form control named `name` (input, select option list, textarea). */
function control(html: string, name: string): string {
  const m = new RegExp(`<(input|textarea|select)\\b[^>]*\\sname="${name}"[^>]*>`).exec(html);
  return m?.[0] ?? "";
}

function inputValue(html: string, name: string): string | null {
  const tag = control(html, name);
  if (!tag) return null;
  const v = /\svalue="([^"]*)"/.exec(tag);
  return v ? unescape(v[1]) : "";
}

/** The checked boxes of a multi select, by value. */
function checked(html: string, name: string): string[] {
  return [...html.matchAll(/<input\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => tag.includes(`name="${name}"`) && /\schecked\b/.test(tag))
    .map((tag) => unescape(/\svalue="([^"]*)"/.exec(tag)?.[1] ?? ""));
}

/** The selected option of a select. */
function selected(html: string, name: string): string | null {
  const m = new RegExp(`<select\\b[^>]*\\sname="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  const opt = /<option\b[^>]*\svalue="([^"]*)"[^>]*\sselected\b/.exec(m?.[1] ?? "") ??
    /<option\b[^>]*\sselected\b[^>]*\svalue="([^"]*)"/.exec(m?.[1] ?? "");
  return opt ? unescape(opt[1]) : null;
}

function textarea(html: string, name: string): string | null {
  const m = new RegExp(`<textarea\\b[^>]*\\sname="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(
    html,
  );
  return m ? unescape(m[1]) : null;
}

Deno.test({
  name:
    "e2e routing prefill: the editor shows each question's link parameter (q_<key>), and the form and its widget open with the linked answers filled in, unacceptable ones left out",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-prefill-");
    const host = await createHost(seed, { username: "pam" });
    const created = await createForm(seed, host.id, { title: "Ask", slug: "ask" });
    assert.ok(created.ok);
    const saved = await saveForm(seed, host.id, created.form.id, {
      title: "Ask",
      slug: "ask",
      description: "",
      active: true,
    }, {
      questions: [
        { key: "name", type: "short", label: "Name", required: true },
        { key: "email", type: "email", label: "Email", required: true },
        { key: "company_size", type: "number", label: "Company size", required: false },
        {
          key: "country",
          type: "select",
          label: "Country",
          required: false,
          options: ["DE", "FR"],
        },
        {
          key: "topics",
          type: "multi",
          label: "Topics",
          required: false,
          options: ["Pricing", "Security"],
        },
        { key: "about", type: "long", label: "About", required: false },
      ],
      routes: [],
      fallback: { kind: "message", text: "Thanks!" },
    });
    assert.ok(saved.ok, JSON.stringify(saved));
    const formId = created.form.id;
    kv.close();

    const app = await startApp({ dataDir });
    try {
      // The editor names each question's parameter, so a host can build a prefill link.
      const owner = await signInByLink(app, "pam@example.test");
      const editor = await owner.get(`/dashboard/routing/${formId}`);
      assert.equal(editor.status, 200);
      for (const key of ["name", "email", "company_size", "country", "topics", "about"]) {
        const block = new RegExp(`data-question="${key}"[\\s\\S]*?</fieldset>`).exec(editor.body)
          ?.[0] ?? "";
        assert.match(block, new RegExp(`data-prefill-key[^>]*>[^<]*<code[^>]*>q_${key}=`), key);
      }
      // The blank row for a new question has no key yet, so no parameter either.
      const blank = /data-question="new"[\s\S]*?<\/fieldset>/.exec(editor.body)?.[0] ?? "";
      assert.doesNotMatch(blank, /data-prefill-key/);

      // A visitor follows a prefill link.
      const q = new URLSearchParams([
        ["q_name", "Pia Example"],
        ["q_email", "pia@example.test"],
        ["q_company_size", "60"],
        ["q_country", "FR"],
        ["q_topics", "Security"],
        ["q_topics", "Not offered"],
        ["q_about", "Line one\nLine two"],
      ]);
      for (const path of ["/forms/pam/ask", "/widget/forms/pam/ask"]) {
        const page = await createClient(app.baseUrl).get(`${path}?${q}`);
        assert.equal(page.status, 200, path);
        assert.equal(inputValue(page.body, "name"), "Pia Example", path);
        assert.equal(inputValue(page.body, "email"), "pia@example.test", path);
        assert.equal(inputValue(page.body, "company_size"), "60", path);
        assert.equal(selected(page.body, "country"), "FR", path);
        assert.deepEqual(checked(page.body, "topics"), ["Security"], path);
        assert.equal(textarea(page.body, "about")?.trim(), "Line one\nLine two", path);
      }
      // What a question would refuse is left out, without a word: a number that is none, an
      // option not offered, two lines in a one-line answer, an address that is none.
      const bad = new URLSearchParams([
        ["q_name", "Two\nLines"],
        ["q_email", "not-an-address"],
        ["q_company_size", "sixty"],
        ["q_country", "XX"],
      ]);
      const plain = await createClient(app.baseUrl).get(`/forms/pam/ask?${bad}`);
      assert.equal(plain.status, 200);
      assert.equal(inputValue(plain.body, "name"), "");
      assert.equal(inputValue(plain.body, "email"), "");
      assert.equal(inputValue(plain.body, "company_size"), "");
      assert.equal(selected(plain.body, "country"), null, "no option chosen");
      assert.doesNotMatch(plain.body, /role="alert"/);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
