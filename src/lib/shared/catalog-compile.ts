/**
 * The browser's catalogs, parsed at build time (ADR 057): each message with ICU syntax becomes
 * its AST, the rest stay text. A page then neither downloads the ICU parser nor spends its first
 * seconds parsing the messages it shows (on a throttled phone, the parser was the largest piece
 * of script work after Svelte's own). Used by `vite.config.ts`; the server keeps the sources.
 */
import { parse } from "@formatjs/icu-messageformat-parser";
import { type Catalog, ICU_SYNTAX, type SourceCatalog } from "./i18n.ts";

export function compileCatalog(catalog: SourceCatalog): Catalog {
  const out: Catalog = {};
  for (const [key, source] of Object.entries(catalog)) {
    if (!ICU_SYNTAX.test(source)) {
      out[key] = source;
      continue;
    }
    try {
      out[key] = parse(source);
    } catch {
      // Left as text: the translator shows it as written, as the server does (catalog test).
      out[key] = source;
    }
  }
  return out;
}
