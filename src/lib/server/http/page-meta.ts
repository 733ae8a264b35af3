/**
 * What a public page (a host's page, a booking page) tells search engines and link previews: its
 * description, its canonical address, the same page in each language (hreflang) and the Open
 * Graph / Twitter card fields with the shared preview image. Rendered by PageMeta.svelte.
 *
 * Addresses are absolute, on the configured base URL (INVITO_BASE_URL), never on the Host header.
 * The canonical address keeps only `lang` (when the guest chose one in the URL): the zone, the day
 * and the clock are the guest's view of the same page. A page whose event type fixes its language
 * exists in that language only and lists no alternates.
 */
import type { RequestEvent } from "@sveltejs/kit";
import { LANGUAGES } from "$lib/shared/i18n.ts";
import type { PageMeta } from "$lib/shared/page-meta.ts";

export type { PageMeta };

/** The preview image in static/: language-free (a month and times), 1200×630 as previews want. */
export const OG_IMAGE = { path: "/og-image.png", width: 1200, height: 630 };

const OG_LOCALES: Record<string, string> = {
  en: "en_US",
  de: "de_DE",
  fr: "fr_FR",
  es: "es_ES",
};
const ogLocale = (locale: string) => OG_LOCALES[locale.slice(0, 2)] ?? "en_US";

/** Descriptions are one line of at most ~160 characters, as search results show them. */
export function metaDescription(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:–—-]+$/, "")}…`;
}

export function pageMeta(
  event: Pick<RequestEvent, "locals" | "url">,
  opts: { title: string; description: string; languageFixed?: boolean },
): PageMeta {
  const { locals, url } = event;
  const base = locals.app.config.baseUrl.href.replace(/\/$/, "");
  const path = url.pathname;
  const at = (lang: string | null) => `${base}${path}${lang ? `?lang=${lang}` : ""}`;
  const chosen = url.searchParams.get("lang");
  const langInUrl = !opts.languageFixed && !!chosen &&
    (LANGUAGES as readonly string[]).includes(chosen);
  const locale = locals.locale;
  return {
    title: opts.title,
    description: metaDescription(opts.description),
    canonical: at(langInUrl ? chosen : null),
    alternates: opts.languageFixed ? [] : [
      ...LANGUAGES.map((l) => ({ hreflang: l, href: at(l) })),
      { hreflang: "x-default", href: at(null) },
    ],
    image: {
      url: `${base}${OG_IMAGE.path}`,
      width: OG_IMAGE.width,
      height: OG_IMAGE.height,
      alt: locals.t.t("meta.image_alt"),
    },
    ogLocale: ogLocale(locale),
    ogLocaleAlternates: opts.languageFixed
      ? []
      : LANGUAGES.filter((l) => l !== locale.slice(0, 2)).map(ogLocale),
  };
}
