import assert from "node:assert/strict";
import { decideReminder, followUpStillDue, reminderLead } from "./reminders.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// A meeting at 10:00 Berlin on the day after the autumn change (26 Oct 2026, 09:00Z).
const start = Date.parse("2026-10-26T09:00:00Z");
const both = [{ minutesBefore: 1440, toHost: false }, { minutesBefore: 60, toHost: true }];

Deno.test("decideReminder: on time, a reminder says its lead as the host set it", () => {
  assert.deepEqual(
    decideReminder({ startMs: start, minutesBefore: 1440, toHost: false }, both, start - DAY),
    {
      send: true,
      lead: { kind: "planned", minutes: 1440 },
    },
  );
  // The minute cron's delay is on time too: "in 1 day", not "in 23 hours, 55 minutes".
  assert.deepEqual(
    decideReminder(
      { startMs: start, minutesBefore: 1440, toHost: false },
      both,
      start - DAY + 4 * MIN,
    ),
    { send: true, lead: { kind: "planned", minutes: 1440 } },
  );
  assert.deepEqual(
    decideReminder(
      { startMs: start, minutesBefore: 60, toHost: true },
      both,
      start - HOUR + 90_000,
    ),
    { send: true, lead: { kind: "planned", minutes: 60 } },
  );
});

Deno.test("decideReminder: late, a reminder says the time really left at sending, rounded as people say it", () => {
  const only1Day = [{ minutesBefore: 1440, toHost: false }];
  const at = (nowMs: number) =>
    decideReminder({ startMs: start, minutesBefore: 1440, toHost: false }, only1Day, nowMs);
  // The brief's case: a 1-day reminder sent 2 hours before says "in 2 hours".
  assert.deepEqual(at(start - 2 * HOUR), { send: true, lead: { kind: "left", minutes: 120 } });
  assert.deepEqual(at(start - 2 * HOUR - 2 * MIN), {
    send: true,
    lead: { kind: "left", minutes: 120 },
  });
  assert.deepEqual(at(start - 2 * HOUR - 3 * MIN), {
    send: true,
    lead: { kind: "left", minutes: 125 },
  });
  assert.deepEqual(at(start - 40 * MIN - 20_000), {
    send: true,
    lead: { kind: "left", minutes: 40 },
  });
  assert.deepEqual(at(start - 90_000), { send: true, lead: { kind: "left", minutes: 2 } });
  // 6 minutes late is no longer on time: 23 h 54 min are left, said to 5 minutes.
  assert.deepEqual(at(start - DAY + 6 * MIN), {
    send: true,
    lead: { kind: "left", minutes: 1435 },
  });
  // A 3-day reminder most of a day late: 2 days 4 h 40 min left, said to the hour.
  assert.deepEqual(
    decideReminder(
      { startMs: start, minutesBefore: 4320, toHost: false },
      [],
      start - (2 * DAY + 4 * HOUR + 40 * MIN),
    ),
    { send: true, lead: { kind: "left", minutes: 3180 } },
  );
  // A 10-minute reminder's slack is a minute (a tenth of it).
  const ten = (nowMs: number) =>
    decideReminder({ startMs: start, minutesBefore: 10, toHost: false }, [], nowMs);
  assert.deepEqual(ten(start - 9 * MIN), { send: true, lead: { kind: "planned", minutes: 10 } });
  assert.deepEqual(ten(start - 8 * MIN - 50_000), {
    send: true,
    lead: { kind: "left", minutes: 9 },
  });
});

Deno.test("decideReminder: none once the meeting begins (or is less than a minute away)", () => {
  for (const nowMs of [start - 59_000, start, start + 2 * DAY]) {
    assert.deepEqual(
      decideReminder({ startMs: start, minutesBefore: 60, toHost: true }, both, nowMs),
      { send: false, why: "started" },
    );
  }
  assert.equal(
    decideReminder({ startMs: start, minutesBefore: 60, toHost: true }, both, start - MIN).send,
    true,
  );
});

Deno.test("decideReminder: of two reminders due at once, the reader gets the later one only", () => {
  // 40 minutes before: the guest's 1-day reminder is overtaken by the 1-hour one, also due.
  assert.deepEqual(
    decideReminder({ startMs: start, minutesBefore: 1440, toHost: false }, both, start - 40 * MIN),
    { send: false, why: "overtaken" },
  );
  assert.deepEqual(
    decideReminder({ startMs: start, minutesBefore: 60, toHost: false }, both, start - 40 * MIN),
    { send: true, lead: { kind: "left", minutes: 40 } },
  );
  // Before the 1-hour one is due, the late 1-day one goes, with the time left.
  assert.deepEqual(
    decideReminder({ startMs: start, minutesBefore: 1440, toHost: false }, both, start - 3 * HOUR),
    { send: true, lead: { kind: "left", minutes: 180 } },
  );
  // The host gets only reminders marked for them: one the host never gets overtakes nothing.
  const hostLong = [{ minutesBefore: 1440, toHost: true }, { minutesBefore: 60, toHost: false }];
  assert.equal(
    decideReminder(
      { startMs: start, minutesBefore: 1440, toHost: true },
      hostLong,
      start - 40 * MIN,
    ).send,
    true,
  );
  assert.equal(
    decideReminder(
      { startMs: start, minutesBefore: 1440, toHost: false },
      hostLong,
      start - 40 * MIN,
    ).send,
    false,
  );
});

Deno.test("reminderLead: a reminder without a plan says the time left", () => {
  assert.deepEqual(reminderLead(start, undefined, start - 37 * MIN), { kind: "left", minutes: 37 });
});

Deno.test("followUpStillDue: days late it goes; more than a week late (or its own wait, if longer) it does not", () => {
  const end = start + 30 * MIN;
  const due5 = end + 5 * MIN;
  assert.equal(followUpStillDue(end, 5, due5), true);
  assert.equal(followUpStillDue(end, 5, due5 + 2 * DAY), true);
  assert.equal(followUpStillDue(end, 5, due5 + 7 * DAY), true);
  assert.equal(followUpStillDue(end, 5, due5 + 7 * DAY + 1), false);
  assert.equal(followUpStillDue(end, 5, due5 + 21 * DAY), false);
  // A follow-up meant for 30 days after may be as late again.
  const due30 = end + 30 * DAY;
  assert.equal(followUpStillDue(end, 30 * 1440, due30 + 20 * DAY), true);
  assert.equal(followUpStillDue(end, 30 * 1440, due30 + 31 * DAY), false);
});
