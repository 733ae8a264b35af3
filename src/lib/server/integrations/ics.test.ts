import assert from "node:assert/strict";
import ICAL from "ical.js";
import { buildIcs, type IcsEvent } from "./ics.ts";
import { applyWithPython } from "../../../../tests/support/calendar-app.ts";

const event = (o: Partial<IcsEvent> = {}): IcsEvent => ({
  uid: "01KABCDEFGHJKMNPQRSTVWXYZ0@invito.test",
  sequence: 0,
  startMs: Date.parse("2026-11-23T08:00:00Z"),
  endMs: Date.parse("2026-11-23T08:30:00Z"),
  stampMs: Date.parse("2026-11-20T08:00:00Z"),
  summary: "Call",
  description: "",
  status: "CONFIRMED",
  organizer: { name: "Host", email: "host@example.test" },
  attendee: { name: "Guest", email: "guest@example.test" },
  ...o,
});

const octets = (s: string) => new TextEncoder().encode(s).length;

Deno.test("ics: every line, first or folded, is at most 75 octets of UTF-8, and unfolds to the text", () => {
  const summary = "Ä".repeat(40) + "x".repeat(100) + "😀".repeat(30) + "日本語".repeat(20);
  const text = buildIcs(event({ summary, description: "é".repeat(500) }), "REQUEST");
  for (const line of text.split("\r\n")) {
    assert.ok(octets(line) <= 75, `${octets(line)} octets: ${JSON.stringify(line)}`);
  }
  const ev = new ICAL.Event(new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent("vevent")!);
  assert.equal(ev.summary, summary);
});

Deno.test("ics: text keeps every character — quotes, separators, backslashes and line breaks — in values and in a CN", async () => {
  const name = 'Ann "Nan" O\'Neil; Jr., Ph.D. \\ 😀';
  const summary = `Intro call: ${name} and "Host"`;
  const description = 'Note: "quoted", semi; colon: back\\slash\nsecond line\r\nthird';
  const text = buildIcs(event({ summary, description, attendee: { name, email: "a@x.test" } }));
  const vevent = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent("vevent")!;
  assert.equal(vevent.getFirstPropertyValue("summary"), summary);
  assert.equal(
    vevent.getFirstPropertyValue("description"),
    description.replace("\r\n", "\n"),
  );
  assert.equal(vevent.getFirstProperty("attendee")!.getParameter("cn"), name);
  // An independent parser reads the same.
  const [py] = Object.values(await applyWithPython([text]));
  assert.equal(py.summary, summary);
  assert.equal(py.description, description.replace("\r\n", "\n"));
  assert.equal(py.attendee, name);
});
