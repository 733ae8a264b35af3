import assert from "node:assert/strict";
import { frameAncestors, parseOriginList } from "./embed.ts";

Deno.test("embed allowlist: origins are normalised and anything that could break a header is refused", () => {
  assert.deepEqual(
    parseOriginList("https://Example.com\nhttp://localhost:3000, https://example.com"),
    {
      ok: true,
      origins: ["https://example.com", "http://localhost:3000"],
    },
  );
  for (
    const bad of [
      "example.com",
      "javascript:alert(1)",
      "https://x.com/path",
      "https://a.com; script-src *",
      "https://a.com;",
      "ftp://x.com",
    ]
  ) {
    assert.equal(parseOriginList(bad).ok, false, bad);
  }
});

Deno.test("embed allowlist: no setting means any site, an empty list means none", () => {
  assert.equal(frameAncestors(undefined), "*");
  assert.equal(frameAncestors(["*", "https://a.com"]), "*");
  assert.equal(frameAncestors(["https://a.com", "https://b.com"]), "https://a.com https://b.com");
  assert.equal(frameAncestors([]), "'none'");
});
