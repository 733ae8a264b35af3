import assert from "node:assert/strict";
import {
  type DavConnection,
  deleteEvent,
  discoverAccount,
  listCalendars,
  putEvent,
  queryEvents,
  sameSite,
} from "./caldav.ts";
import { describeCalendarError } from "./calendar-provider.ts";
import { detailIn } from "./provider-details.ts";
import { translator } from "../i18n.ts";

Deno.test("sameSite: the password goes to the account's host or a sibling under its parent domain, nowhere else", () => {
  assert.equal(
    sameSite("https://p45-caldav.icloud.com/123/calendars/", "https://caldav.icloud.com/"),
    true,
  );
  assert.equal(sameSite("http://127.0.0.1:5232/alice/", "http://127.0.0.1:5232/"), true);
  assert.equal(
    sameSite("https://attacker.example/cal/", "https://cloud.example.com/remote.php/dav"),
    false,
  );
  assert.equal(
    sameSite("https://evil.icloud.com.attacker.net/", "https://caldav.icloud.com/"),
    false,
  );
  assert.equal(sameSite("http://10.0.0.2/", "http://10.0.0.1/"), false);
});

/** A connection whose server answers every request with `status` and no body. */
const answering = (status: number): DavConnection => ({
  fetch: () => Promise.resolve(new Response(null, { status })),
  headers: {},
});

Deno.test("CalDAV errors a German host reads: a refused calendar list (403) and a calendar not found (404) are said in German, not in English inside German", async () => {
  const de = translator("de");
  const refused = await listCalendars(answering(403), "https://dav.example.test/cal/ann/");
  assert.ok(!refused.ok);
  assert.equal(
    describeCalendarError(refused.error, "caldav", de),
    "Anmeldung fehlgeschlagen: Der Server hat den Zugriff auf die Kalenderliste verweigert (403). Prüfen Sie Benutzername und Passwort; bei Zwei-Faktor-Anmeldung verwenden Sie ein App-Passwort.",
  );
  const missing = await queryEvents(answering(404), "https://dav.example.test/cal/ann/work/", {
    fromMs: 0,
    toMs: 86_400_000,
  });
  assert.ok(!missing.ok);
  assert.equal(
    describeCalendarError(missing.error, "caldav", de),
    "Das sieht nicht nach einem CalDAV-Kalender aus: Der Kalender wurde nicht gefunden (404). Prüfen Sie die Adresse (bei Nextcloud endet sie auf /remote.php/dav).",
  );
});

Deno.test("CalDAV errors: every failure a CalDAV server can cause here reads in the host's language (the pseudo-locale marks each translated one)", async () => {
  const xa = translator("en-XA");
  const conn = (status: number, body: string | null = null): DavConnection => ({
    fetch: () => Promise.resolve(new Response(body, { status })),
    headers: {},
  });
  const cal = "https://dav.example.test/cal/ann/work/";
  const range = { fromMs: 0, toMs: 86_400_000 };
  const failures = [
    ...await Promise.all([401, 403, 404, 405, 408, 418, 429, 500, 503].flatMap((s) => [
      listCalendars(conn(s), "https://dav.example.test/cal/ann/"),
      queryEvents(conn(s), cal, range),
      putEvent(conn(s), `${cal}x.ics`, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
      deleteEvent(conn(s), `${cal}x.ics`),
      discoverAccount(conn(s), "https://dav.example.test/dav/"),
    ])),
    // Replies that are not what a CalDAV server sends.
    await queryEvents(conn(207, "<html>hello</html>"), cal, range),
    await listCalendars(conn(200, "<html>hello</html>"), "https://dav.example.test/cal/ann/"),
    await discoverAccount(conn(200, "not a url"), "no address"),
  ];
  const english: string[] = [];
  for (const f of failures) {
    if (f.ok) continue;
    if (!detailIn(f.error.detail, xa).startsWith("⟦")) english.push(f.error.detail);
  }
  assert.deepEqual([...new Set(english)], []);
});

Deno.test("CalDAV calendar list: a calendar with no name at the server's root is named by its host, not the English “Calendar” every host would read", async () => {
  const body = `<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:response><d:href>/</d:href><d:propstat><d:prop>
    <d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
  </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>`;
  const conn: DavConnection = {
    fetch: () =>
      Promise.resolve(
        new Response(body, { status: 207, headers: { "content-type": "application/xml" } }),
      ),
    headers: {},
  };
  const listed = await listCalendars(conn, "https://dav.example.test/cal/ann/");
  assert.ok(listed.ok, JSON.stringify(listed));
  assert.deepEqual(listed.calendars.map((c) => c.displayName), ["dav.example.test"]);
});
