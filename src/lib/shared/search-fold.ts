/**
 * Text as a search compares it: case and accents ignored, so "zoe" finds "Zoë" and "MULLER"
 * finds "Müller" (a host types a name as a keyboard without dead keys lets them). Compatibility
 * decomposition (NFKD) splits a letter from its marks, which are then dropped; letters that do
 * not decompose stay ("ß", "ø").
 */
export function searchFold(s: string): string {
  return s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}
