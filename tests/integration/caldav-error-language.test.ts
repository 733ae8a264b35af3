/**
 * A calendar error reads in the host's language all through: the words Invito itself writes
 * about a CalDAV server's answer (wrong password, 429, 5xx, not CalDAV, a calendar gone) come
 * from the catalogs, not as English inside a German or French sentence. A server's own words
 * (anything Invito did not write) are still quoted as they came.
 */
import assert from "node:assert/strict";
import { describeCalendarError } from "../../src/lib/server/integrations/calendar-provider.ts";
import { connect, discoverAccount, putEvent } from "../../src/lib/server/integrations/caldav.ts";
import { translator } from "../../src/lib/server/i18n.ts";
import { serveLocal } from "../support/local-server.ts";

const ENGLISH_WORDS = /\b(the|server|password|address|calendar|requests|error)\b/;

Deno.test("calendar errors: Invito's own words about a CalDAV answer read in de, fr and es", async () => {
  const statuses = [401, 429, 408, 503];
  let status = 401;
  await using srv = serveLocal(() => new Response("", { status }));
  const seen: { kind: string; detail: string }[] = [];
  for (const s of statuses) {
    status = s;
    const conn = connect({ username: "u", password: "p" }, { allowPrivate: true });
    const res = await discoverAccount(conn, srv.base);
    assert.ok(!res.ok);
    seen.push(res.error);
  }
  const notUrl = await discoverAccount(
    connect({ username: "u", password: "p" }, { allowPrivate: true }),
    "not a url",
  );
  assert.ok(!notUrl.ok);
  seen.push(notUrl.error);
  status = 404;
  const notDav = await discoverAccount(
    connect({ username: "u", password: "p" }, { allowPrivate: true }),
    srv.base,
  );
  assert.ok(!notDav.ok);
  seen.push(notDav.error);
  status = 409;
  const gone = await putEvent(
    connect({ username: "u", password: "p" }, { allowPrivate: true }),
    `${srv.base}/cal/x.ics`,
    "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
  );
  assert.ok(!gone.ok);
  seen.push(gone.error);

  for (const e of seen) {
    const en = describeCalendarError(e as never, "caldav", translator("en"));
    assert.ok(en.includes(e.detail), `English keeps the words: ${en}`);
    for (const lang of ["de", "fr", "es"]) {
      const said = describeCalendarError(e as never, "caldav", translator(lang));
      assert.doesNotMatch(said, ENGLISH_WORDS, `${lang}: ${said}`);
    }
  }
  // A server's own words are quoted as they came.
  const own = describeCalendarError(
    { kind: "parse", detail: "Quota exceeded" },
    "caldav",
    translator("de"),
  );
  assert.match(own, /Quota exceeded/);
});
