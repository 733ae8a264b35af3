import assert from "node:assert/strict";
import { utf8Length } from "./utf8.ts";

Deno.test("utf8Length: the length TextEncoder writes, for every kind of character and broken surrogates", () => {
  const utf8 = new TextEncoder();
  const samples = [
    "",
    "plain ascii",
    "Grüße, Zoë — “quoted” ✓",
    "日本語のテキスト",
    "emoji 😀👩‍👩‍👧 and 𝔘",
    "lone high \ud800 and low \udc00 surrogates",
    "\ud83d", // a high surrogate at the very end
    "\udc00\ud800", // reversed pair
    JSON.stringify({ name: "Ånne \u2028", note: "a\nb" }),
  ];
  for (const s of samples) assert.equal(utf8Length(s), utf8.encode(s).length, JSON.stringify(s));
});
