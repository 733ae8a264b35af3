import assert from "node:assert/strict";
import { acceptQuality } from "./accept.ts";

Deno.test("acceptQuality: the most specific matching range decides; no header accepts anything", () => {
  const json = (a: string | null) => acceptQuality(a, "application/json");
  assert.equal(json(null), 1);
  assert.equal(json("*/*"), 1);
  assert.equal(json("application/*;q=0.4"), 0.4);
  assert.equal(json("application/json, text/event-stream"), 1);
  assert.equal(json("text/html"), 0);
  assert.equal(json("application/json;q=0, */*"), 0);
  assert.equal(json("*/*;q=0.1, application/json;q=0.9"), 0.9);
  assert.equal(json("text/html, */*;q=0.8"), 0.8);
});

Deno.test("acceptQuality exact: a wildcard does not ask for the type", () => {
  const md = (a: string | null) => acceptQuality(a, "text/markdown", { exact: true });
  assert.equal(md(null), 0);
  assert.equal(md("*/*"), 0);
  assert.equal(md("text/markdown;q=0.5, text/html"), 0.5);
});
