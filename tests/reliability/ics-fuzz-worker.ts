/**
 * The ICS fuzz itself, run by ics-fuzz.test.ts in a child process with a heap cap
 * (--max-old-space-size) and a wall-clock limit, so that a parser that loops forever inside one
 * ical.js call or eats memory fails the test instead of hanging or swapping the machine.
 *
 *   deno run -A --v8-flags=--max-old-space-size=256 tests/reliability/ics-fuzz-worker.ts SEED CASES
 *
 * Prints one JSON line: { cases, maxMs, slowest, peakRssMb, problems }.
 */
import fc from "fast-check";
import ICAL from "ical.js";
import { join } from "node:path";
import { busyFromIcs } from "../../src/lib/server/integrations/ical-busy.ts";
import { buildIcs, type IcsEvent } from "../../src/lib/server/integrations/ics.ts";

const seed = Number(Deno.args[0] ?? 1);
const cases = Number(Deno.args[1] ?? 150);
const FROM = Date.parse("2026-11-20T00:00:00Z");
const TO = FROM + 76 * 86_400_000;
/** The whole-calendar deadline the sync gives one calendar is 5 s; one object gets 1 s here. */
const DEADLINE_MS = 1_000;

const problems: string[] = [];
let maxMs = 0;
let slowest = "";
let peakRss = 0;
let count = 0;

const trace = Deno.env.get("ICS_FUZZ_TRACE") === "1";

function check(label: string, ics: string) {
  count++;
  if (trace) console.error(`${label} (${ics.length} chars)`);
  const started = performance.now();
  let result;
  try {
    result = busyFromIcs(ics, {
      fromMs: FROM,
      toMs: TO,
      hostTimeZone: "Europe/Berlin",
      isOwnUid: (uid) => uid.endsWith("@invito.test"),
      deadline: started + DEADLINE_MS,
      warn: () => {},
    });
  } catch (e) {
    problems.push(`${label}: threw ${e instanceof Error ? e.message.slice(0, 120) : e}`);
    return;
  }
  const ms = performance.now() - started;
  if (ms > maxMs) [maxMs, slowest] = [ms, label];
  peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
  for (const w of result.windows) {
    if (!(Number.isFinite(w.startMs) && Number.isFinite(w.endMs) && w.startMs < w.endMs)) {
      problems.push(`${label}: window ${w.startMs}–${w.endMs} is not an interval`);
      break;
    }
    if (w.endMs <= FROM || w.startMs >= TO) {
      problems.push(`${label}: window ${new Date(w.startMs).toISOString()} lies outside the range`);
      break;
    }
  }
}

// --- generated calendars ------------------------------------------------------------------------

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const stamp = fc.record({
  y: fc.integer({ min: 1600, max: 2200 }),
  mo: fc.integer({ min: 0, max: 13 }),
  d: fc.integer({ min: 0, max: 32 }),
  h: fc.integer({ min: 0, max: 25 }),
  mi: fc.integer({ min: 0, max: 61 }),
}).map(({ y, mo, d, h, mi }) => `${pad(y, 4)}${pad(mo)}${pad(d)}T${pad(h)}${pad(mi)}00`);
const zone = fc.constantFrom(
  "Europe/Berlin",
  "America/New_York",
  "Australia/Lord_Howe",
  "W. Europe Standard Time",
  '"Eastern Standard Time"',
  "/mozilla.org/20050126_1/Europe/Berlin",
  "Mars/Olympus",
  "Customized Time Zone",
  "",
  "UTC",
);
const dtLine = (name: string) =>
  fc.oneof(
    stamp.map((s) => `${name}:${s}Z`),
    stamp.map((s) => `${name}:${s}`),
    fc.tuple(zone, stamp).map(([z, s]) => `${name};TZID=${z}:${s}`),
    stamp.map((s) => `${name};VALUE=DATE:${s.slice(0, 8)}`),
    fc.string({ maxLength: 20 }).map((s) => `${name}:${s}`),
  );
