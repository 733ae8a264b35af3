/**
 * Google and Microsoft answering badly, and callbacks that are not what they should be: each
 * gives the host a clear message, changes nothing stored, leaks no token, and keeps an old
 * calendar cache counting as it was (never as empty).
 */
import assert from "node:assert/strict";
import { googleFixture, startGoogle } from "../support/google.ts";
import { graphFixture, startMicrosoft } from "../support/microsoft.ts";
import { serveLocal } from "../support/local-server.ts";
import {
  connectVia,
  dayWithout,
  hostWithEventType,
  labels,
  MIN,
  providerApp,
} from "./provider-helpers.ts";
import {
  listCalendarAccounts,
  syncAccountNow,
} from "../../src/lib/server/services/calendar-accounts.ts";
import {
  finishOAuthConnect,
  startOAuthConnect,
} from "../../src/lib/server/services/calendar-oauth.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PRIMARY = "ann@example.com";

async function google() {
  const g = await startGoogle();
  g.calendars = [{ id: PRIMARY, summary: "Ann", accessRole: "owner", primary: true }];
  g.put(PRIMARY, ...googleFixture("events-week.json"));
  const app = await providerApp(g.env);
  const host = await hostWithEventType(app);
  return { g, app, host };
}

async function kvDump(kv: Deno.Kv): Promise<string> {
  const out: unknown[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    // A taken state leaves a commit receipt for an hour (ADR 038): bookkeeping, not data.
    if (e.key[0] !== "commit_receipt") out.push([e.key, e.value]);
  }
  return JSON.stringify(out);
}

