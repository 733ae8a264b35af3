import type { LayoutLoad } from "./$types";
import { languageOf } from "$lib/shared/i18n.ts";
import { loadCatalog } from "$lib/shared/catalogs.ts";
import { catalogPartFor } from "$lib/shared/catalog-parts.ts";

/**
 * The page language's catalog, loaded before the page renders or hydrates (one chunk per
 * language): public pages get only the messages they can show, signed-in pages all of them.
 */
export const load: LayoutLoad = async ({ data, route }) => ({
  ...data,
  catalog: await loadCatalog(languageOf(data.locale) ?? "en", catalogPartFor(route.id)),
});
