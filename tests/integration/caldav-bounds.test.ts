/**
 * What a hostile or broken CalDAV server can do to a sync: expansion bombs (which also hang
 * Radicale's own time-range filter, so a scripted server serves them), malformed XML, 5xx and
 * oversized replies. Each one ends bounded in time, keeps the old cache and never reads as
 * "the calendar is empty".
 */
import assert from "node:assert/strict";
import { serveLocal } from "../support/local-server.ts";
import { MIN, NOW_ISO } from "./caldav-helpers.ts";
import { createEventType, createHost, memoryApp, WORKDAYS } from "../support/memory-app.ts";
import {
  addCalendarAccount,
  listCalendarAccounts,
  syncAccountNow,
} from "../../src/lib/server/services/calendar-accounts.ts";
import { calendarBusy } from "../../src/lib/server/services/calendar-busy.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const FIXTURES = new URL("../fixtures/ics/", import.meta.url);
const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
const ok = "<d:status>HTTP/1.1 200 OK</d:status>";
const ms = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">${body}</d:multistatus>`;

type Mode = "events" | "malformed" | "unavailable" | "huge";

/** A scripted CalDAV server: one principal, one calendar, whatever REPORT answer the test wants. */
function fakeCaldav(events: Record<string, string>) {
  const state = { mode: "events" as Mode, ctag: 1, events };
  const server = serveLocal(async (req) => {
    const path = new URL(req.url).pathname;
    await req.body?.cancel();
    const xml = (body: string, status = 207) =>
      new Response(body, { status, headers: { "content-type": "application/xml; charset=utf-8" } });
    if (req.method === "PROPFIND" && req.headers.get("depth") === "1") {
      return xml(ms(
        `<d:response><d:href>/home/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop>${ok}</d:propstat></d:response>` +
          `<d:response><d:href>/home/cal/</d:href><d:propstat><d:prop><d:displayname>Scripted</d:displayname><d:resourcetype><d:collection/><c:calendar/></d:resourcetype><cs:getctag>"ctag-${state.ctag}"</cs:getctag></d:prop>${ok}</d:propstat></d:response>`,
      ));
    }
    if (req.method === "PROPFIND") {
      return xml(ms(
        `<d:response><d:href>${path}</d:href><d:propstat><d:prop><d:current-user-principal><d:href>/p/</d:href></d:current-user-principal><c:calendar-home-set><d:href>/home/</d:href></c:calendar-home-set></d:prop>${ok}</d:propstat></d:response>`,
      ));
    }
    if (req.method === "REPORT") {
      if (state.mode === "unavailable") return new Response("Service Unavailable", { status: 503 });
      if (state.mode === "malformed") {
        return xml(
          `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/home/cal/a.ics</d:hr`,
        );
      }
      if (state.mode === "huge") return xml(ms(`<!-- ${"x".repeat(11 * 1024 * 1024)} -->`));
      return xml(
        ms(
          Object.entries(state.events).map(([name, ics]) =>
            `<d:response><d:href>/home/cal/${name}</d:href><d:propstat><d:prop><d:getetag>"${name}-${state.ctag}"</d:getetag><c:calendar-data>${
              esc(ics)
            }</c:calendar-data></d:prop>${ok}</d:propstat></d:response>`
          ).join(""),
        ),
      );
    }
    return new Response("no", { status: 405 });
  });
  return {
    url: `${server.base}/`,
    state,
    [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
  };
}

const ORDINARY = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//t//EN",
  "BEGIN:VEVENT",
  "UID:ordinary@test",
  "DTSTAMP:20261101T000000Z",
  "DTSTART:20261123T090000Z",
  "DTEND:20261123T100000Z",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

async function setup(events: Record<string, string>) {
  const fake = fakeCaldav(events);
  const app = await memoryApp({ nowIso: NOW_ISO, env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" } });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call" });
  const started = performance.now();
  const added = await addCalendarAccount(app, host, {
    serverUrl: fake.url,
    username: "u",
    password: "p",
  });
  const tookMs = performance.now() - started;
  assert.ok(added.ok, JSON.stringify(added));
  return { fake, app, host, accountId: added.accountId, tookMs };
}

const MON = [Date.parse("2026-11-23T00:00:00Z"), Date.parse("2026-11-24T00:00:00Z")] as const;

Deno.test({
  ...opts,
  name:
    "caldav bounds: a calendar holding expansion bombs syncs within a time cap, skips the bombs and still blocks its ordinary events",
  async fn() {
    const bombs = Object.fromEntries(
      ["bomb-secondly.ics", "bomb-huge-count.ics", "bomb-bysetpos.ics"].map((
        f,
      ) => [f, Deno.readTextFileSync(new URL(f, FIXTURES))]),
    );
    const { fake, app, host, tookMs } = await setup({ ...bombs, "ordinary.ics": ORDINARY });
    await using _ = fake;
    try {
      assert.ok(tookMs < 4_000, `connect + first sync took ${tookMs.toFixed(0)} ms`);
      const busy = await calendarBusy(app, host.id, ...MON, app.now());
      assert.deepEqual(busy.unknown, []);
      assert.deepEqual(busy.busy, [{
        startMs: Date.parse("2026-11-23T09:00:00Z"),
        endMs: Date.parse("2026-11-23T10:00:00Z"),
      }]);
      const skipped = (await listCalendarAccounts(app, host.id)).accounts[0].calendars[0].skipped
        .map((s) => s.uid).sort();
      // The "fifth Monday since 1900" of bomb-bysetpos.ics is an ordinary rule walked from near
      // the window (it blocks 30 November), not a bomb.
      assert.deepEqual(skipped, [
        "bomb-bysetpos-3@bomb.example",
        "bomb-count@bomb.example",
        "bomb-secondly@bomb.example",
      ]);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "caldav bounds: malformed XML, a 503 and an 11 MB reply are errors that keep the old cache (never an empty calendar) until it is too old",
  async fn() {
    const { fake, app, host, accountId } = await setup({ "ordinary.ics": ORDINARY });
    await using _ = fake;
    try {
      const expected = [{
        startMs: Date.parse("2026-11-23T09:00:00Z"),
        endMs: Date.parse("2026-11-23T10:00:00Z"),
      }];
      const cases: [Mode, RegExp][] = [
        ["malformed", /reply .*could not be read|not valid XML/],
        ["unavailable", /answered with an error \(503\)/],
        ["huge", /larger than 10 MB/],
      ];
      for (const [mode, message] of cases) {
        fake.state.mode = mode;
        fake.state.ctag++; // "something changed": the calendar must be read again
        app.clock.ms += 5 * MIN;
        const res = await syncAccountNow(app, host.id, accountId);
        assert.ok(res && !res.ok, mode);
        const view = (await listCalendarAccounts(app, host.id)).accounts[0];
        assert.match(view.error ?? "", message, `${mode}: ${view.error}`);
        assert.deepEqual(
          (await calendarBusy(app, host.id, ...MON, app.now())).busy,
          expected,
          `${mode}: the old cache still blocks`,
        );
      }
      // 15 minutes since the last good read: still trusted. Past 30: unknown, so no slots.
      app.clock.ms += 16 * MIN;
      const stale = await calendarBusy(app, host.id, ...MON, app.now());
      assert.deepEqual(stale.unknown, [{ startMs: MON[0], endMs: MON[1] }]);
      fake.state.mode = "events";
      fake.state.ctag++;
      assert.ok((await syncAccountNow(app, host.id, accountId))?.ok);
      assert.deepEqual(await calendarBusy(app, host.id, ...MON, app.now()), {
        busy: expected,
        unknown: [],
      });
    } finally {
      app.close();
    }
  },
});
