import assert from "node:assert/strict";
import { redactPath, redactText } from "./log.ts";

Deno.test("redactPath: link tokens and long ids become :token; short names stay", () => {
  assert.equal(
    redactPath("/booking/h3Jx-9kQ_2mZp8rTt0aBcDeFgHiJkLmN/confirm"),
    "/booking/:token/confirm",
  );
  assert.equal(redactPath("/calendar/demo/intro-call"), "/calendar/demo/intro-call");
  assert.equal(redactPath("/feeds/aaaaaaaaaaaaaaaaaaaaaaaa.ics"), "/feeds/:token");
});

Deno.test("redactText: addresses in an SMTP refusal are masked", () => {
  assert.equal(
    redactText("550 5.1.1 <guest.name+x@mail.example.org>: Recipient address rejected"),
    "550 5.1.1 <<address>>: Recipient address rejected",
  );
  assert.equal(redactText("421 try later"), "421 try later");
});
