/**
 * The per-process tables that keep answers (kept pages, months, formats, messages) are bounded
 * against odd traffic, each the same way: an entry set again becomes the newest, and the oldest
 * leave first once the table holds its most.
 */

/** Sets `key` as the newest entry of `map`; the oldest leave first when it holds `max`. */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  while (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}
