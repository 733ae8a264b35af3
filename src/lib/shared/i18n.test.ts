import assert from "node:assert/strict";
import {
  acceptedLocales,
  createTranslator,
  messageRef,
  negotiateLocale,
  PSEUDO_LOCALE,
  pseudoText,
  translateRef,
} from "./i18n.ts";
import { translator } from "../server/i18n.ts";
import { fieldErrors } from "./forms/common.ts";
import { ProfileForm } from "./forms/profile.ts";
import * as v from "valibot";

Deno.test("negotiateLocale: the browser's first language we speak, with its region; English otherwise", () => {
  assert.equal(negotiateLocale({ acceptLanguage: "de-DE,de;q=0.9,en;q=0.8" }), "de-DE");
  assert.equal(negotiateLocale({ acceptLanguage: "en-US,en;q=0.9" }), "en-US");
  // Languages we have no catalog for are skipped, quality values order the rest.
  assert.equal(negotiateLocale({ acceptLanguage: "nl-NL,fr;q=0.4,es;q=0.7" }), "es");
  assert.equal(negotiateLocale({ acceptLanguage: "ja, zh;q=0.5" }), "en");
  for (const odd of [null, "", "*", ";;;", "x".repeat(600), "de;q=0", "12-34"]) {
    assert.equal(negotiateLocale({ acceptLanguage: odd }), "en", String(odd));
  }
  assert.deepEqual(acceptedLocales("fr-ca;q=0.5, de-at"), ["de-AT", "fr-CA"]);
});

Deno.test("negotiateLocale: a chosen language wins and keeps the reader's region; stored comes next", () => {
  // An Austrian who picks German keeps Austrian dates; a US reader picking German gets German.
  assert.equal(negotiateLocale({ chosen: ["de"], acceptLanguage: "de-AT,en" }), "de-AT");
  assert.equal(negotiateLocale({ chosen: ["de"], acceptLanguage: "en-US" }), "de");
  assert.equal(negotiateLocale({ chosen: ["es-MX"], acceptLanguage: "en-US" }), "es-MX");
  // The first usable choice counts (an event type's fixed language before `?lang=`).
  assert.equal(negotiateLocale({ chosen: ["fr", "de"], acceptLanguage: "en" }), "fr");
  assert.equal(negotiateLocale({ chosen: [null, "nl", "de"], acceptLanguage: "en" }), "de");
  assert.equal(negotiateLocale({ stored: "fr-CH", acceptLanguage: "de" }), "fr-CH");
  assert.equal(negotiateLocale({ stored: "xx", acceptLanguage: "de" }), "de");
  assert.equal(negotiateLocale({ chosen: [PSEUDO_LOCALE], acceptLanguage: "de" }), PSEUDO_LOCALE);
});

Deno.test("translator: ICU plurals and selects per language; a key the language lacks reads English", () => {
  const de = translator("de-DE");
  assert.equal(de.t("calendar.day_free", { day: "Mo", count: 1 }), "Mo, 1 Zeit frei");
  assert.equal(de.t("calendar.day_free", { day: "Mo", count: 14 }), "Mo, 14 Zeiten frei");
  assert.equal(translator("fr").t("et.up_to_days", { days: 1 }), "jusqu’à 1 jour à l’avance");
  // Numbers in messages follow the locale.
  assert.equal(translator("de").t("et.q_count", { n: 1200, max: 20 }), "1.200 von 20 Fragen");
  const partial = createTranslator("de", { "common.yes": "Ja" }, { "common.no": "No" });
  assert.equal(partial.t("common.yes"), "Ja");
  assert.equal(partial.t("common.no"), "No");
  assert.equal(translator("xx-YY").lang, "en");
});

Deno.test("translator: inline tags come back as parts, never as HTML", () => {
  const parts = translator("en").parts("result.confirmed_body", { email: "<b>x@example.test</b>" });
  assert.deepEqual(parts, [
    { text: "A confirmation with a calendar invitation is on its way to ", tag: null },
    { text: "<b>x@example.test</b>", tag: "strong" },
    { text: ".", tag: null },
  ]);
});

Deno.test("pseudo-locale: accented, at least 30 % longer, bracketed, placeholders intact", () => {
  const text = "Pick another time";
  const p = pseudoText(text);
  assert.ok(p.length >= text.length * 1.3, p);
  assert.doesNotMatch(p, /[a-zA-Z]{3}/, "no plain English word survives");
  const t = translator(PSEUDO_LOCALE);
  const out = t.t("booking.held_until", { host: "Ada Lovelace", ttl: "24 hours" });
  assert.match(out, /^⟦.*⟧$/);
  assert.ok(out.includes("Ada Lovelace") && out.includes("24 hours"), out);
  assert.equal(t.locale, PSEUDO_LOCALE);
});

Deno.test("form messages travel as references and are read in the reader's language", () => {
  const res = v.safeParse(ProfileForm, { name: "", username: "-x-", timeZone: "" });
  assert.ok(!res.success);
  const refs = fieldErrors(res.issues);
  assert.equal(refs.name, "forms.required");
  assert.equal(fieldErrors(res.issues, translator("de")).name, "Bitte ausfüllen");
  assert.equal(fieldErrors(res.issues, translator("es")).timeZone, "Elige una zona horaria");
  assert.equal(
    translateRef(translator("fr"), messageRef("answers.too_long", { max: 300 })),
    "300 caractères au maximum",
  );
  // Anything that is not one of our references is shown as it came.
  assert.equal(translateRef(translator("de"), "Plain words."), "Plain words.");
  assert.equal(translateRef(translator("de"), "no.such.key"), "no.such.key");
});
