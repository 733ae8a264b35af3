/**
 * A number question answered as people write numbers in the form page's language: a German phone
 * shows a decimal comma on the keypad the field asks for (`inputmode="decimal"`), and "1.500" is
 * fifteen hundred to a German reader, "1,500" to an English one. The answer is read as written
 * there, stored and routed as the number it is, and a number the language cannot mean is refused.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { inputValue, publishedForm } from "../support/routing.ts";
import type { RoutingResponseRecord } from "../../src/lib/server/domain/model/records.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import { createHost, seedStore } from "../support/memory-app.ts";

Deno.test({
  name:
    "routing forms: number answers are read as the page's language writes them (1.500 and 2,5 in German, 1,500 in English), stored as numbers and routed by them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath, app: seed, kv } = await seedStore("invito-routing-number-");
    const anna = await createHost(seed, { username: "anna" });
    const formId = await publishedForm(seed, anna.id, "sizing", {
      questions: [
        { key: "size", type: "number", label: "Company size", required: true },
        { key: "years", type: "number", label: "Years in business", required: false },
      ],
      routes: [{
        id: "r_big",
        match: "all",
        conditions: [{ key: "size", op: "gte", values: ["1000"] }],
        destination: { kind: "message", text: "Enterprise" },
      }],
      fallback: { kind: "message", text: "Small business" },
    }, "Sizing");
    kv.close();

    const app = await startApp({ dataDir });
    try {
      const send = async (lang: string, answers: Record<string, string>) => {
        const visitor = createClient(app.baseUrl);
        const headers = { "accept-language": lang };
        const form = await visitor.get("/forms/anna/sizing", { headers });
        assert.equal(form.status, 200);
        const res = await visitor.post("/forms/anna/sizing", {
          ft: inputValue(form.body, "ft"),
          website: "",
          ...answers,
        }, { headers });
        return res.body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
      };
      const de = await send("de", { size: "1.500", years: "2,5" });
      assert.match(de, /Enterprise/, "1.500 is fifteen hundred in German");
      assert.match(await send("de", { size: "12,5" }), /Small business/);
      assert.match(await send("en", { size: "1,500" }), /Enterprise/);
      assert.match(await send("fr", { size: "1\u202f500" }), /Enterprise/);
      // A comma in English is a thousands separator: "1,5" is no number there, and is refused.
      const en = await send("en", { size: "1,5" });
      assert.match(en, /Please enter a number\./);
      await app.stop();
      // The host reads the numbers as numbers, whatever language they came in.
      const db = await Deno.openKv(dbPath);
      const stored: RoutingResponseRecord[] = [];
      for await (
        const e of db.list<RoutingResponseRecord>({
          prefix: keys.routingResponsePrefix(formId),
        })
      ) stored.push(e.value);
      db.close();
      assert.deepEqual(
        stored.sort((a, b) => a.createdAtMs - b.createdAtMs).map((r) => r.answers),
        [{ size: "1500", years: "2.5" }, { size: "12.5" }, { size: "1500" }, { size: "1500" }],
      );
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
