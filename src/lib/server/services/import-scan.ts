/**
 * The shape scan of an import file (ADR 035): one pass over its bytes that bounds what parsing
 * would build, before anything is parsed.
 */

/** More bookings than this in one file: not an export of ours (ADR 022 sizes exports for 100,000). */
export const IMPORT_MAX_BOOKINGS = 100_000;

// ── the shape scan ──────────────────────────────────────────────────────────────────────────

/** The deepest an export nests (an event type's question options) is 7; 16 is never legitimate. */
export const MAX_DEPTH = 16;
/** No array of an export is longer than its bookings. */
export const MAX_ARRAY = IMPORT_MAX_BOOKINGS;
/**
 * Objects and arrays in all. Every one in an export carries at least ~30 bytes of fields, so a
 * file of the maximum size holds fewer than 2.2 million; a file of `{}` would hold 21 million.
 */
export const MAX_CONTAINERS = 3_000_000;
/** Field names of an export are short words. */
export const MAX_KEY_BYTES = 200;
/**
 * Fields per object: an export's objects have fixed fields (a booking has about 40). An object
 * of many thousands (only a hostile file has one) is refused before it is built: the parse
 * builds it as a dictionary, slowly, and its fields would have to be carried somewhere.
 */
export const MAX_KEYS = 200;

export type ShapeProblem =
  | { problem: "not_object" }
  | { problem: "unknown_field"; field: string; formatSeen: boolean }
  | { problem: "too_deep" }
  | { problem: "too_long" }
  | { problem: "too_many_bookings"; n: number }
  | { problem: "too_many_parts" }
  | { problem: "too_many_keys" }
  | { problem: "long_name" }
  | { problem: "not_json" };

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN_OBJ = 0x7b, CLOSE_OBJ = 0x7d, OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d, COMMA = 0x2c;
/** The top-level field a scan sets aside (see `kept` in scanExportShape). */
const KEPT_FIELD = "routingResponses";
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * One pass over the bytes (UTF-8: every byte of a multi-byte character is ≥ 0x80, so it is never
 * taken for JSON's punctuation), with memory for `MAX_DEPTH` levels and nothing else. It does not
 * check the JSON grammar (JSON.parse does, after): it only bounds what parsing would build.
 */
export function scanShape(
  bytes: Uint8Array,
  /** The fields the file may have at its top level. */
  fields: ReadonlySet<string>,
): { ok: true; kept?: [number, number]; keptItems?: number } | { ok: false } & ShapeProblem {
  const isArray = new Uint8Array(MAX_DEPTH + 2);
  const elements = new Uint32Array(MAX_DEPTH + 2);
  let depth = 0;
  let containers = 0;
  let expectKey = false;
  let formatSeen = false;
  /** The top-level field being read, and the bookings array's length so far. */
  let field = "";
  let bookings = 0;
  /**
   * Where the routing forms' responses lie (`[from, to)` of their array): kept in the file, not
   * imported, so they are not counted here and not parsed (readExportFile cuts them out). A host
   * with many visitors has more responses than any array an import reads may hold.
   */
  let kept: [number, number] | undefined;
  let keptFrom = -1;
  let keptItems = 0;
  let i = 0;
  const n = bytes.length;
  while (i < n && isSpace(bytes[i])) i++;
  if (i >= n || bytes[i] !== OPEN_OBJ) return { ok: false, problem: "not_object" };
  for (; i < n; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      const start = i + 1;
      for (i = start; i < n && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
      if (i >= n) return { ok: false, problem: "not_json" };
      if (expectKey) {
        expectKey = false;
        if (i - start > MAX_KEY_BYTES) return { ok: false, problem: "long_name" };
        if (depth === 1) {
          let key: string;
          try {
            key = JSON.parse(new TextDecoder().decode(bytes.subarray(start - 1, i + 1)));
          } catch {
            return { ok: false, problem: "not_json" };
          }
          if (!fields.has(key)) {
            return { ok: false, problem: "unknown_field", field: key, formatSeen };
          }
          if (key === "format") formatSeen = true;
          field = key;
        }
      }
    } else if (c === OPEN_OBJ || c === OPEN_ARR) {
      if (++depth > MAX_DEPTH) return { ok: false, problem: "too_deep" };
      if (depth === 2 && field === KEPT_FIELD && c === OPEN_ARR && !kept) keptFrom = i;
      if (depth === 3 && keptFrom >= 0 && c === OPEN_OBJ) keptItems++;
      if (keptFrom < 0 && ++containers > MAX_CONTAINERS) {
        return { ok: false, problem: "too_many_parts" };
      }
      isArray[depth] = c === OPEN_ARR ? 1 : 0;
      elements[depth] = 0;
      expectKey = c === OPEN_OBJ;
    } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      if (depth === 0) return { ok: false, problem: "not_json" };
      if (depth === 2 && keptFrom >= 0) {
        kept = [keptFrom, i + 1];
        keptFrom = -1;
      }
      depth--;
      expectKey = false;
      // The top-level object is closed: what follows can only be space (JSON.parse checks).
      if (depth === 0) break;
    } else if (c === COMMA) {
      if (isArray[depth]) {
        // The bookings are counted to the end, so that the refusal can say how many there are.
        if (depth === 2 && field === "bookings") bookings = ++elements[depth] + 1;
        else if (keptFrom >= 0) continue;
        else if (++elements[depth] >= MAX_ARRAY) return { ok: false, problem: "too_long" };
      } else {
        if (++elements[depth] >= MAX_KEYS) return { ok: false, problem: "too_many_keys" };
        expectKey = true;
      }
    }
  }
  if (bookings > IMPORT_MAX_BOOKINGS) {
    return { ok: false, problem: "too_many_bookings", n: bookings };
  }
  return kept ? { ok: true, kept, keptItems } : { ok: true };
}

/** The file's bytes with the set-aside array (`kept` of a scan) left empty: `[]`. */
export function withoutKept(bytes: Uint8Array, [from, to]: [number, number]): Uint8Array {
  const cut = new Uint8Array(bytes.byteLength - (to - from) + 2);
  cut.set(bytes.subarray(0, from));
  cut.set([OPEN_ARR, CLOSE_ARR], from);
  cut.set(bytes.subarray(to), from + 2);
  return cut;
}
