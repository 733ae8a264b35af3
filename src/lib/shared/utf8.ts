/**
 * How many bytes `s` takes as UTF-8, as TextEncoder (and Deno, sending a text body or writing a
 * KV key) writes it: a lone surrogate becomes U+FFFD, three bytes. Counted without encoding, so
 * nothing is allocated to learn a length.
 */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        // A pair: two units, four bytes.
        n += 2;
        i++;
        continue;
      }
    }
    n += 2;
  }
  return n;
}
