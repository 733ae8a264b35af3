import assert from "node:assert/strict";
import { authPath } from "./route-shape.ts";

Deno.test("authPath: Auth.js's paths pass only in their one plain spelling; every other spelling under /auth is refused", () => {
  for (const p of ["/auth/callback/email", "/auth/session", "/auth/signin/oidc", "/auth/signout"]) {
    assert.deepEqual(authPath(p), { path: p }, p);
  }
  for (
    const p of [
      "/auth/callback/email/",
      "/auth//callback/email",
      "//auth/callback/email",
      "/auth/callback%2Femail",
      "/auth%2Fcallback/email",
      "/AUTH/callback/email",
      "/auth/callback/Email",
      "/%61uth/callback/email",
      "/%2561uth/callback/email",
      "/auth/./callback/email",
      "/auth/x/../callback/email",
      "/auth/callback/email/__data.json",
      "/auth/callback/email%5C",
      "/x/../auth/callback/email",
      "/auth",
      "/auth/",
      "/auth/callback/email/extra",
    ]
  ) assert.equal(authPath(p), "refused", p);
  for (const p of ["/", "/authors", "/signin", "/calendar/auth", "/auth/../calendar/demo"]) {
    assert.equal(authPath(p), null, p);
  }
});
