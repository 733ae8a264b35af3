/**
 * The browser's catalog: only the page's language is downloaded (a hashed chunk per language,
 * cached for good), before the page hydrates, and on public pages only its public part
 * (`catalog-parts.ts`). `?public` and `?all` are served by a plugin in vite.config.ts, which
 * parses the browser's messages at build time (ADR 057). Vite-only (`import.meta.glob`).
 */
import { type Catalog, createTranslator, type Language, type Translator } from "./i18n.ts";
import type { CatalogPart } from "./catalog-parts.ts";

const loaders: Record<CatalogPart, Record<string, () => Promise<Catalog>>> = {
  public: import.meta.glob<Catalog>("../messages/*.json", { query: "?public", import: "default" }),
  full: import.meta.glob<Catalog>("../messages/*.json", { query: "?all", import: "default" }),
};
const loaded = new Map<string, Catalog>();

export async function loadCatalog(lang: Language, part: CatalogPart = "full"): Promise<Catalog> {
  let catalog = loaded.get(`${part}:${lang}`);
  if (!catalog) {
    const load = loaders[part][`../messages/${lang}.json`] ?? loaders[part]["../messages/en.json"];
    catalog = await load();
    loaded.set(`${part}:${lang}`, catalog);
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
