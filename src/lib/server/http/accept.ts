/**
 * Reading an `Accept` header (RFC 9110 §12.5.1): the q-value a request gives a media type. One
 * reader for every door that negotiates (Markdown pages, the MCP endpoint).
 */

/**
 * The q-value `accept` gives `type` (lowercase, like "application/json"): that of the most
 * specific range that matches it (`type`, then `application/*`, then `*\/*`), 0 when none does.
 * `exact`: only the type itself counts, not a wildcard (a browser's `*\/*` asks for its page, not
 * for Markdown). A request without the header accepts anything (q 1), unless `exact`.
 */
export function acceptQuality(
  accept: string | null,
  type: string,
  opts: { exact?: boolean } = {},
): number {
  if (accept === null || accept.trim() === "") return opts.exact ? 0 : 1;
  const ranges = opts.exact ? [type] : [type, `${type.split("/")[0]}/*`, "*/*"];
  let best = -1;
  let q = 0;
  for (const part of accept.toLowerCase().split(",")) {
    const [media, ...params] = part.trim().split(";");
    const rank = ranges.indexOf(media.trim());
    if (rank === -1 || (best !== -1 && rank >= best)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const n = qParam ? Number(qParam.slice(2)) : 1;
    best = rank;
    q = Number.isFinite(n) ? n : 0;
  }
  return q;
}
