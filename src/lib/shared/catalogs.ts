/**
 * The browser's catalog: only the page's language is downloaded (a hashed chunk per language,
 * cached for good), before the page hydrates. Vite-only (`import.meta.glob`).
 */
import { type Catalog, createTranslator, type Language, type Translator } from "./i18n.ts";

const loaders = import.meta.glob<Catalog>("../messages/*.json", { import: "default" });
const loaded = new Map<Language, Catalog>();

export async function loadCatalog(lang: Language): Promise<Catalog> {
  let catalog = loaded.get(lang);
  if (!catalog) {
    const load = loaders[`../messages/${lang}.json`] ?? loaders["../messages/en.json"];
    catalog = await load();
    loaded.set(lang, catalog);
  }
  return catalog;
}

const translators = new WeakMap<Catalog, Map<string, Translator>>();

/** One translator per locale and catalog, kept: parsed messages are reused across renders. */
export function translatorFor(locale: string, catalog: Catalog): Translator {
  let byLocale = translators.get(catalog);
  if (!byLocale) translators.set(catalog, byLocale = new Map());
  let t = byLocale.get(locale);
  if (!t) {
    if (byLocale.size >= 100) byLocale.clear();
    byLocale.set(locale, t = createTranslator(locale, catalog));
  }
  return t;
}
