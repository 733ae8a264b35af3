/**
 * The troubleshooter against a real Radicale: a busy time names its calendar, and on request the
 * event behind it (a private event only as "Private event"); a calendar that cannot be read for
 * too long is named as the reason nothing is offered (fail closed).
 */
import assert from "node:assert/strict";
import { at, haltRadicale, setupCaldav, vevent } from "./caldav-helpers.ts";
import { syncAccountNow } from "../../src/lib/server/services/calendar-accounts.ts";
import {
  type Troubleshoot,
  troubleshootDay,
  type TroubleshootStart,
} from "../../src/lib/server/services/troubleshoot.ts";
import { getSlotPage } from "../../src/lib/server/services/slot-page.ts";
import { translator } from "../../src/lib/server/i18n.ts";
import { failClosedHeads } from "../../src/lib/server/store/calendar-busy.ts";
import { ownDetail } from "../../src/lib/server/integrations/provider-details.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "troubleshooter + CalDAV: busy time names the calendar and, when asked, the event; an unreadable calendar is named as failing closed",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host, et } = s;
    await dav.putIcs(
      "work",
      "dentist.ics",
      vevent("dentist@test", [
        "SUMMARY:Dentist",
        "DTSTART;TZID=Europe/Berlin:20261123T100000",
        "DTEND;TZID=Europe/Berlin:20261123T110000",
      ]),
    );
    await dav.putIcs(
      "work",
      "private.ics",
      vevent("private@test", [
        "SUMMARY:Therapy",
        "CLASS:PRIVATE",
        "DTSTART;TZID=Europe/Berlin:20261123T140000",
        "DTEND;TZID=Europe/Berlin:20261123T150000",
      ]),
    );
    assert.ok((await syncAccountNow(app, host.id, s.accountId))?.ok);

    const quick = await troubleshootDay(app, host, { eventTypeId: et.id, date: "2026-11-23" });
    assert.ok(quick.ok);
    const start = (t: Troubleshoot, iso: string): TroubleshootStart => {
      assert.ok(t.ok);
      const found = t.starts.find((x) => x.startMs === at(iso));
      assert.ok(found, `no start at ${iso}`);
      return found;
    };
    const dentist = start(quick, "2026-11-23T09:00:00Z");
    assert.equal(dentist.offered, false);
    assert.equal(dentist.sources[0].kind, "calendar");
    assert.ok(dentist.sources[0].kind === "calendar" && dentist.sources[0].calendarName === "Work");
    assert.deepEqual(dentist.sources[0].titles, [], "titles only when asked");

    const titled = await troubleshootDay(app, host, {
      eventTypeId: et.id,
      date: "2026-11-23",
      titles: true,
    });
    const titleOf = (iso: string) => {
      const src = start(titled, iso).sources[0];
      return src.kind === "calendar" ? src.titles : null;
    };
    assert.deepEqual(titleOf("2026-11-23T09:00:00Z"), ["Dentist"]);
    assert.deepEqual(titleOf("2026-11-23T13:00:00Z"), ["Private event"]);
    assert.equal(start(titled, "2026-11-23T11:00:00Z").offered, true);

    // The server goes away and the cache grows old: nothing is offered, and the reason is named.
    await haltRadicale(dav);
    app.clock.ms += 2 * app.config.syncIntervalMs + 60_000;
    const closed = await troubleshootDay(app, host, { eventTypeId: et.id, date: "2026-11-23" });
    assert.ok(closed.ok);
    const page = await getSlotPage(app, {
      username: "host",
      slug: "call",
      timeZone: "Europe/Berlin",
      date: "2026-11-23",
    });
    assert.ok(page.ok && page.slots.length === 0 && page.unavailable);
    assert.equal(closed.starts.filter((x) => x.offered).length, 0);
    const noon = start(closed, "2026-11-23T11:00:00Z");
    assert.ok(noon.sources.some((x) => x.kind === "calendar_unknown" && x.calendarName === "Work"));

    // A calendar that cannot be read says why, in the host's language (it was the English detail
    // inside a German sentence). The error as a failed read leaves it on the calendar's cache.
    await failClosedHeads(app.kv, host.id, s.accountId, {
      kind: "auth",
      detail: ownDetail("cal.detail_refused", { what: "calendar" }),
      atMs: app.now(),
    });
    const german = await troubleshootDay(app, host, {
      eventTypeId: et.id,
      date: "2026-11-23",
      t: translator("de"),
    });
    const unknown = start(german, "2026-11-23T11:00:00Z").sources
      .find((x) => x.kind === "calendar_unknown");
    assert.equal(
      unknown?.kind === "calendar_unknown" ? unknown.error : undefined,
      "Der Server hat den Zugriff auf den Kalender verweigert (403)",
    );
  },
});
