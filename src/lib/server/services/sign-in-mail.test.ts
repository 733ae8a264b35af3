import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { queueSignInMail } from "./sign-in-mail.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";

const LINK = "http://invito.test/signin/verify?token=SECRET-TOKEN-123&email=a%40example.test";
const mail = { subject: "Sign in", text: `Open ${LINK}`, html: `<a href="${LINK}">Sign in</a>` };

Deno.test("queueSignInMail: the queued mail holds no readable link, and the outbox sends it once", async () => {
  const app = await memoryApp();
  try {
    assert.equal(await queueSignInMail(app, "a@example.test", mail, app.clock.ms + 600_000), true);
    for await (const e of app.kv.list({ prefix: ["outbox"] })) {
      assert.doesNotMatch(JSON.stringify(e.value), /SECRET-TOKEN-123/);
    }
    await deliverOutbox(app, app.clock.ms);
    await deliverOutbox(app, app.clock.ms + 1000);
    assert.equal(app.mailer.sent.length, 1);
    assert.equal(app.mailer.sent[0].to, "a@example.test");
    assert.match(app.mailer.sent[0].text, /SECRET-TOKEN-123/);
  } finally {
    app.close();
  }
});

Deno.test("queueSignInMail: a link that expired while the mail waited is never sent", async () => {
  const app = await memoryApp();
  try {
    app.mailer.failWith = { ok: false, error: { kind: "network", detail: "down" } } as never;
    await queueSignInMail(app, "a@example.test", mail, app.clock.ms + 600_000);
    await deliverOutbox(app, app.clock.ms);
    assert.equal(app.mailer.sent.length, 0);
    // The server is back, but the retry is due after the link expired.
    app.mailer.failWith = null;
    app.clock.ms += 3_600_000;
    await deliverOutbox(app, app.clock.ms);
    assert.equal(app.mailer.sent.length, 0);
  } finally {
    app.close();
  }
});
