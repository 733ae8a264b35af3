import assert from "node:assert/strict";
import { guardRequest } from "./request-guard.ts";

const h = (o: Record<string, string>) => new Headers(o);
const OURS = "http://app";

Deno.test("request guard: a cross-site POST is refused, a same-origin one passes", () => {
  assert.equal(
    guardRequest(
      "POST",
      h({ "sec-fetch-site": "cross-site", origin: "https://evil.example" }),
      "/dashboard",
      OURS,
    ).action,
    "forbid",
  );
  assert.equal(
    guardRequest("POST", h({ "sec-fetch-site": "same-origin", origin: OURS }), "/dashboard", OURS)
      .action,
    "pass",
  );
  assert.equal(
    guardRequest("GET", h({ "sec-fetch-site": "cross-site" }), "/calendar/x", OURS).action,
    "pass",
  );
  // Clients without Fetch Metadata or Origin (curl, scripts) carry no visitor's cookies.
  assert.equal(guardRequest("POST", h({}), "/x", OURS).action, "pass");
  assert.equal(guardRequest("POST", h({ origin: OURS }), "/x", OURS).action, "pass");
});

Deno.test("request guard: a foreign Origin or a same-site request is refused whatever the content type and path (sign-out included)", () => {
  for (const path of ["/auth/signout", "/signout", "/auth/callback/email", "/%64ashboard"]) {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "post"]) {
      assert.equal(
        guardRequest(method, h({ origin: "https://evil.example" }), path, OURS).action,
        "forbid",
        `${method} ${path}`,
      );
      assert.equal(
        guardRequest(method, h({ "sec-fetch-site": "same-site" }), path, OURS).action,
        "forbid",
        `${method} ${path} same-site`,
      );
    }
  }
  // The IdP may post back to the OIDC callback (form_post); Auth.js checks its state.
  assert.equal(
    guardRequest("POST", h({ "sec-fetch-site": "cross-site" }), "/auth/callback/oidc", OURS)
      .action,
    "pass",
  );
});

Deno.test("request guard: Origin null from a no-referrer token page is fixed only when the browser says same-origin", () => {
  assert.equal(
    guardRequest(
      "POST",
      h({ origin: "null", "sec-fetch-site": "same-origin" }),
      "/booking/t/confirm",
      OURS,
    ).action,
    "fix-origin",
  );
  assert.equal(
    guardRequest(
      "POST",
      h({ origin: "null", "sec-fetch-site": "cross-site" }),
      "/booking/t/confirm",
      OURS,
    ).action,
    "forbid",
  );
  // A sandboxed frame elsewhere also says "null".
  assert.equal(
    guardRequest("POST", h({ origin: "null" }), "/booking/t/confirm", OURS).action,
    "forbid",
  );
});
