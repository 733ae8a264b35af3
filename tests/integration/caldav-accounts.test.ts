/**
 * Connecting CalDAV accounts against a real Radicale: discovery, the messages a host reads for
 * wrong credentials or an address that is not CalDAV, the SSRF guard, credentials sealed at
 * rest, and removal taking the cached busy time with it.
 */
import assert from "node:assert/strict";
import { serveLocal } from "../support/local-server.ts";
import { setupCaldav, vevent } from "./caldav-helpers.ts";
import { startRadicale } from "../support/radicale.ts";
import { connect, discoverAccount } from "../../src/lib/server/integrations/caldav.ts";
import {
  addCalendarAccount,
  listCalendarAccounts,
  removeCalendarAccount,
  syncAccountNow,
} from "../../src/lib/server/services/calendar-accounts.ts";
import { calendarBusy } from "../../src/lib/server/services/calendar-busy.ts";
import { createHost, memoryApp } from "../support/memory-app.ts";
import { unseal } from "../../src/lib/server/integrations/crypto.ts";
import type { CalendarAccountRecord } from "../../src/lib/server/domain/model/records.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** A web server that is not a CalDAV server: an HTML page for every path, and counts requests. */
function startWebsite(status = 200) {
  let hits = 0;
  const server = serveLocal(() => {
    hits++;
    return new Response("<!doctype html><title>Welcome</title><h1>Our shop</h1>", {
      status,
      headers: { "content-type": "text/html" },
    });
  });
  return {
    url: server.base,
    hits: () => hits,
    [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
  };
}

Deno.test({
  ...opts,
  name:
    "caldav discovery: from the server root, well-known → principal → calendar home finds every event calendar",
  async fn() {
    await using dav = await startRadicale();
    await dav.mkcalendar("work", "Work");
    await dav.mkcalendar("family", "Family & friends");
    const conn = connect({ username: dav.username, password: dav.password }, {
      allowPrivate: true,
    });
    const found = await discoverAccount(conn, dav.url);
    assert.ok(found.ok, JSON.stringify(found));
    assert.equal(found.principalUrl, `${dav.url}/alice/`);
    assert.equal(found.homeUrl, `${dav.url}/alice/`);
    assert.deepEqual(found.calendars.map((c) => [c.displayName, c.url, c.writable]).sort(), [
      ["Family & friends", dav.calendarUrl("family"), true],
      ["Work", dav.calendarUrl("work"), true],
    ]);
    assert.ok(found.calendars.every((c) => c.ctag && c.syncToken));
    // An address with a path (the principal itself) works too.
    const again = await discoverAccount(conn, `${dav.url}/alice/`);
    assert.ok(again.ok && again.calendars.length === 2);
  },
});

Deno.test({
  ...opts,
  name:
    "caldav accounts: wrong credentials, an address that is not CalDAV, and a private address each give a clear message and store nothing",
  async fn() {
    await using dav = await startRadicale();
    await dav.mkcalendar("work");
    await using site = await startWebsite();
    await using missing = await startWebsite(404);
    const app = await memoryApp({ env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" } });
    const strict = await memoryApp({ kv: app.kv });
    try {
      const host = await createHost(app);
      const wrong = await addCalendarAccount(app, host, {
        serverUrl: dav.url,
        username: "alice",
        password: "not-the-password",
      });
      assert.equal(wrong.ok, false);
      assert.ok(!wrong.ok && wrong.field === "password");
      assert.match(!wrong.ok ? wrong.message : "", /did not accept the username and password/);

      for (const url of [site.url, missing.url + "/dav/"]) {
        const notDav = await addCalendarAccount(app, host, {
          serverUrl: url,
          username: "alice",
          password: "x",
        });
        assert.ok(!notDav.ok && notDav.field === "serverUrl", url);
        assert.match(!notDav.ok ? notDav.message : "", /does not look like a CalDAV server/, url);
      }

      const before = site.hits();
      const refused = await addCalendarAccount(strict, host, {
        serverUrl: site.url,
        username: "alice",
        password: "x",
      });
      assert.ok(!refused.ok && refused.field === "serverUrl");
      assert.match(
        !refused.ok ? refused.message : "",
        // The same words as a server that is down (no port-scan oracle, issue 10 #9).
        /^The calendar server could not be reached\. Check the address/,
      );
      assert.equal(site.hits(), before, "not a single request went out");

      const bad = await addCalendarAccount(app, host, {
        serverUrl: "ftp://files.example.com",
        username: "a",
        password: "b",
      });
      assert.ok(!bad.ok && bad.field === "serverUrl");
      assert.equal((await listCalendarAccounts(app, host.id)).accounts.length, 0);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "caldav accounts: the password is stored sealed (AES-GCM with a key id) and appears nowhere in KV or in the dashboard view",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    const dump: string[] = [];
    let account: CalendarAccountRecord | null = null;
    for await (const e of app.kv.list({ prefix: [] })) {
      dump.push(JSON.stringify([e.key, e.value]));
      if (e.key[0] === "calendar_account") account = e.value as CalendarAccountRecord;
    }
    assert.ok(account);
    assert.ok(!dump.some((d) => d.includes(dav.password)));
    assert.deepEqual(Object.keys(account.password).sort(), ["ct", "iv", "kid", "v"]);
    assert.equal(await unseal(app.credentialKey, account.password), dav.password);
    const view = JSON.stringify(await listCalendarAccounts(app, host.id));
    assert.ok(!view.includes(dav.password) && !view.includes(account.password.ct));
  },
});

Deno.test({
  ...opts,
  name:
    "caldav accounts: connecting the same account twice is refused; removing an account removes its busy windows and writeback choice",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    const twice = await addCalendarAccount(app, host, {
      serverUrl: dav.url,
      username: dav.username,
      password: dav.password,
    });
    assert.ok(!twice.ok && /already connected/.test(twice.message));

    await dav.putIcs(
      "work",
      "a.ics",
      vevent("a@test", ["DTSTART:20261123T090000Z", "DTEND:20261123T100000Z"]),
    );
    await syncAccountNow(app, host.id, s.accountId);
    const range = [Date.parse("2026-11-23T00:00:00Z"), Date.parse("2026-11-24T00:00:00Z")] as const;
    assert.equal((await calendarBusy(app, host.id, ...range, app.now())).busy.length, 1);
    assert.ok(await removeCalendarAccount(app, host.id, s.accountId));
    assert.deepEqual(await calendarBusy(app, host.id, ...range, app.now()), {
      busy: [],
      unknown: [],
    });
    for (
      const prefix of [
        "calendar_account",
        "calendar",
        "calendar_busy_head",
        "calendar_busy",
        "calendar_busy_manifest",
        "calendar_writeback",
      ]
    ) {
      const left = [];
      for await (const e of app.kv.list({ prefix: [prefix] })) left.push(e.key);
      assert.deepEqual(left, [], prefix);
    }
    assert.equal(await removeCalendarAccount(app, host.id, s.accountId), false);
  },
});
