/**
 * Connecting a CalDAV account where a host's setup is a little unusual, against a real Radicale:
 * the same account entered a second time by another address, a server that asks to slow down,
 * an address that redirects to the server on another port, and the words a host reads when an
 * account that worked stops answering.
 */
import assert from "node:assert/strict";
import { serveLocal } from "../support/local-server.ts";
import { startRadicale } from "../support/radicale.ts";
import {
  addCalendarAccount,
  listCalendarAccounts,
} from "../../src/lib/server/services/calendar-accounts.ts";
import { describeCalendarError } from "../../src/lib/server/integrations/calendar-provider.ts";
import { UNREACHABLE } from "../../src/lib/shared/system-reasons.ts";
import { createHost, memoryApp } from "../support/memory-app.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "caldav accounts: the same account entered again by its calendar's address is refused as already connected",
  async fn() {
    await using dav = await startRadicale();
    await dav.mkcalendar("work", "Work");
    const app = await memoryApp({ env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" } });
    try {
      const host = await createHost(app);
      const creds = { username: dav.username, password: dav.password };
      const first = await addCalendarAccount(app, host, { serverUrl: dav.url, ...creds });
      assert.ok(first.ok, JSON.stringify(first));
      const again = await addCalendarAccount(app, host, {
        serverUrl: dav.calendarUrl("work"),
        ...creds,
      });
      assert.ok(!again.ok);
      assert.match(!again.ok ? again.message : "", /already connected/);
      assert.equal((await listCalendarAccounts(app, host.id)).accounts.length, 1);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "caldav accounts: a server answering 429 is said to limit requests, not to be no CalDAV server; an address that redirects to the server on another port connects",
  async fn() {
    await using dav = await startRadicale();
    await dav.mkcalendar("work", "Work");
    await using busy = serveLocal(() =>
      new Response("slow down", { status: 429, headers: { "retry-after": "120" } })
    );
    // The address the host was given answers with a redirect to the server's own port.
    await using moved = serveLocal((req) => {
      const u = new URL(req.url);
      return new Response(null, { status: 301, headers: { location: dav.url + u.pathname } });
    });
    const app = await memoryApp({ env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" } });
    try {
      const host = await createHost(app);
      const creds = { username: dav.username, password: dav.password };
      const limited = await addCalendarAccount(app, host, { serverUrl: busy.base, ...creds });
      assert.ok(!limited.ok);
      const said = !limited.ok ? limited.message : "";
      assert.match(said, /limiting requests \(429\)/, said);
      assert.doesNotMatch(said, /does not look like a CalDAV/);

      const viaRedirect = await addCalendarAccount(app, host, { serverUrl: moved.base, ...creds });
      assert.ok(viaRedirect.ok, JSON.stringify(viaRedirect));
      assert.equal(viaRedirect.ok && viaRedirect.calendars, 1);
    } finally {
      app.close();
    }
  },
});

Deno.test("caldav errors: an account that stops answering during a sync or a write is retried, and the host is not told to check an address that worked", () => {
  const unreachable = { kind: "network" as const, detail: UNREACHABLE };
  const connecting = describeCalendarError(unreachable, "caldav");
  assert.match(connecting, /Check the address/, "while connecting, the address is the suspect");
  const later = describeCalendarError(unreachable, "caldav", undefined, { retrying: true });
  assert.match(later, /^The calendar server could not be reached: .*Invito will try again\.$/);
  assert.doesNotMatch(later, /Check the address/);
});

Deno.test("caldav accounts: a password or address longer than taken is said to be too long, not asked for again", async () => {
  const app = await memoryApp();
  try {
    const host = await createHost(app);
    const long = await addCalendarAccount(app, host, {
      serverUrl: "https://cloud.example.com",
      username: "ann",
      password: "p".repeat(600),
    });
    assert.deepEqual(long, {
      ok: false,
      field: "password",
      message: "Too long: at most 500 characters",
    });
    const far = await addCalendarAccount(app, host, {
      serverUrl: `https://cloud.example.com/${"x".repeat(2100)}`,
      username: "ann",
      password: "p",
    });
    assert.ok(
      !far.ok && far.field === "serverUrl" &&
        /^Too long: at most 2,000 characters$/.test(far.message),
    );
  } finally {
    app.close();
  }
});