const rrule = fc.record({
  freq: fc.constantFrom(
    "SECONDLY",
    "MINUTELY",
    "HOURLY",
    "DAILY",
    "WEEKLY",
    "MONTHLY",
    "YEARLY",
    "FORTNIGHTLY",
  ),
  interval: fc.option(fc.integer({ min: -5, max: 100_000 })),
  count: fc.option(
    fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 2_147_483_647 })),
  ),
  until: fc.option(stamp),
  byday: fc.option(fc.constantFrom("MO", "TU,TH", "-1FR", "5MO", "53MO", "XX", "1SU,-1SU")),
  bymonthday: fc.option(fc.constantFrom("1", "-1", "30", "31", "29", "0", "32")),
  bymonth: fc.option(fc.constantFrom("2", "2,4", "13", "0")),
  bysetpos: fc.option(fc.integer({ min: -400, max: 400 })),
  byhour: fc.option(fc.constantFrom("9", "0,12", "25")),
  bysecond: fc.option(fc.constantFrom("0,1,2,3,4,5,6,7,8,9", "61")),
}).map((r) =>
  "RRULE:" +
  Object.entries(r).filter(([, v]) => v !== null).map(([k, v]) => `${k.toUpperCase()}=${v}`).join(
    ";",
  )
);
const vevent = fc.record({
  uid: fc.oneof(
    fc.uuid().map((u) => `${u}@fuzz.example`),
    fc.constant("01ARZ3NDEKTSV4RRFFQ69G5FAV@invito.test"),
    fc.string({ maxLength: 10 }),
  ),
  start: dtLine("DTSTART"),
  end: fc.option(
    fc.oneof(
      dtLine("DTEND"),
      fc.constantFrom(
        "DURATION:PT1H",
        "DURATION:-PT1H",
        "DURATION:P100000D",
        "DURATION:PT0S",
        "DURATION:junk",
      ),
    ),
  ),
  rrule: fc.option(rrule),
  extra: fc.array(
    fc.oneof(
      dtLine("EXDATE"),
      dtLine("RDATE"),
      dtLine("RECURRENCE-ID"),
      fc.constantFrom(
        "STATUS:CANCELLED",
        "TRANSP:TRANSPARENT",
        "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
        "STATUS:TENTATIVE",
        "SEQUENCE:99999999999",
      ),
      fc.string({ maxLength: 30 }).map((s) => `SUMMARY:${s}`),
    ),
    { maxLength: 4 },
  ),
}).map((e) =>
  [
    "BEGIN:VEVENT",
    `UID:${e.uid}`,
    "DTSTAMP:20261101T000000Z",
    e.start,
    e.end,
    e.rrule,
    ...e.extra,
    "END:VEVENT",
  ]
    .filter((l): l is string => l !== null)
);
const vtimezone = fc.constantFrom(
  [
    "BEGIN:VTIMEZONE",
    "TZID:Customized Time Zone",
    "BEGIN:STANDARD",
    "DTSTART:16010101T030000",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    "END:STANDARD",
    "END:VTIMEZONE",
  ],
  [
    "BEGIN:VTIMEZONE",
    "TZID:Customized Time Zone",
    "BEGIN:DAYLIGHT",
    "DTSTART:16010101T020000",
    "TZOFFSETFROM:+9999",
    "TZOFFSETTO:junk",
    "RRULE:FREQ=SECONDLY",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
  ],
  [],
);
const calendar = fc.tuple(
  vtimezone,
  fc.array(vevent, { minLength: 1, maxLength: 4 }),
  fc.option(zone),
).map(([tz, events, wr]) =>
  [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//fuzz//EN",
    ...(wr ? [`X-WR-TIMEZONE:${wr}`] : []),
    ...tz,
    ...events.flat(),
    "END:VCALENDAR",
  ]
    .join("\r\n")
);

// --- mutated real exports -------------------------------------------------------------------------

const fixtureDir = join(import.meta.dirname!, "..", "fixtures", "ics");
const fixtures: [string, string][] = [];
for (const e of Deno.readDirSync(fixtureDir)) {
  if (e.name.endsWith(".ics")) {
    fixtures.push([e.name, Deno.readTextFileSync(join(fixtureDir, e.name))]);
  }
}
fixtures.sort(([a], [b]) => a.localeCompare(b));

