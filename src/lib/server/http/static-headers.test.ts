import assert from "node:assert/strict";
import { HSTS, staticHeaders } from "./static-headers.ts";

Deno.test("baseline headers: an answer without a policy of its own (a 500, a 405, a refusal) gets nosniff, a CSP, no framing and HSTS behind https, on widget paths too", () => {
  for (const path of ["/", "/calendar/demo", "/widget/demo/x", "/api/v1/me"]) {
    for (const status of [500, 405, 413, 404]) {
      const res = staticHeaders(path, new Response("x", { status }), { https: true });
      const h = res.headers;
      assert.equal(h.get("x-content-type-options"), "nosniff", `${path} ${status}`);
      assert.equal(h.get("content-security-policy"), "frame-ancestors 'none'", `${path} ${status}`);
      assert.equal(h.get("x-frame-options"), "DENY", `${path} ${status}`);
      assert.equal(h.get("strict-transport-security"), HSTS, `${path} ${status}`);
      assert.equal(h.get("referrer-policy"), "no-referrer", `${path} ${status}`);
    }
  }
  // A widget page that says who may frame it keeps its own policy.
  const widget = new Response("x", {
    headers: { "content-security-policy": "frame-ancestors https://a.example" },
  });
  const kept = staticHeaders("/widget/demo/x", widget, { https: false });
  assert.equal(kept.headers.get("content-security-policy"), "frame-ancestors https://a.example");
  assert.equal(kept.headers.get("x-frame-options"), null);
  // Immutable headers (a fetched answer) are copied, not lost.
  const frozen = Response.redirect("http://x/", 302);
  assert.equal(staticHeaders("/", frozen).headers.get("x-content-type-options"), "nosniff");
});
