/**
 * Refusals SvelteKit makes itself (a form action posted with a JSON body, a post to a page
 * without form actions) say what is wrong in the page's language, not in SvelteKit's English.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";

const ENGLISH = /Form actions expect|POST method not allowed|No form actions/;

/** The error page's heading and the message under it, as text. */
function said(html: string): { heading: string; message: string } {
  const card = /<h1[^>]*>([^<]*)<\/h1>\s*(?:<!--[^>]*-->)?\s*(?:<p[^>]*>([^<]*)<\/p>)?/.exec(html);
  return { heading: card?.[1] ?? "", message: card?.[2] ?? "" };
}

const WANT = {
  de: {
    heading: "Etwas ist schiefgelaufen",
    badRequest: "Diese Anfrage konnten wir nicht verstehen",
    415:
      "Das Formular wurde nicht als Formulardaten gesendet und konnte daher nicht gelesen werden. Bitte senden Sie es erneut von der Seite aus.",
    405: "Diese Formularaktion gibt es nicht.",
    400: "Das Formular konnte nicht gelesen werden. Bitte senden Sie es erneut von der Seite aus.",
  },
  fr: {
    heading: "Une erreur est survenue",
    badRequest: "Nous n’avons pas compris cette demande",
    415:
      "Le formulaire n’a pas été envoyé comme données de formulaire et n’a donc pas pu être lu. Renvoyez-le depuis la page.",
    405: "Cette action de formulaire n’existe pas.",
    400: "Le formulaire n’a pas pu être lu. Renvoyez-le depuis la page.",
  },
} as const;

Deno.test({
  name:
    "error pages: a form action posted as JSON is refused (415) in the page's language, as a page and as an enhanced form's answer, also a booking post without the page's script; so is a post to a page without form actions (405), and an unreadable booking form (400)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_DISABLE_CRON: "true" } });
    const post = (path: string, lang: string, headers: Record<string, string> = {}) =>
      fetch(app.baseUrl + path, {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "accept-language": lang,
          "content-type": "application/json",
          ...headers,
        },
        body: JSON.stringify({ name: "Guest" }),
        redirect: "manual",
      });
    // An unknown link's page reads the browser's language (its action is refused before it runs).
    const cancel = `/booking/${"x".repeat(43)}/cancel`;
    const book = "/calendar/demo/intro-call?/book";
    const script = { "x-sveltekit-action": "true" };
    for (const lang of ["de", "fr"] as const) {
      for (const [path, headers] of [[cancel, {}], [book, script]] as const) {
        const res = await post(path, lang, headers);
        const html = await res.text();
        assert.equal(res.status, 415, `${lang} ${path}`);
        assert.match(html, new RegExp(`<html lang="${lang}"`), `${lang} ${path}`);
        assert.doesNotMatch(html, ENGLISH, `${lang} ${path}: SvelteKit's English line`);
        assert.deepEqual(said(html), { heading: WANT[lang].heading, message: WANT[lang][415] });
      }

      // The booking page's own enhanced form asks for JSON back: the same words.
      const enhanced = await post(book, lang, { ...script, accept: "application/json" });
      assert.equal(enhanced.status, 415, lang);
      assert.deepEqual(await enhanced.json(), {
        type: "error",
        error: { message: WANT[lang][415] },
      });

      // Without the page's script (another site's form, a script posting by hand), to the
      // booking page: the app's error page in the page's language, not SvelteKit's bare
      // fallback in English (the booking post is read before SvelteKit's action runs).
      for (
        const [type, body, status] of [
          ["application/json", JSON.stringify({ name: "Guest" }), 415],
          ["text/plain", "name=Guest", 400],
          ["multipart/form-data", "name=Guest", 400],
        ] as const
      ) {
        const res = await fetch(app.baseUrl + book, {
          method: "POST",
          headers: {
            origin: app.baseUrl,
            accept: "text/html",
            "accept-language": lang,
            "content-type": type,
          },
          body,
          redirect: "manual",
        });
        const html = await res.text();
        assert.equal(res.status, status, `${lang} ${type}`);
        assert.match(html, new RegExp(`<html lang="${lang}"`), `${lang} ${type}`);
        assert.deepEqual(said(html), {
          heading: status === 400 ? WANT[lang].badRequest : WANT[lang].heading,
          message: WANT[lang][status],
        });
      }

      // A post to a page without form actions: 405, in the page's language too.
      const none = await post("/", lang);
      const noneHtml = await none.text();
      assert.equal(none.status, 405, lang);
      assert.doesNotMatch(noneHtml, ENGLISH, `${lang} /: SvelteKit's English line`);
      assert.deepEqual(said(noneHtml), { heading: WANT[lang].heading, message: WANT[lang][405] });
    }
  },
});
