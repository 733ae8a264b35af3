/**
 * A routing form with more responses than one read holds (issue 30), against the built server:
 * the API pages through every one of them with a cursor, the dashboard's search finds the oldest,
 * and the CSV holds them all — its cells formula-safe (`=1+2` → `'=1+2`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startApp } from "../support/app.ts";
import { createHost, memoryApp } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { signInByLink } from "../support/auth.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import { newId } from "../../src/lib/server/store/users.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import type { RoutingResponseRecord } from "../../src/lib/server/domain/model/records.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";
import { makeDataDir } from "../support/data-dir.ts";

/** More than the 1,000 the first version read before filtering. */
const COUNT = 1_150;

Deno.test({
  name:
    "e2e routing responses: the API pages through all 1,150 with a cursor, the dashboard's search finds the oldest, the CSV holds every one, formula-safe",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await makeDataDir("invito-responses-");
    const kv = await Deno.openKv(join(dataDir, "invito.kv"));
    const seed = await memoryApp({ kv, guard: false, nowIso: new Date().toISOString() });
    const host = await createHost(seed, { username: "rita", weekly: EVERY_DAY_ALL_DAY });
    const created = await createForm(seed, host.id, { title: "Ask", slug: "ask" });
    assert.ok(created.ok);
    const saved = await saveForm(seed, host.id, created.form.id, {
      title: "Ask",
      slug: "ask",
      description: "",
      active: true,
    }, {
      questions: [
        { key: "name", type: "short", label: "Name", required: true },
        { key: "company", type: "short", label: "Company", required: false },
      ],
      routes: [],
      fallback: { kind: "message", text: "Thanks!" },
    });
    assert.ok(saved.ok);
    const formId = saved.form.id;
    const key = await createApiKey(seed, host, { name: "r", scopes: ["read"], expiresAtMs: null });
    assert.ok(key.ok);
    // Responses a minute apart, oldest first; the oldest's company reads like a formula.
    const t0 = Date.now() - COUNT * 60_000;
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i += 200) {
      const op = kv.atomic();
      for (let j = i; j < Math.min(COUNT, i + 200); j++) {
        const id = newId(t0 + j * 60_000);
        ids.push(id);
        const rec: RoutingResponseRecord = {
          v: 1,
          id,
          formId,
          ownerId: host.id,
          answers: { name: `Visitor ${j}`, company: j === 0 ? "=1+2 Oldest Co" : `Co ${j}` },
          routeId: "fallback",
          destination: { kind: "message", text: "Thanks!" },
          createdAtMs: t0 + j * 60_000,
          ...(j % 2 ? { bookingId: newId(t0 + j * 60_000) } : {}),
        };
        op.set(keys.routingResponse(formId, id), rec);
      }
      assert.ok((await op.commit()).ok);
    }
    kv.close();

    const app = await startApp({ dataDir });
    try {
      const auth = { authorization: `Bearer ${key.secret}` };
      const page = async (query: string) => {
        const res = await fetch(app.url(`/api/v1/forms/${formId}/responses?${query}`), {
          headers: auth,
        });
        assert.equal(res.status, 200, await res.clone().text());
        return await res.json() as { data: { id: string }[]; nextCursor: string | null };
      };
      // Every response, newest first, each once.
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let n = 0; n < 30; n++) {
        const p = await page(`limit=100${cursor ? `&cursor=${cursor}` : ""}`);
        seen.push(...p.data.map((r) => r.id));
        cursor = p.nextCursor;
        if (!cursor) break;
      }
      assert.equal(seen.length, COUNT);
      assert.deepEqual(seen, [...ids].reverse());
      // With a filter too: the unbooked half.
      const unbooked: string[] = [];
      cursor = null;
      for (let n = 0; n < 30; n++) {
        const p = await page(`booked=no&limit=100${cursor ? `&cursor=${cursor}` : ""}`);
        unbooked.push(...p.data.map((r) => r.id));
        cursor = p.nextCursor;
        if (!cursor) break;
      }
      assert.equal(unbooked.length, COUNT / 2);
      assert.equal(unbooked.at(-1), ids[0], "the oldest is reached");
      // The default page, and a cursor that is none.
      assert.equal((await page("")).data.length, 50);
      const bad = await fetch(app.url(`/api/v1/forms/${formId}/responses?cursor=nope`), {
        headers: auth,
      });
      assert.equal(bad.status, 400);
      await bad.body?.cancel();

      // The dashboard: the count covers all, the search finds the oldest.
      const c = await signInByLink(app, "rita@example.test");
      const all = await c.get(`/dashboard/routing/${formId}/responses`);
      assert.match(all.body, /1,150 responses/);
      const oldest = await c.get(`/dashboard/routing/${formId}/responses?q=oldest`);
      assert.match(oldest.body, /1 response\b/);
      assert.match(oldest.body, /Visitor 0</);

      // The CSV: a header and every response; the formula-like answer neutralised.
      const csv = await c.get(`/dashboard/routing/${formId}/responses.csv`);
      assert.equal(csv.status, 200);
      const rows = parseCsv(csv.body);
      assert.equal(rows.length, COUNT + 1);
      assert.deepEqual(rows[0].slice(-2), ["Name", "Company"]);
      assert.deepEqual(rows.at(-1)!.slice(-2), ["Visitor 0", "'=1+2 Oldest Co"]);
      const searched = parseCsv(
        (await c.get(`/dashboard/routing/${formId}/responses.csv?q=oldest`)).body,
      );
      assert.equal(searched.length, 2);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