Deno.test({
  ...opts,
  name:
    "oauth callback: a wrong state, a replayed callback, a replayed code, a denied consent and another host's state each give a clear message and store nothing",
  async fn() {
    const { g, app, host } = await google();
    await using _g = g;
    try {
      const empty = await kvDump(app.kv);
      const started = await startOAuthConnect(app, host, "google", null);
      assert.ok(started.ok);
      const params = new URL(started.url).searchParams;
      // PKCE and state are sent; the verifier is not.
      assert.equal(params.get("code_challenge_method"), "S256");
      assert.equal(params.get("access_type"), "offline");
      assert.equal(
        params.get("scope"),
        "https://www.googleapis.com/auth/calendar.calendarlist.readonly https://www.googleapis.com/auth/calendar.events",
      );

      const good = new URL(g.oauth.callbackFor(params));
      const wrong = new URL(good);
      wrong.searchParams.set("state", "not-the-state");
      const r1 = await finishOAuthConnect(app, host, "google", wrong);
      assert.deepEqual(r1, {
        ok: false,
        message:
          "This connection attempt has expired or was already used. Start again from the Calendars page.",
      });

      // Another host cannot finish this host's authorization.
      const intruder = { ...host, id: "01KINTRUDERINTRUDERINTRUDE" };
      assert.equal((await finishOAuthConnect(app, intruder, "google", good)).ok, false);
      // …and that attempt used the state up, as a replay would.
      const r2 = await finishOAuthConnect(app, host, "google", good);
      assert.equal(r2.ok, false);
      assert.match((r2 as { message: string }).message, /expired or was already used/);

      // A fresh start, finished properly, then the same callback again (back button, replay).
      const ok = await connectVia(app, host, "google", g.oauth);
      assert.ok(ok.result.ok);
      const after = await kvDump(app.kv);
      const replay = await finishOAuthConnect(app, host, "google", ok.callback);
      assert.equal(replay.ok, false);
      assert.match((replay as { message: string }).message, /expired or was already used/);

      // A used code under a new state (someone replaying an intercepted code) is refused by Google.
      const again = await startOAuthConnect(app, host, "google", null);
      assert.ok(again.ok);
      const stolen = new URL(ok.callback);
      stolen.searchParams.set("state", new URL(again.url).searchParams.get("state")!);
      const r3 = await finishOAuthConnect(app, host, "google", stolen);
      assert.equal(r3.ok, false);
      assert.match((r3 as { message: string }).message, /invalid_grant/);

      // Cancel on the consent page.
      const denied = await connectVia(app, host, "google", g.oauth, { allow: false });
      assert.equal(denied.result.ok, false);
      assert.match((denied.result as { message: string }).message, /access was not granted/);

      assert.equal((await listCalendarAccounts(app, host.id)).accounts.length, 1);
      const final = await kvDump(app.kv);
      // Nothing but the one connected account changed (states are consumed, not left behind).
      assert.equal(final.length > empty.length, true);
      assert.equal(
        final.replace(/"oauth_state".*?\]\]/g, ""),
        after.replace(/"oauth_state".*?\]\]/g, ""),
      );
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "google answering garbage, an HTML error page, a huge page of events, or a redirect to another host: a clear error, the old cache still counts, no token leaves",
  async fn() {
    const { g, app, host } = await google();
    await using _g = g;
    let leaked = 0;
    await using evil = serveLocal(() => {
      leaked++;
      return Response.json({ items: [] });
    });
    try {
      const { result } = await connectVia(app, host, "google", g.oauth);
      assert.ok(result.ok);
      const monday = dayWithout("10:00", "10:30");
      assert.deepEqual(await labels(app, "2026-11-23"), monday);
      const cases: [string, () => Response, RegExp][] = [
        [
          "garbage",
          () => new Response("{not json", { headers: { "content-type": "application/json" } }),
          /not JSON/,
        ],
        [
          "html",
          () => new Response("<html>Bad gateway</html>", { status: 502 }),
          /answered with an error \(502\)/,
        ],
        ["wrong shape", () => Response.json({ items: "lots" }), /not in the expected form/],
        [
          "huge page",
          () =>
            Response.json({
              items: Array.from({ length: 10_001 }, (_, i) => ({ id: `e${i}` })),
              nextSyncToken: "x",
            }),
          /more than 10000 events/,
        ],
        [
          "too many bytes",
          () =>
            new Response("x".repeat(11 * 1024 * 1024), {
              headers: { "content-type": "application/json" },
            }),
          /larger than 10 MB/,
        ],
        [
          "redirect to another host",
          () =>
            new Response(null, {
              status: 302,
              headers: { location: evil.base.replace("127.0.0.1", "localhost") + "/steal" },
            }),
          /redirected to another host/,
        ],
        [
          "redirect to another port",
          () =>
            new Response(null, {
              status: 307,
              headers: { location: `${evil.base}/calendar/v3/steal` },
            }),
          /redirected too many times/,
        ],
      ];
      for (const [name, answer, message] of cases) {
        g.override = (_req, url) => url.pathname.endsWith("/events") ? answer() : null;
        app.clock.ms += 15 * MIN;
        const res = await syncAccountNow(app, host.id, result.accountId);
        assert.equal(res?.ok, false, name);
        const dash = await listCalendarAccounts(app, host.id);
        const err = dash.accounts[0].calendars.find((c) => c.checkConflicts)!.error ?? "";
        assert.match(err, message, `${name}: ${err}`);
        assert.equal(dash.accounts[0].reconnectNeeded, false, name);
        // Within two intervals the old cache still counts as it was; never as empty.
        assert.deepEqual(await labels(app, "2026-11-23"), monday, name);
        g.override = null;
        app.clock.ms += MIN;
        assert.equal(
          (await syncAccountNow(app, host.id, result.accountId))?.ok,
          true,
          `${name}: recovers`,
        );
      }
      assert.equal(leaked, 0, "no request (and no token) reached the other host");
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "microsoft: a nextLink pointing at another host is not followed (the token stays home), and the calendar keeps its cache",
  async fn() {
    const m = await startMicrosoft();
    await using _m = m;
    let leaked = 0;
    await using evil = serveLocal(() => {
      leaked++;
      return Response.json({ value: [] });
    });
    m.calendars = [{
      id: "CAL=",
      name: "Calendar",
      canEdit: true,
      isDefaultCalendar: true,
      isRemovable: false,
    }];
    m.put("CAL=", ...graphFixture("calendar-view-week.json"));
    const app = await providerApp(m.env);
    const host = await hostWithEventType(app);
    try {
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok);
      m.override = (_req, url) =>
        url.pathname.endsWith("/delta")
          ? Response.json({
            value: [],
            "@odata.nextLink":
              `${evil.base}/v1.0/me/calendars/CAL=/calendarView/delta?$skiptoken=x`,
          })
          : null;
      app.clock.ms += 15 * MIN;
      assert.equal((await syncAccountNow(app, host.id, result.accountId))?.ok, false);
      const err = (await listCalendarAccounts(app, host.id)).accounts[0].calendars[0].error!;
      assert.match(err, /outside its API/);
      assert.equal(leaked, 0);
      assert.deepEqual(await labels(app, "2026-11-23"), dayWithout("10:00", "10:30"));
    } finally {
      app.close();
    }
  },
});
