/**
 * The availability page's lists as a browser without JavaScript posts them (a plain text field
 * where an old browser has no date picker): a date written another way is shown back with what
 * to fix, never a server error that loses what was typed, and a list longer than its limit is
 * refused as a whole, never saved with its last rows silently dropped.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

Deno.test({
  name:
    "availability: dates not written YYYY-MM-DD come back with the form and what to fix, and 101 time off rows are refused instead of saving 100",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const host = await signInByLink(app, "demo@invito.example");
    const post = (action: string, fields: Record<string, string>) =>
      host.post(`/dashboard/availability?/${action}`, fields, {
        headers: { origin: app.baseUrl },
      });

    const res = await post("overrides", { o0_date: "20.12.2026", o0_off: "on", intent: "save" });
    assert.equal(res.status, 400, `overrides: ${res.status}`);
    assert.match(text(res.body), /Enter the date as YYYY-MM-DD/);
    assert.match(res.body, /value="20\.12\.2026"/, "what was typed is shown again");
    // Adding a row (without JavaScript, the server adds it) keeps the typed row as it was.
    const added = await post("overrides", { o0_date: "20.12.2026", o0_off: "on", intent: "add" });
    assert.equal(added.status, 200, `add: ${added.status}`);
    assert.match(added.body, /value="20\.12\.2026"/);
    const off = await post("timeOff", {
      t0_from: "24/12/2026",
      t0_reason: "Holidays",
      intent: "save",
    });
    assert.equal(off.status, 400);
    assert.match(text(off.body), /YYYY-MM-DD/);
    assert.match(off.body, /value="24\/12\/2026"/);
    // Eleven characters are not cut to a date of ten.
    const long = await post("timeOff", { t0_from: "2027-01-100", intent: "save" });
    assert.equal(long.status, 400);

    // 101 entries: one more than time off holds.
    const rows: Record<string, string> = { intent: "save" };
    for (let i = 0; i <= 100; i++) {
      const day = new Date(Date.UTC(2027, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      rows[`t${i}_from`] = day;
      rows[`t${i}_to`] = day;
    }
    const many = await post("timeOff", rows);
    assert.equal(many.status, 400, `101 rows: ${many.status}`);
    assert.match(text(many.body), /At most 100 time off entries/);
    const page = await host.get("/dashboard/availability");
    assert.doesNotMatch(page.body, /value="2027-01-01"/, "nothing of the refused list was saved");
  },
});
