import assert from "node:assert/strict";
import { safeRedirectPath } from "./redirect.ts";

const O = "https://cal.example";

Deno.test("safeRedirectPath: only our own paths, always as an ASCII Location SvelteKit accepts", () => {
  assert.equal(safeRedirectPath("/dashboard/bookings?x=1#a", O), "/dashboard/bookings?x=1#a");
  assert.equal(safeRedirectPath("/\u3002x", O), "/%E3%80%82x");
  assert.equal(safeRedirectPath("/caf\u00e9", O), "/caf%C3%A9");
  for (
    const bad of [
      "//evil.example",
      "/\\evil.example",
      "https://evil.example/x",
      "javascript:alert(1)",
      "/auth/signout",
      "/signin?next=/x",
      "",
      "x".repeat(3000),
      null,
    ]
  ) {
    assert.equal(safeRedirectPath(bad, O), "/dashboard", String(bad).slice(0, 30));
  }
  assert.equal(safeRedirectPath(`${O}/dashboard/profile`, O), "/dashboard/profile");
  // Whatever comes out never reads as another origin.
  for (const s of ["/%2F%2Fevil.example", "/\t/evil.example", "/./\\evil"]) {
    const out = safeRedirectPath(s, O);
    assert.equal(new URL(out, O).origin, O, s);
  }
});
