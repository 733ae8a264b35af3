/** What a public page says in its head; built on the server by $lib/server/http/page-meta.ts. */
export type PageMeta = {
  title: string;
  description: string;
  canonical: string;
  /** The same page in each language, then `x-default` (the page without `lang`). */
  alternates: { hreflang: string; href: string }[];
  image: { url: string; width: number; height: number; alt: string };
  /** Open Graph's `language_TERRITORY`. */
  ogLocale: string;
  ogLocaleAlternates: string[];
};