type Edit =
  | { op: "delete" | "duplicate"; at: number }
  | { op: "replace"; at: number; text: string }
  | { op: "truncate"; at: number }
  | { op: "insert"; at: number; text: string }
  | { op: "bignum"; at: number };
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constantFrom("delete" as const, "duplicate" as const), at: fc.nat() }),
  fc.record({
    op: fc.constant("replace" as const),
    at: fc.nat(),
    text: fc.string({ maxLength: 40 }),
  }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    op: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.constantFrom(
      "BEGIN:VEVENT",
      "END:VEVENT",
      "END:VCALENDAR",
      "BEGIN:VCALENDAR",
      " folded continuation",
      "RRULE:FREQ=SECONDLY",
      "BEGIN:VALARM",
      "\u0000",
      'DTSTART;TZID="unterminated:20261123T080000',
    ),
  }),
  fc.record({ op: fc.constant("bignum" as const), at: fc.nat() }),
);

function applyEdits(text: string, edits: Edit[]): string {
  let lines = text.split(/\r?\n/);
  for (const e of edits) {
    const i = lines.length ? e.at % lines.length : 0;
    if (e.op === "delete") lines.splice(i, 1);
    else if (e.op === "duplicate") lines.splice(i, 0, lines[i] ?? "");
    else if (e.op === "replace") lines[i] = e.text;
    else if (e.op === "insert") lines.splice(i, 0, e.text);
    else if (e.op === "bignum") lines[i] = (lines[i] ?? "").replace(/\d+/, "99999999999999999999");
    else lines = lines.join("\r\n").slice(0, e.at % (lines.join("\r\n").length + 1)).split("\r\n");
  }
  return lines.join("\r\n");
}

// --- run ------------------------------------------------------------------------------------------

for (const [name, text] of fixtures) check(`fixture ${name}`, text);

// Crashers this fuzz found (each hung ical.js inside one call or filled the heap): they must stay
// bounded and be reported as skipped.
const event = (rrule: string, extra: string[] = []) =>
  [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//fuzz//EN",
    ...extra,
    "BEGIN:VEVENT",
    "UID:known@fuzz.example",
    "DTSTAMP:20261101T000000Z",
    "DTSTART;TZID=Europe/Berlin:20100824T230900",
    "DURATION:PT1H",
    `RRULE:${rrule}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ].join("\r\n");
const KNOWN = [
  "FREQ=MINUTELY;BYDAY=53MO",
  "FREQ=DAILY;BYDAY=-1FR",
  "FREQ=HOURLY;BYMONTHDAY=0",
  "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30",
  "FREQ=MINUTELY;INTERVAL=98295;COUNT=30;BYMONTHDAY=30;BYMONTH=2",
  "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
  "FREQ=SECONDLY;BYDAY=MO;BYMONTHDAY=29;BYMONTH=2;BYHOUR=9",
  "FREQ=DAILY;BYDAY=MO;BYMONTH=2;BYMONTHDAY=29",
  "FREQ=DAILY;BYMONTHDAY=-1;BYSETPOS=284",
  "FREQ=DAILY;INTERVAL=69545;BYMONTHDAY=-1;BYMONTH=2",
];
for (const rule of KNOWN) {
  const text = event(rule);
  check(`known crasher ${rule}`, text);
  const r = busyFromIcs(text, {
    fromMs: FROM,
    toMs: TO,
    hostTimeZone: "Europe/Berlin",
    warn: () => {},
  });
  if (r.skipped.length !== 1 || !r.complete) {
    problems.push(`known crasher ${rule}: not skipped (${JSON.stringify(r.skipped)})`);
  }
}
// A zone definition whose observance repeats every second, used by the event's TZID.
check(
  "known crasher: VTIMEZONE with FREQ=SECONDLY",
  event("FREQ=WEEKLY;BYDAY=TU", [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:STANDARD",
    "DTSTART:19701025T030000",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "RRULE:FREQ=SECONDLY",
    "END:STANDARD",
    "END:VTIMEZONE",
  ]),
);
check("known crasher: empty text", "");
check("known crasher: a lone line break", "\r\n");
// Several exports in one text, and a huge file made of one export repeated.
check("fixtures concatenated", fixtures.map(([, t]) => t).join("\r\n"));
check("one export × 200", fixtures[0][1].repeat(200));

const dump = Deno.env.get("ICS_FUZZ_DUMP");
for (const [i, text] of fc.sample(calendar, { numRuns: cases, seed }).entries()) {
  if (dump !== undefined) {
    if (String(i) === dump) console.log(text);
    continue;
  }
  check(`generated #${i}`, text);
}
if (dump !== undefined && !dump.startsWith("m")) Deno.exit(0);
const mutations = fc.sample(
  fc.tuple(fc.nat({ max: fixtures.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 })),
  {
    numRuns: cases,
    seed: seed + 1,
  },
);
if (dump?.startsWith("m")) {
  const [f, edits] = mutations[Number(dump.slice(1))];
  console.log(applyEdits(fixtures[f][1], edits));
  Deno.exit(0);
}
for (const [i, [f, edits]] of mutations.entries()) {
  check(
    `mutated ${fixtures[f][0]} #${i} ${JSON.stringify(edits).slice(0, 200)}`,
    applyEdits(fixtures[f][1], edits),
  );
}

