/**
 * What a guest page's address chose of language and clock (`?lang=`, `&clock=`; ADR 056): the
 * booking pages, the guest's own pages, poll pages and the first-run setup read them here.
 */
import {
  type Clock,
  clockForAcceptLanguage,
  clockForLocale,
  parseClock,
} from "../../shared/format.ts";
import { languageOf, PSEUDO_LOCALE } from "../../shared/i18n.ts";

/**
 * The language the guest chose for the page (`?lang=`: a link's, or the language links'), when
 * the page took it (a host may fix a page's language): `locale`, the one it is written in.
 */
export function chosenLanguage(url: URL, locale: string): string | null {
  const asked = url.searchParams.get("lang");
  if (!asked || asked === PSEUDO_LOCALE || locale === PSEUDO_LOCALE) return null;
  return languageOf(asked) !== null && languageOf(asked) === languageOf(locale) ? locale : null;
}

/**
 * Whether the page is in a language its address chose (`?lang=`): its links and forms keep it,
 * and its clock is that language's (ADR 056). A language the server does not speak (`?lang=xx`)
 * chose nothing: the page is as without `lang=`, its guessed clock put right by the browser's.
 */
export function langFromUrl(url: URL, locale: string): boolean {
  const asked = url.searchParams.get("lang");
  if (!asked) return false;
  if (locale === PSEUDO_LOCALE) return asked === PSEUDO_LOCALE;
  return chosenLanguage(url, locale) !== null;
}

/**
 * The clock the address chose: named on the page (`&clock=`); else the clock of the language the
 * reader chose (`?lang=de`: 24 hours, whatever the browser's language or the account's clock).
 * Null when it chose neither. Guest pages (`guestClock`) and the first-run setup.
 */
export function chosenClock(url: URL, locale: string): Clock | null {
  const chosen = chosenLanguage(url, locale);
  return parseClock(url.searchParams.get("clock")) ?? (chosen ? clockForLocale(chosen) : null);
}

/**
 * The guest's clock: the one the address chose (`chosenClock`); else their browser's first
 * language's (ADR 056). Each is in the address or the page cache's key.
 */
export function guestClock(url: URL, acceptLanguage: string | null, locale: string): Clock {
  return chosenClock(url, locale) ?? clockForAcceptLanguage(acceptLanguage);
}
