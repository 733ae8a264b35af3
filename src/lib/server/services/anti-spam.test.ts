import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { checkFillToken, FILL_TOKEN_MAX_AGE_MS, fillToken } from "./anti-spam.ts";
import { translateRef } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";

Deno.test("fill token: good from the minimum fill time until its lifetime ends, then refused like a forged one", async () => {
  const app = await memoryApp({ env: { INVITO_MIN_FILL_TIME: "2s" } });
  try {
    const token = await fillToken(app);
    app.clock.ms += 1_000;
    assert.equal((await checkFillToken(app, token, "")).ok, false, "too quick");
    app.clock.ms += 1_000;
    assert.equal((await checkFillToken(app, token, "")).ok, true);
    app.clock.ms += FILL_TOKEN_MAX_AGE_MS - 2_000;
    assert.equal((await checkFillToken(app, token, "")).ok, true, "at the end of its life");
    app.clock.ms += 1_000;
    const late = await checkFillToken(app, token, "");
    assert.ok(
      !late.ok && /out of date/.test(translateRef(translator("en"), late.message)),
      "a day-old token is refused",
    );
    assert.equal((await checkFillToken(app, token.replace(/\.\w/, ".x"), "")).ok, false);
  } finally {
    app.close();
  }
});
