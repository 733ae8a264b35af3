/**
 * What a host changes shows at once on a booking page another process keeps (ADR 039, 049):
 * two servers on one remote KV (the KV Connect test server), and a third writer making each
 * change through the service the host's dashboard calls. Each case views the page twice on B
 * (the second kept, and answered before SvelteKit), changes a setting, and views again: the
 * change must show on that very view, not once the minute rolls over.
 *
 * The store-level rule (every settings write sets its owner's revision) is held in
 * store/revisions.test.ts; this is the same rule as a guest meets it, including what the hooks
 * decide before the page cache reads the revision (the page's language).
 */
import assert from "node:assert/strict";
import { startCluster } from "../support/cluster.ts";
import type { AppHandle } from "../support/app.ts";
import { memoryApp, type TestApp } from "../support/memory-app.ts";
import { getUserByUsername } from "../../src/lib/server/store/users.ts";
import { getEventTypeBySlug } from "../../src/lib/server/store/event-types.ts";
import { editEventType, setEventTypeActive } from "../../src/lib/server/services/event-types.ts";
import { updateProfile } from "../../src/lib/server/services/profile.ts";
import type { EventTypeInput } from "../../src/lib/shared/forms/event-types.ts";
import type { EventTypeRecord, UserRecord } from "../../src/lib/server/domain/model/records.ts";

const PAGE = "/calendar/demo/intro-call?tz=UTC";

async function view(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { headers });
  const body = await res.text();
  return { status: res.status, body, lang: /<html lang="([^"]+)"/.exec(body)?.[1] ?? null };
}

/** The host, as a third process: an App over the cluster's store, its clock the real one. */
async function hostSide(kv: Deno.Kv) {
  const app: TestApp = await memoryApp({ kv, guard: false });
  const host = async (): Promise<UserRecord> => (await getUserByUsername(kv, "demo"))!;
  const et = async (): Promise<EventTypeRecord> =>
    (await getEventTypeBySlug(kv, (await host()).id, "intro-call"))!;
  /** Saves the event type form with `patch` applied, as the dashboard does. */
  const edit = async (patch: Partial<EventTypeInput>) => {
    app.clock.ms = Date.now();
    const { id: _i, userId: _u, createdAtMs: _c, updatedAtMs: _m, v: _v, ...input } = await et();
    const res = await editEventType(app, await host(), (await et()).id, {
      ...(input as unknown as EventTypeInput),
      locations: input.locations ?? [],
      ...patch,
    });
    assert.ok(res.ok, JSON.stringify(res));
  };
  return { app, host, et, edit };
}

/**
 * Two servers on one remote KV (the KV Connect test server, cron off), and the host as a third
 * process; `b` is the second server.
 */
async function twoServers(
  fn: (b: AppHandle, h: Awaited<ReturnType<typeof hostSide>>) => Promise<void>,
) {
  await using c = await startCluster({
    processes: 2,
    demo: true,
    env: { INVITO_DISABLE_CRON: "true" },
  });
  const kv = await c.openKv();
  try {
    await fn(c.apps[1], await hostSide(kv));
  } finally {
    kv.close();
  }
}

Deno.test({
  name:
    "settings fresh across processes: an event type's title and length, the host's name and zone, and deactivating show on the next view of a page another process keeps",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    twoServers(async (b, h) => {
      /** B's page viewed twice (kept from the second view on), then `change`, then once more. */
      const around = async (change: () => Promise<void>) => {
        const first = await view(b.baseUrl, PAGE);
        assert.equal(first.status, 200);
        assert.equal((await view(b.baseUrl, PAGE)).body.length > 0, true);
        await change();
        return await view(b.baseUrl, PAGE);
      };

      // The title and the meeting's length (the event type form).
      let after = await around(() => h.edit({ title: "Hello there", durationMin: 45 }));
      assert.match(after.body, /<title>[^<]*Hello there/, "the new title at once");
      assert.match(after.body, /durationMin:45/, "the new length at once");

      // The host's name and time zone (the profile form).
      after = await around(async () => {
        h.app.clock.ms = Date.now();
        const u = await h.host();
        const res = await updateProfile(h.app, u, {
          name: "Demo Renamed",
          username: u.username,
          timeZone: "Pacific/Auckland",
        });
        assert.ok(res.ok, JSON.stringify(res));
      });
      assert.match(after.body, /Demo Renamed/, "the new name at once");
      assert.match(after.body, /Pacific\/Auckland/, "the new zone at once");

      // Deactivated: the page is gone at once; active again: back at once.
      after = await around(async () => {
        h.app.clock.ms = Date.now();
        assert.ok((await setEventTypeActive(h.app, await h.host(), (await h.et()).id, false)).ok);
      });
      assert.equal(after.status, 404, "a deactivated event type is not offered");
      h.app.clock.ms = Date.now();
      assert.ok((await setEventTypeActive(h.app, await h.host(), (await h.et()).id, true)).ok);
      assert.equal((await view(b.baseUrl, PAGE)).status, 200, "active again at once");
    }),
});

Deno.test({
  name:
    "settings fresh across processes: a page language the host fixes shows on the next view of an address the other process had not been asked for yet, and stays (not the old language kept for the minute)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    twoServers(async (b, h) => {
      const en = { "accept-language": "en" };
      // B serves the page twice: the host's settings are in its copy, vouched by the revision
      // it has just read.
      assert.equal((await view(b.baseUrl, PAGE, en)).lang, "en");
      assert.equal((await view(b.baseUrl, PAGE, en)).lang, "en");
      await h.edit({ language: "de" });
      // Another day of the same page (an address B has not answered yet), viewed at once and
      // again: both in the language the host fixed.
      const other = `${PAGE}&month=${new Date().toISOString().slice(0, 7)}`;
      const first = await view(b.baseUrl, other, en);
      const again = await view(b.baseUrl, other, en);
      assert.deepEqual(
        [first.lang, again.lang],
        ["de", "de"],
        "the fixed language on the first view and the next (kept) one",
      );
      assert.equal((await view(b.baseUrl, PAGE, en)).lang, "de", "the page B had kept too");
    }),
});

Deno.test({
  name:
    "settings fresh across processes: a host renamed in one process has their old address redirect to the new one on the next view in another, which had kept the page",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    twoServers(async (b, h) => {
      const renamed = PAGE.replace("demo", "demo-renamed");
      assert.equal((await view(b.baseUrl, PAGE)).status, 200);
      assert.equal((await view(b.baseUrl, PAGE)).status, 200);
      // The new address, asked before the rename (a typo, a guess): nobody's yet.
      assert.equal((await view(b.baseUrl, renamed)).status, 404);
      assert.equal((await view(b.baseUrl, "/calendar/demo-renamed")).status, 404);
      h.app.clock.ms = Date.now();
      const u = await h.host();
      const res = await updateProfile(h.app, u, {
        name: u.name,
        username: "demo-renamed",
        timeZone: u.timeZone,
      });
      assert.ok(res.ok, JSON.stringify(res));
      // A guest with the old link, at once: sent to the new address, never a 404.
      for (const path of [PAGE, "/calendar/demo"]) {
        const old = await fetch(b.baseUrl + path, { redirect: "manual" });
        await old.body?.cancel();
        assert.equal(old.status, 301, `${path}: ${old.status}`);
        assert.equal(
          old.headers.get("location"),
          path.replace("/calendar/demo", "/calendar/demo-renamed"),
        );
      }
      assert.equal((await view(b.baseUrl, renamed)).status, 200);
      assert.equal((await view(b.baseUrl, "/calendar/demo-renamed")).status, 200);
    }),
});
