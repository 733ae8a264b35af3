import type { LayoutLoad } from "./$types";
import { languageOf } from "$lib/shared/i18n.ts";
import { loadCatalog } from "$lib/shared/catalogs.ts";

/** The page language's catalog, loaded before the page renders or hydrates (one chunk per language). */
export const load: LayoutLoad = async ({ data }) => ({
  ...data,
  catalog: await loadCatalog(languageOf(data.locale) ?? "en"),
});
