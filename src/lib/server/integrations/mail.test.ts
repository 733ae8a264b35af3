import assert from "node:assert/strict";
import { headerText } from "./mail.ts";

const decode = (field: string) =>
  field.split(" ").map((w) => {
    const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/.exec(w);
    assert.ok(m, w);
    return new TextDecoder().decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)));
  }).join("");

Deno.test("headerText: text without '=?' is left as it is (line breaks become spaces)", () => {
  assert.equal(headerText("Intro call with Jürgen"), "Intro call with Jürgen");
  assert.equal(headerText("Ann\r\nBcc: x@evil.example"), "Ann Bcc: x@evil.example");
});

Deno.test("headerText: a value holding '=?' is encoded whole; it decodes once to the same text, words ≤ 75 characters, no character split", () => {
  const typed = "Request: =?utf-8?q?Eve=0D=0ABcc:_x@evil.example?= ✓ Zoë 東京 🎉".repeat(3);
  const field = headerText(typed, 1000);
  assert.ok(!field.includes("=?utf-8?q?"), field);
  for (const w of field.split(" ")) assert.ok(w.length <= 75, w);
  assert.equal(decode(field), typed);
});
