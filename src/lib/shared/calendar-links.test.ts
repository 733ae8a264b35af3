import assert from "node:assert/strict";
import { calendarLinks } from "./calendar-links.ts";

Deno.test("calendarLinks: Google and Outlook templates carry the meeting's UTC times, title and place", () => {
  const links = calendarLinks({
    title: "Intro call & more",
    startMs: Date.parse("2026-11-24T09:00:00Z"),
    endMs: Date.parse("2026-11-24T09:30:00Z"),
    details: "Your booking: https://cal.example/booking/abc",
    location: "Room 4",
  });
  const g = new URL(links.google);
  assert.equal(g.host, "calendar.google.com");
  assert.equal(g.searchParams.get("action"), "TEMPLATE");
  assert.equal(g.searchParams.get("text"), "Intro call & more");
  assert.equal(g.searchParams.get("dates"), "20261124T090000Z/20261124T093000Z");
  assert.equal(g.searchParams.get("location"), "Room 4");
  for (
    const [link, host] of [[links.outlook, "outlook.live.com"], [
      links.office,
      "outlook.office.com",
    ]]
  ) {
    const o = new URL(link);
    assert.equal(o.host, host);
    assert.equal(o.pathname, "/calendar/0/action/compose");
    assert.equal(o.searchParams.get("rru"), "addevent");
    assert.equal(o.searchParams.get("startdt"), "2026-11-24T09:00:00Z");
    assert.equal(o.searchParams.get("enddt"), "2026-11-24T09:30:00Z");
    assert.equal(o.searchParams.get("subject"), "Intro call & more");
    assert.match(o.searchParams.get("body")!, /booking\/abc/);
  }
});
