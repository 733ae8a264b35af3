/**
 * A rule "is" / "is one of" on a number question matches the number, however the visitor writes
 * it: "10.0", "010" and "10" are the same ten seats, in any language's way of writing numbers.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { inputValue, publishedForm } from "../support/routing.ts";
import { createHost, seedStore } from "../support/memory-app.ts";

Deno.test({
  name:
    "routing forms: a number answer written as 10.0, 010 or 10,00 takes the route whose rule says it equals 10",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, app: seed, kv } = await seedStore("invito-routing-number-equals-");
    const anna = await createHost(seed, { username: "anna" });
    await publishedForm(seed, anna.id, "seats", {
      questions: [{ key: "seats", type: "number", label: "Seats", required: true }],
      routes: [{
        id: "r_ten",
        match: "all",
        conditions: [{ key: "seats", op: "equals", values: ["10"] }],
        destination: { kind: "message", text: "Ten seats: our standard plan" },
      }, {
        id: "r_few",
        match: "all",
        conditions: [{ key: "seats", op: "one_of", values: ["1", "2.5"] }],
        destination: { kind: "message", text: "A few seats: our starter plan" },
      }],
      fallback: { kind: "message", text: "Let us talk" },
    });
    kv.close();

    await using app = await startApp({ dataDir });
    try {
      const send = async (lang: string, seats: string) => {
        const visitor = createClient(app.baseUrl);
        const headers = { "accept-language": lang };
        const form = await visitor.get("/forms/anna/seats", { headers });
        assert.equal(form.status, 200);
        const res = await visitor.post("/forms/anna/seats", {
          ft: inputValue(form.body, "ft"),
          website: "",
          seats,
        }, { headers });
        assert.equal(res.status, 200, `${lang} ${seats}`);
        return res.body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
      };
      for (const [lang, seats] of [["en", "10"], ["en", "10.0"], ["en", "010"], ["de", "10,00"]]) {
        assert.match(await send(lang, seats), /Ten seats/, `${lang}: ${seats}`);
      }
      assert.match(await send("en", "1.0"), /A few seats/);
      assert.match(await send("fr", "2,50"), /A few seats/);
      assert.match(await send("en", "100"), /Let us talk/);
      assert.match(await send("en", "0.10"), /Let us talk/);
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
