import assert from "node:assert/strict";
import { guardRequest } from "./request-guard.ts";

const h = (o: Record<string, string>) => new Headers(o);

Deno.test("request guard: a cross-site POST is refused, a same-origin one passes", () => {
  assert.equal(
    guardRequest(
      "POST",
      h({ "sec-fetch-site": "cross-site", origin: "https://evil.example" }),
      "/dashboard",
    ).action,
    "forbid",
  );
  assert.equal(
    guardRequest("POST", h({ "sec-fetch-site": "same-origin", origin: "http://app" }), "/dashboard")
      .action,
    "pass",
  );
  assert.equal(
    guardRequest("GET", h({ "sec-fetch-site": "cross-site" }), "/calendar/x").action,
    "pass",
  );
  // Clients without Fetch Metadata (curl, old browsers) fall through to SvelteKit's origin check.
  assert.equal(guardRequest("POST", h({ origin: "http://app" }), "/x").action, "pass");
});

Deno.test("request guard: Origin null from a no-referrer token page is fixed only when the browser says same-origin", () => {
  assert.equal(
    guardRequest(
      "POST",
      h({ origin: "null", "sec-fetch-site": "same-origin" }),
      "/booking/t/confirm",
    ).action,
    "fix-origin",
  );
  assert.equal(
    guardRequest(
      "POST",
      h({ origin: "null", "sec-fetch-site": "cross-site" }),
      "/booking/t/confirm",
    ).action,
    "forbid",
  );
  assert.equal(guardRequest("POST", h({ origin: "null" }), "/booking/t/confirm").action, "pass");
});