// buildIcs round trip: whatever a guest typed comes back out of a strict parser unchanged
// (line breaks aside, CRLF and a lone CR both become TEXT's newline, and other control
// characters, which the builder turns into spaces) and parses into one event.
const person = fc.record({
  name: fc.string({ unit: "binary", maxLength: 60 }),
  email: fc.emailAddress(),
});
const icsEvent: fc.Arbitrary<IcsEvent> = fc.record({
  uid: fc.constant("01ARZ3NDEKTSV4RRFFQ69G5FAV@invito.test"),
  sequence: fc.nat({ max: 1000 }),
  startMs: fc.integer({ min: FROM, max: TO }),
  endMs: fc.integer({ min: TO, max: TO + 86_400_000 }),
  stampMs: fc.constant(FROM),
  summary: fc.string({ unit: "binary", maxLength: 200 }),
  description: fc.string({ unit: "binary", maxLength: 500 }),
  location: fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
  status: fc.constantFrom("CONFIRMED" as const, "CANCELLED" as const, "TENTATIVE" as const),
  organizer: person,
  attendee: person,
  url: fc.constant("https://invito.test/booking/abc"),
});
const expectText = (s: string) =>
  s.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ")
    .replaceAll('"', "'");
for (const [i, ev] of fc.sample(icsEvent, { numRuns: cases, seed: seed + 2 }).entries()) {
  count++;
  const text = buildIcs(ev, "REQUEST");
  try {
    const vevents = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents("vevent");
    if (vevents.length !== 1) throw new Error(`${vevents.length} events`);
    const e = new ICAL.Event(vevents[0]);
    if (e.summary !== expectText(ev.summary.toWellFormed())) {
      throw new Error(`summary ${JSON.stringify(e.summary)} ≠ ${JSON.stringify(ev.summary)}`);
    }
    if (e.startDate.toJSDate().getTime() !== Math.floor(ev.startMs / 1000) * 1000) {
      throw new Error("start moved");
    }
    if (
      /\r\n[^ \t]/.test(text.replace(/\r\n(BEGIN|END|[A-Z-]+[:;])/g, "")) || /[^\r]\n/.test(text)
    ) throw new Error("a line break escaped its property");
    check(`round trip #${i}`, text);
  } catch (err) {
    problems.push(
      `buildIcs round trip #${i}: ${err instanceof Error ? err.message.slice(0, 160) : err}`,
    );
  }
}

console.log(
  JSON.stringify({
    cases: count,
    maxMs: Math.round(maxMs),
    slowest,
    peakRssMb: Math.round(peakRss / 1048576),
    problems,
  }),
);
