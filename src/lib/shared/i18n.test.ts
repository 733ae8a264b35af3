import assert from "node:assert/strict";
import {
  acceptedLocales,
  countFormat,
  createTranslator,
  messageRef,
  negotiateLocale,
  PSEUDO_LOCALE,
  pseudoText,
  translateRef,
} from "./i18n.ts";
import { CATALOGS, translator } from "../server/i18n.ts";
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

Deno.test("countFormat: 0–999 written as Intl.NumberFormat writes them in every language and region, larger and fractional numbers by Intl itself", () => {
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const regions = ["", "-419"];
  for (const a of letters) for (const b of letters) regions.push(`-${a}${b}`);
  const samples = [0, 1, 2, 7, 10, 42, 100, 999];
  let checked = 0;
  for (const lang of ["en", "de", "fr", "es"]) {
    for (const region of regions) {
      const locale = `${lang}${region}`;
      const intl = new Intl.NumberFormat(locale);
      // Regions ICU does not know fall back to the language: checked all the same.
      const ours = countFormat(locale);
      for (const n of samples) assert.equal(ours.format(n), intl.format(n), `${locale} ${n}`);
      checked++;
    }
  }
  assert.ok(checked > 2_000);
  assert.equal(countFormat("de").format(1200), "1.200");
  assert.equal(countFormat("fr").format(2.5), "2,5");
  assert.equal(
    countFormat("en-u-nu-arab").format(7),
    new Intl.NumberFormat("en-u-nu-arab").format(7),
  );
});

Deno.test("translator: messages format without an IntlMessageFormat per message, plurals and numbers as before", () => {
  const en = translator("en-US");
  assert.equal(en.t("calendar.day_free", { day: "Mon", count: 1 }), "Mon, 1 time free");
  assert.equal(en.t("calendar.day_free", { day: "Mon", count: 1500 }), "Mon, 1,500 times free");
  // French counts zero as one: "0 horaire libre".
  assert.equal(
    translator("fr").t("calendar.day_free", { day: "lun.", count: 0 }),
    "lun., 0 horaire libre",
  );
  // A message missing its values shows its source rather than throwing.
  assert.equal(translator("en").t("calendar.day_free"), CATALOGS.en["calendar.day_free"]);
});

Deno.test("createTranslator: a message asked again reads the same, and a number and its digits as text stay two questions", () => {
  const t = createTranslator("en-US", {
    count: "{n}",
    items: "{n, plural, one {# item} other {# items}}",
    hello: "Hello",
  } as never);
  // A plain number is written the reader's way; the same digits as text are shown as given.
  assert.equal(t.t("count" as never, { n: 1200 }), "1,200");
  assert.equal(t.t("count" as never, { n: "1200" }), "1200");
  assert.equal(t.t("count" as never, { n: 1200 }), "1,200");
  assert.equal(t.t("items" as never, { n: 1 }), "1 item");
  assert.equal(t.t("items" as never, { n: 2 }), "2 items");
  assert.equal(t.t("items" as never, { n: 1 }), "1 item");
  // A value's text cannot pass for another value: each question is answered for itself.
  assert.equal(
    t.t("count" as never, { n: "a\u0001n\u0002string\u00021:b" }),
    "a\u0001n\u0002string\u00021:b",
  );
  assert.equal(t.t("count" as never, { n: "a" }), "a");
  // Text only, with or without values.
  assert.equal(t.t("hello" as never), "Hello");
  assert.equal(t.t("hello" as never, { n: 3 }), "Hello");
  // A long value is formatted each time, and right each time.
  const long = "x".repeat(500);
  assert.equal(t.t("count" as never, { n: long }), long);
  assert.equal(t.t("count" as never, { n: `${long}y` }), `${long}y`);
});

Deno.test("createTranslator: a message asked again in another render writes the same formats into its page", async () => {
  const { recordFormats, takeFormats } = await import("./written-formats.ts");
  const t = createTranslator(
    "en-US",
    { items: "{n, plural, one {# item} other {# items}}" } as never,
  );
  const render = () => {
    recordFormats();
    const text = t.t("items" as never, { n: 3 });
    return { text, formats: takeFormats() };
  };
  const first = render();
  const second = render();
  assert.equal(first.text, "3 items");
  // The plural category the browser would otherwise ask ICU for is in both pages.
  assert.match(first.formats, /"p\|3\|/);
  assert.deepEqual(second, first);
});
