import { startRadicale } from "../tests/support/radicale.ts";
const dav = await startRadicale();
const ev = (uid: string, body: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20260101T000000Z\r\n${body}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
try {
  await dav.mkcalendar("work");
  const cases: Record<string, string> = {
    backwards: "DTSTART:20261203T110000Z\r\nDTEND:20261203T100000Z\r\nSUMMARY:x",
    badrule: "DTSTART:20261203T110000Z\r\nDTEND:20261203T120000Z\r\nRRULE:FREQ=FOOLY",
    unknowntz: "DTSTART;TZID=Mars/Olympus:20261203T110000\r\nDTEND;TZID=Mars/Olympus:20261203T120000",
    baddate: "DTSTART:2026-12-01 10:00\r\nDTEND:20261201T110000Z",
    negdur: "DTSTART:20261203T110000Z\r\nDURATION:-PT1H",
    secondly: "DTSTART:20200101T000000Z\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY",
    hugelen: "DTSTART:20261203T110000Z\r\nDTEND:20301203T110000Z",
    bysetpos: "DTSTART:20260101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYSETPOS=1",
  };
  for (const [k, body] of Object.entries(cases)) {
    try { console.log(k, await dav.putIcs("work", k + ".ics", ev(k, body))); } catch (e) { console.log(k, "REJECTED", String(e).slice(0, 200)); }
  }
  const t0 = performance.now();
  const r = await fetch(dav.calendarUrl("work"), { method: "REPORT", headers: { authorization: dav.authHeader, depth: "1", "content-type": "application/xml" }, body: `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20261120T000000Z" end="20270301T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>` });
  console.log("REPORT", r.status, (performance.now() - t0).toFixed(0), "ms", (await r.text()).match(/<D:href>[^<]+/g));
} finally { await dav.stop(); }
