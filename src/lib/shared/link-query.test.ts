import assert from "node:assert/strict";
import { linkQuery, queryFor } from "./link-query.ts";

/** What the booking panel built per link before: one URLSearchParams set in page order. */
function whole(
  head: [string, string][],
  params: Record<string, string | null>,
  tail: [string, string][],
  extra: string,
) {
  const q = new URLSearchParams();
  for (const [k, v] of head) q.set(k, v);
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  for (const [k, v] of tail) q.set(k, v);
  return new URLSearchParams(`${q}${extra ? `&${extra}` : ""}`);
}

Deno.test("link query: every link asks for what one query built per link asked for (names, values, encoding), with prefill, source and extra parameters", () => {
  const head: [string, string][] = [["tz", "America/Sao_Paulo"], ["lang", "de"], [
    "layout",
    "week",
  ]];
  const tails: [string, string][][] = [
    [],
    [["name", "Zoë & Ann+1"], ["email", "a@b.test"], ["routing", "r1"], [
      "utm_source",
      "news letter",
    ]],
    [["date", "2026-12-01"]], // a prefilled name a link also sets: the prefill's value wins
  ];
  const links: Record<string, string | null>[] = [
    { date: "2026-11-30" },
    { date: "2026-11-30", slot: "2026-11-30T09:00:00Z" },
    { month: "2026-12" },
    { date: null },
  ];
  for (const tail of tails) {
    for (const extra of ["", "embed=1&theme=dark"]) {
      const q = linkQuery(head, tail, extra);
      for (const params of links) {
        const got = new URLSearchParams(queryFor(q, params));
        const want = whole(head, params, tail, extra);
        assert.deepEqual(
          [...got].sort(),
          [...want].sort(),
          JSON.stringify({ tail, extra, params }),
        );
      }
    }
  }
  // The page's head comes first, as before: tz leads every link.
  assert.match(queryFor(linkQuery(head, []), { date: "2026-11-30" }), /^tz=America%2FSao_Paulo&/);
});
