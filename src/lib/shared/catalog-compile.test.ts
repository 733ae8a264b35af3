import assert from "node:assert/strict";
import { parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { compileCatalog } from "./catalog-compile.ts";
import { CATALOGS } from "../server/i18n.ts";
import { createTranslator, LANGUAGES, type MessageKey, PSEUDO_LOCALE } from "./i18n.ts";

Deno.test("compiled catalogs: every message of every language is the parser's own AST, or text exactly when the parser reads it as text", () => {
  for (const lang of LANGUAGES) {
    const source = CATALOGS[lang];
    const compiled = compileCatalog(source);
    assert.deepEqual(Object.keys(compiled), Object.keys(source));
    for (const [key, text] of Object.entries(source)) {
      const ast = parse(text);
      const got = compiled[key];
      if (typeof got === "string") {
        assert.equal(got, text, `${lang} ${key}`);
        // Left as text only where the parser would have made it one literal of the same text.
        assert.deepEqual(ast, text ? [{ type: TYPE.literal, value: text }] : [], `${lang} ${key}`);
      } else {
        assert.deepEqual(got, ast, `${lang} ${key}`);
      }
    }
  }
});

Deno.test("compiled catalogs: a translator reads them as it reads the sources (plurals, numbers, tags, the pseudo-locale)", () => {
  const cases: [string, MessageKey, Record<string, string | number>][] = [
    ["de-DE", "calendar.day_free", { day: "Mo", count: 1 }],
    ["de-DE", "calendar.day_free", { day: "Mo", count: 14 }],
    ["de", "et.q_count", { n: 1200, max: 20 }],
    ["fr", "et.up_to_days", { days: 1 }],
    ["en", "booking.held_until", { host: "Ada", ttl: "24 hours" }],
    [PSEUDO_LOCALE, "booking.held_until", { host: "Ada", ttl: "24 hours" }],
    ["es", "booking.pick_time", {}],
  ];
  for (const [locale, key, values] of cases) {
    const lang = locale === PSEUDO_LOCALE ? "en" : locale.slice(0, 2) as "en";
    const fromSource = createTranslator(locale, CATALOGS[lang]);
    const fromCompiled = createTranslator(locale, compileCatalog(CATALOGS[lang]));
    assert.equal(fromCompiled.t(key, values), fromSource.t(key, values), `${locale} ${key}`);
  }
  const email = { email: "<b>x@example.test</b>" };
  assert.deepEqual(
    createTranslator("en", compileCatalog(CATALOGS.en)).parts("result.confirmed_body", email),
    createTranslator("en", CATALOGS.en).parts("result.confirmed_body", email),
  );
});
