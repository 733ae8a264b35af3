import assert from "node:assert/strict";
import { keys } from "./keys.ts";
import {
  eraseRoutingResponses,
  insertRoutingForm,
  insertRoutingResponse,
  removeRoutingForm,
  responseEmail,
} from "./routing-forms.ts";
import type {
  RoutingFormRecord,
  RoutingResponseRecord,
  RoutingResponseRefRecord,
} from "../domain/model/records.ts";

const NOW = Date.parse("2026-11-27T09:00:00Z");
const OWNER = "01JOWNER000000000000000000";

const form: RoutingFormRecord = {
  v: 1,
  id: "01JFORM0000000000000000000",
  ownerId: OWNER,
  slug: "contact",
  title: "Contact",
  description: "",
  active: true,
  definition: { questions: [], routes: [], fallback: { kind: "message", text: "Thanks" } },
  createdAtMs: NOW,
  updatedAtMs: NOW,
};

const response = (
  id: string,
  answers: RoutingResponseRecord["answers"],
): RoutingResponseRecord => ({
  v: 1,
  id,
  formId: form.id,
  ownerId: OWNER,
  answers,
  routeId: "fallback",
  destination: form.definition.fallback,
  createdAtMs: NOW,
});

async function pointers(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list({ prefix: ["routing_response_by_email"] })) {
    out.push(String(e.key[2]));
  }
  return out;
}

Deno.test("responseEmail: the guest's address is an answer the forms' one rule takes, not any text with an @", () => {
  // A Skype name before the address question: it was taken as the guest's address, so erasing
  // the guest by their address did not find their answers.
  assert.equal(
    responseEmail({ answers: { skype: "live:ann@outlook.com", contact: "O'Brien@example.ie" } }),
    "o'brien@example.ie",
  );
  assert.equal(responseEmail({ answers: { email: "call me @ 5", other: "a@b" } }), null);
  assert.equal(
    responseEmail({ answers: { other: "bo@example.test", email: "ann@example.test" } }),
    "ann@example.test",
    "the `email` answer first",
  );
});

Deno.test("removeRoutingForm: a pointer written under an older, looser rule goes with its form", async () => {
  using kv = await Deno.openKv(":memory:");
  assert.ok(await insertRoutingForm(kv, form));
  const fresh = response("01JRESP0000000000000000001", { contact: "ann@example.test" });
  await insertRoutingResponse(kv, fresh);
  // Stored before the one rule: its pointer names what `responseEmail` no longer picks.
  const old = response("01JRESP0000000000000000002", { email: "Call me @ 5", n: "x@y.z" });
  const ref: RoutingResponseRefRecord = {
    v: 1,
    ownerId: OWNER,
    formId: form.id,
    responseId: old.id,
  };
  await kv.atomic()
    .set(keys.routingResponse(form.id, old.id), old)
    .set(keys.routingResponseByEmail(OWNER, "call me @ 5", old.id), ref)
    .commit();
  assert.deepEqual((await pointers(kv)).sort(), ["ann@example.test", "call me @ 5"]);

  await removeRoutingForm(kv, form);
  assert.deepEqual(await pointers(kv), [], "no pointer names a guest of a deleted form");
});

Deno.test("eraseRoutingResponses: a guest is found by the address they typed, case aside", async () => {
  using kv = await Deno.openKv(":memory:");
  assert.ok(await insertRoutingForm(kv, form));
  const r = response("01JRESP0000000000000000003", {
    skype: "live:ann@outlook.com",
    contact: "O'Brien@example.ie",
  });
  await insertRoutingResponse(kv, r);
  assert.equal(await eraseRoutingResponses(kv, OWNER, "o'brien@EXAMPLE.ie", [], NOW), 1);
  const after = await kv.get<RoutingResponseRecord>(keys.routingResponse(form.id, r.id));
  assert.deepEqual(after.value?.answers, {});
});
