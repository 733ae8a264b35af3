import { propfind, calendarQuery } from "tsdav";
import { startRadicale } from "../tests/support/radicale.ts";
const dav = await startRadicale();
try {
  await dav.mkcalendar("work", "Work");
  await dav.putIcs("work", "ev1.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:ev1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\nSUMMARY:Hello & <world>\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
  const headers = { authorization: dav.authHeader };
  const f: typeof fetch = async (u, init) => { const r = await fetch(u, init); console.log("FETCH", init?.method, String(u), r.status, r.headers.get("content-type")); return r; };
  const r1 = await propfind({ url: dav.url + "/.well-known/caldav", props: { "d:current-user-principal": {}, "d:resourcetype": {} }, depth: "0", headers, fetch: f });
  console.log(JSON.stringify(r1.map(({raw, ...x}) => x), null, 1));
  const r2 = await propfind({ url: dav.url + "/", props: { "d:current-user-principal": {} }, depth: "0", headers, fetch: f });
  console.log(JSON.stringify(r2.map(({raw, ...x}) => x), null, 1));
  const r3 = await propfind({ url: dav.url + "/alice/", props: { "c:calendar-home-set": {} }, depth: "0", headers, fetch: f });
  console.log(JSON.stringify(r3.map(({raw, ...x}) => x), null, 1));
  const r4 = await propfind({ url: dav.url + "/alice/", props: { "d:displayname": {}, "d:resourcetype": {}, "cs:getctag": {}, "d:sync-token": {}, "ca:calendar-color": {}, "c:supported-calendar-component-set": {}, "d:current-user-privilege-set": {} }, depth: "1", headers, fetch: f });
  console.log(JSON.stringify(r4.map(({raw, ...x}) => x), null, 1));
  const r5 = await calendarQuery({ url: dav.calendarUrl("work"), props: { "d:getetag": {}, "c:calendar-data": {} }, filters: { "comp-filter": { _attributes: { name: "VCALENDAR" }, "comp-filter": { _attributes: { name: "VEVENT" }, "time-range": { _attributes: { start: "20261120T000000Z", end: "20261201T000000Z" } } } } }, depth: "1", headers, fetch: f });
  console.log(JSON.stringify(r5.map(({raw, ...x}) => x), null, 1));
  const bad = await propfind({ url: dav.url + "/", props: { "d:current-user-principal": {} }, depth: "0", headers: { authorization: "Basic " + btoa("alice:nope") }, fetch: f });
  console.log(JSON.stringify(bad.map(({raw, ...x}) => x), null, 1));
} finally { await dav.stop(); }
