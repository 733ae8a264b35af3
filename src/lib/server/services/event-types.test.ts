import assert from "node:assert/strict";
import {
  createEventType,
  deleteEventType,
  editEventType,
  findEventType,
  listOwnEventTypes,
  setEventTypeActive,
} from "./event-types.ts";
import { getEventTypeBySlug } from "../store/event-types.ts";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import * as v from "valibot";
import {
  applyEventTypeIntent,
  durationChoices,
  type EventTypeValues,
  eventTypeValuesOf,
  NEW_EVENT_TYPE_VALUES,
  parseEventTypeValues,
  readEventTypeForm,
} from "../../shared/forms/event-type-editor.ts";
import { MAX_QUESTIONS, MAX_REMINDERS } from "../../shared/forms/event-type-options.ts";
import { EventTypeForm, type EventTypeInput } from "../../shared/forms/event-types.ts";
import { translator } from "../i18n.ts";

const input = (over: Partial<EventTypeInput> = {}): EventTypeInput => ({
  title: "Intro call",
  slug: "intro",
  description: "",
  durationMin: 30,
  requiresConfirmation: true,
  bookingWindowDays: 60,
  color: "#2549ea",
  active: true,
  confirmedMessage: "",
  rejectedMessage: "",
  bufferBeforeMin: 0,
  bufferAfterMin: 0,
  minNoticeMin: 0,
  notSameDay: false,
  intervalMin: null,
  maxPerDay: null,
  maxPerWeek: null,
  durations: [30],
  location: { kind: "none", value: "" },
  questions: [],
  reminders: [],
  cancelCutoffHours: null,
  secret: false,
  followUps: [],
  language: null,
  seats: null,
  // Additional guests a booking may bring: the editor's default (issue 29).
  maxGuests: 5,
  series: null,
  ...over,
});

async function setup() {
  const app = await memoryApp();
  const alice = await createHost(app, { username: "alice" });
  const bob = await createHost(app, { username: "bob" });
  return { app, alice, bob };
}

Deno.test("createEventType: a second event type with the same slug for one host is refused", async () => {
  const { app, alice } = await setup();
  const first = await createEventType(app, alice, input());
  assert.ok(first.ok);
  const second = await createEventType(app, alice, input({ title: "Other" }));
  assert.deepEqual(second, { ok: false, reason: "slug_taken" });
  const all = await listOwnEventTypes(app, alice);
  assert.deepEqual(all.map((t) => t.title), ["Intro call"]);
  app.close();
});

Deno.test("createEventType: of 20 concurrent creates with one slug exactly one wins", async () => {
  const { app, alice } = await setup();
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => createEventType(app, alice, input({ title: `T${i}` }))),
  );
  assert.equal(results.filter((r) => r.ok).length, 1);
  assert.equal(results.filter((r) => !r.ok && r.reason === "slug_taken").length, 19);
  const all = await listOwnEventTypes(app, alice);
  assert.equal(all.length, 1);
  const winner = results.find((r) => r.ok)!;
  assert.ok(winner.ok);
  assert.equal((await getEventTypeBySlug(app.kv, alice.id, "intro"))?.id, winner.record.id);
  app.close();
});

Deno.test("createEventType: the same slug for two different hosts is fine", async () => {
  const { app, alice, bob } = await setup();
  assert.ok((await createEventType(app, alice, input())).ok);
  assert.ok((await createEventType(app, bob, input())).ok);
  assert.equal((await listOwnEventTypes(app, alice)).length, 1);
  assert.equal((await listOwnEventTypes(app, bob)).length, 1);
  app.close();
});

Deno.test("editEventType: updating another host's event type is not found and changes nothing", async () => {
  const { app, alice, bob } = await setup();
  const created = await createEventType(app, alice, input());
  assert.ok(created.ok);
  const res = await editEventType(
    app,
    bob,
    created.record.id,
    input({ title: "Hijacked", slug: "hijacked" }),
  );
  assert.deepEqual(res, { ok: false, reason: "not_found" });
  assert.deepEqual(await setEventTypeActive(app, bob, created.record.id, false), {
    ok: false,
    reason: "not_found",
  });
  assert.equal(await deleteEventType(app, bob, created.record.id), false);
  assert.equal(await findEventType(app, bob, created.record.id), null);
  const mine = await findEventType(app, alice, created.record.id);
  assert.equal(mine?.title, "Intro call");
  assert.equal(mine?.active, true);
  assert.equal(await getEventTypeBySlug(app.kv, bob.id, "hijacked"), null);
  app.close();
});

Deno.test("editEventType: renaming to a slug the host already uses is refused and keeps both", async () => {
  const { app, alice } = await setup();
  const a = await createEventType(app, alice, input({ slug: "a" }));
  const b = await createEventType(app, alice, input({ slug: "b" }));
  assert.ok(a.ok && b.ok);
  const res = await editEventType(app, alice, b.record.id, input({ slug: "a" }));
  assert.deepEqual(res, { ok: false, reason: "slug_taken" });
  assert.equal((await getEventTypeBySlug(app.kv, alice.id, "a"))?.id, a.record.id);
  assert.equal((await getEventTypeBySlug(app.kv, alice.id, "b"))?.id, b.record.id);
  app.close();
});

Deno.test("editEventType: a new slug frees the old one for reuse", async () => {
  const { app, alice } = await setup();
  const a = await createEventType(app, alice, input({ slug: "old" }));
  assert.ok(a.ok);
  app.clock.ms += 60_000;
  const res = await editEventType(
    app,
    alice,
    a.record.id,
    input({ slug: "new", title: "Renamed" }),
  );
  assert.ok(res.ok);
  assert.equal(res.record.updatedAtMs, app.clock.ms);
  assert.equal(res.record.createdAtMs, a.record.createdAtMs);
  assert.equal(await getEventTypeBySlug(app.kv, alice.id, "old"), null);
  assert.ok((await createEventType(app, alice, input({ slug: "old" }))).ok);
  app.close();
});

Deno.test("setEventTypeActive: deactivating keeps everything else", async () => {
  const { app, alice } = await setup();
  const a = await createEventType(app, alice, input({ description: "Hello" }));
  assert.ok(a.ok);
  const res = await setEventTypeActive(app, alice, a.record.id, false);
  assert.ok(res.ok);
  assert.equal(res.record.active, false);
  assert.equal(res.record.description, "Hello");
  assert.equal(res.record.slug, "intro");
  app.close();
});

Deno.test("deleteEventType: removes the event type and frees its slug; a second delete is not found", async () => {
  const { app, alice } = await setup();
  const a = await createEventType(app, alice, input());
  assert.ok(a.ok);
  assert.equal(await deleteEventType(app, alice, a.record.id), true);
  assert.equal(await deleteEventType(app, alice, a.record.id), false);
  assert.equal(await findEventType(app, alice, a.record.id), null);
  assert.ok((await createEventType(app, alice, input())).ok);
  app.close();
});

Deno.test("findEventType: ids that cannot be ours (too long, odd characters) are not found without reaching KV limits", async () => {
  const { app, alice } = await setup();
  assert.equal(await findEventType(app, alice, "a".repeat(5000)), null);
  assert.equal(await findEventType(app, alice, "../x"), null);
  assert.equal(await findEventType(app, alice, ""), null);
  assert.deepEqual(await editEventType(app, alice, "a".repeat(5000), input()), {
    ok: false,
    reason: "not_found",
  });
  assert.equal(await deleteEventType(app, alice, "a".repeat(5000)), false);
  app.close();
});

// ---------------------------------------------------------------------------------------------
// The editor's form: FormData → values (as typed) → checked input (record fields).

/** A filled-in form: the event type fields plus `extra` (arrays become repeated fields). */
function formOf(extra: Record<string, string | string[]> = {}): FormData {
  const fd = new FormData();
  const base: Record<string, string | string[]> = {
    title: "Intro call",
    slug: "intro",
    description: "",
    durationMin: "30",
    bookingWindowDays: "60",
    requiresConfirmation: "on",
    active: "on",
    color: "#2549ea",
    confirmedMessage: "",
    rejectedMessage: "",
    ...extra,
  };
  for (const [k, value] of Object.entries(base)) {
    for (const x of Array.isArray(value) ? value : [value]) fd.append(k, x);
  }
  return fd;
}

function parseForm(extra: Record<string, string | string[]> = {}) {
  // Messages are read as an English-speaking host reads them.
  return parseEventTypeValues(readEventTypeForm(formOf(extra)).values, translator("en"));
}

/** The field messages of a refused form (fails the test if the form was accepted). */
function errorsOf(extra: Record<string, string | string[]>): Record<string, string> {
  const res = parseForm(extra);
  assert.ok(!res.ok, `expected a refusal for ${JSON.stringify(extra)}`);
  return res.errors;
}

function accepted(extra: Record<string, string | string[]>): EventTypeInput {
  const res = parseForm(extra);
  assert.ok(
    res.ok,
    `expected ${JSON.stringify(extra)} to be accepted: ${JSON.stringify(!res.ok && res.errors)}`,
  );
  return res.input;
}

Deno.test("event type form: a form without any rule fields means no rules (old forms keep working)", () => {
  const res = v.safeParse(EventTypeForm, {
    title: "Intro call",
    slug: "intro",
    durationMin: "30",
    bookingWindowDays: "60",
    color: "#2549ea",
    active: "on",
  });
  assert.ok(res.success);
  assert.deepEqual(res.output, input({ requiresConfirmation: false, locations: [] }));
});

Deno.test("event type form: every rule is read from the form and saved on the event type", async () => {
  const { app, alice } = await setup();
  const res = parseForm({
    bufferBeforeMin: "10",
    bufferAfterMin: "15",
    minNotice: "2",
    minNoticeUnit: "hours",
    notSameDay: "on",
    intervalMin: "15",
    maxPerDay: "3",
    maxPerWeek: "10",
    durationMin: "30",
    durations: ["15", "30", "60"],
    durationsOther: "20",
    locationKind: "video",
    locationValue: " https://meet.example.org/abc-def ",
    q0_id: "aaaa1111",
    q0_label: "What would you like to talk about?",
    q0_type: "long",
    q0_required: "on",
    q1_id: "bbbb2222",
    q1_label: "Team size",
    q1_type: "choice",
    q1_options: "1–10\n\n 11–50 \n51+",
    r0_when: "60",
    r0_minutes: "",
    r1_when: "1440",
    r1_toHost: "on",
    r2_when: "custom",
    r2_minutes: "90",
    cancelCutoffHours: "24",
  });
  assert.ok(res.ok, JSON.stringify(!res.ok && res.errors));
  const created = await createEventType(app, alice, res.input);
  assert.ok(created.ok);
  const saved = await findEventType(app, alice, created.record.id);
  assert.ok(saved);
  assert.deepEqual(
    {
      bufferBeforeMin: saved.bufferBeforeMin,
      bufferAfterMin: saved.bufferAfterMin,
      minNoticeMin: saved.minNoticeMin,
      notSameDay: saved.notSameDay,
      intervalMin: saved.intervalMin,
      maxPerDay: saved.maxPerDay,
      maxPerWeek: saved.maxPerWeek,
      durationMin: saved.durationMin,
      durations: saved.durations,
      location: saved.location,
      questions: saved.questions,
      reminders: saved.reminders,
      cancelCutoffHours: saved.cancelCutoffHours,
    },
    {
      bufferBeforeMin: 10,
      bufferAfterMin: 15,
      minNoticeMin: 120,
      notSameDay: true,
      intervalMin: 15,
      maxPerDay: 3,
      maxPerWeek: 10,
      durationMin: 30,
      durations: [15, 20, 30, 60],
      location: { kind: "video", value: "https://meet.example.org/abc-def" },
      questions: [
        {
          id: "aaaa1111",
          label: "What would you like to talk about?",
          type: "long",
          required: true,
        },
        {
          id: "bbbb2222",
          label: "Team size",
          type: "choice",
          required: false,
          options: ["1–10", "11–50", "51+"],
        },
      ],
      reminders: [
        { minutesBefore: 1440, toHost: true },
        { minutesBefore: 90, toHost: false },
        { minutesBefore: 60, toHost: false },
      ],
      cancelCutoffHours: 24,
    },
  );
  app.close();
});

Deno.test("event type form: a saved event type shown in the editor and saved again is unchanged", async () => {
  const { app, alice } = await setup();
  const rules = input({
    bufferBeforeMin: 5,
    minNoticeMin: 2880,
    intervalMin: 20,
    maxPerWeek: 4,
    durations: [30, 45, 50],
    location: { kind: "in_person", value: "Main St 1" },
    questions: [{ id: "x1y2z3w4", label: "Company", type: "short", required: false }],
    reminders: [{ minutesBefore: 2880, toHost: false }, { minutesBefore: 10, toHost: true }],
    cancelCutoffHours: 48,
  });
  const created = await createEventType(app, alice, rules);
  assert.ok(created.ok);
  const values = eventTypeValuesOf(created.record);
  assert.equal(values.minNotice, "2");
  assert.equal(values.minNoticeUnit, "days");
  assert.deepEqual(values.reminders, [
    { when: "custom", minutes: "2880", toHost: false },
    { when: "10", minutes: "", toHost: true },
  ]);
  assert.deepEqual(durationChoices(values), [15, 30, 45, 50, 60, 90, 120]);
  const again = parseEventTypeValues(values);
  assert.ok(again.ok);
  // The one location comes back as the list of places offered (issue 27).
  assert.deepEqual(again.input, { ...rules, locations: [rules.location] });
  app.close();
});

Deno.test("event type form: an event type saved before rules existed opens with no rules", () => {
  const { bufferBeforeMin: _b, durations: _d, questions: _q, ...old } = input();
  const values = eventTypeValuesOf(old);
  // It kept its own "requires confirmation" (a new type starts with instant booking).
  assert.deepEqual(values, {
    ...NEW_EVENT_TYPE_VALUES,
    requiresConfirmation: true,
    title: "Intro call",
    slug: "intro",
  });
});

Deno.test("event type form: buffers are 0 to 240 whole minutes, empty meaning none", () => {
  assert.equal(accepted({ bufferBeforeMin: "", bufferAfterMin: "240" }).bufferBeforeMin, 0);
  assert.deepEqual(errorsOf({ bufferBeforeMin: "-5", bufferAfterMin: "241" }), {
    bufferBeforeMin: "Enter at least 0",
    bufferAfterMin: "Enter at most 240",
  });
  assert.deepEqual(errorsOf({ bufferBeforeMin: "7.5" }), {
    bufferBeforeMin: "Enter a whole number",
  });
});

Deno.test("event type form: minimum notice is a number with a unit, up to 365 days; 'not the same day' is its own tick", () => {
  assert.equal(accepted({ minNotice: "90", minNoticeUnit: "minutes" }).minNoticeMin, 90);
  assert.equal(accepted({ minNotice: "3", minNoticeUnit: "hours" }).minNoticeMin, 180);
  const days = accepted({ minNotice: "1", minNoticeUnit: "days", notSameDay: "on" });
  assert.equal(days.minNoticeMin, 1440);
  assert.equal(days.notSameDay, true);
  assert.equal(accepted({ minNotice: "" }).minNoticeMin, 0);
  assert.deepEqual(errorsOf({ minNotice: "366", minNoticeUnit: "days" }), {
    minNotice: "Minimum notice can be at most 365 days",
  });
  assert.deepEqual(errorsOf({ minNotice: "-1" }), {
    minNotice: "Enter at least 0",
  });
  assert.deepEqual(errorsOf({ minNotice: "1", minNoticeUnit: "weeks" }), {
    minNoticeUnit: "Choose minutes, hours or days",
  });
});

Deno.test("event type form: the slot interval is empty (the duration) or 5 to 720 minutes", () => {
  assert.equal(accepted({ intervalMin: "" }).intervalMin, null);
  assert.equal(accepted({ durationMin: "45", intervalMin: "15" }).intervalMin, 15);
  assert.deepEqual(errorsOf({ intervalMin: "0" }), {
    intervalMin: "Enter at least 5",
  });
  assert.deepEqual(errorsOf({ intervalMin: "721" }), {
    intervalMin: "Enter at most 720",
  });
});

Deno.test("event type form: caps per day and week are empty (no cap) or at least 1", () => {
  const none = accepted({ maxPerDay: " ", maxPerWeek: "" });
  assert.equal(none.maxPerDay, null);
  assert.equal(none.maxPerWeek, null);
  assert.equal(accepted({ maxPerDay: "1" }).maxPerDay, 1);
  assert.deepEqual(errorsOf({ maxPerDay: "0", maxPerWeek: "-2" }), {
    maxPerDay: "Enter at least 1",
    maxPerWeek: "Enter at least 1",
  });
  assert.deepEqual(errorsOf({ maxPerDay: "two" }), {
    maxPerDay: "Enter a whole number",
  });
});

Deno.test("event type form: several durations must include the default one, each 5 to 720 minutes", () => {
  assert.deepEqual(
    accepted({ durationMin: "30" }).durations,
    [30],
    "nothing ticked: only the default",
  );
  assert.deepEqual(accepted({ durationMin: "30", durations: ["60", "15", "30"] }).durations, [
    15,
    30,
    60,
  ]);
  assert.deepEqual(
    accepted({ durationMin: "25", durations: [], durationsOther: "25, 50" }).durations,
    [25, 50],
  );
  assert.deepEqual(errorsOf({ durationMin: "45", durations: ["15", "30"] }), {
    durations:
      "Also offer 45 min: the default duration must be one of the lengths guests can choose",
  });
  assert.deepEqual(errorsOf({ durations: ["30"], durationsOther: "3" }), {
    durationsOther: "Each length must be 5 to 720 minutes",
  });
  assert.deepEqual(errorsOf({ durations: ["30", "1000"] }), {
    durations: "Each length must be 5 to 720 minutes",
  });
  assert.deepEqual(errorsOf({ durationsOther: "half an hour" }), {
    durationsOther: "Write other lengths as minutes separated by commas, like 20, 50",
  });
});

Deno.test("event type form: a location needs its value; a video link must be https", () => {
  assert.deepEqual(accepted({ locationKind: "none", locationValue: "left over" }).location, {
    kind: "none",
    value: "",
  });
  assert.deepEqual(accepted({ locationKind: "phone", locationValue: "+49 30 1234567" }).location, {
    kind: "phone",
    value: "+49 30 1234567",
  });
  assert.deepEqual(
    accepted({ locationKind: "custom", locationValue: "I will call you" }).location,
    {
      kind: "custom",
      value: "I will call you",
    },
  );
  assert.deepEqual(errorsOf({ locationKind: "in_person", locationValue: "  " }), {
    locationValue: "Enter the address",
  });
  for (
    const bad of [
      "http://meet.example.org/x",
      "meet.example.org/x",
      "https://",
      "javascript:alert(1)",
      "https://a b",
    ]
  ) {
    assert.deepEqual(errorsOf({ locationKind: "video", locationValue: bad }), {
      locationValue: "Enter the meeting link, starting with https://",
    }, bad);
  }
  assert.deepEqual(errorsOf({ locationKind: "phone", locationValue: "call me" }), {
    locationValue: "Enter a phone number, like +49 30 1234567",
  });
  assert.deepEqual(errorsOf({ locationKind: "custom", locationValue: "x".repeat(501) }), {
    locationValue: "Use at most 500 characters",
  });
  assert.deepEqual(errorsOf({ locationKind: "teleport", locationValue: "x" }), {
    locationKind: "Choose where the meeting happens",
  });
});

Deno.test("event type form: questions need a label of 1–200 characters and a known kind; blank rows are dropped", () => {
  const res = parseForm({
    q0_id: "keepme01",
    q0_label: "Phone",
    q0_type: "phone",
    q0_options: "ignored\nfor phones",
    q1_id: "blank001",
    q1_label: " ",
    q1_type: "short",
  });
  assert.ok(res.ok);
  assert.deepEqual(res.input.questions, [{
    id: "keepme01",
    label: "Phone",
    type: "phone",
    required: false,
  }]);
  assert.equal(res.values.questions.length, 1, "the blank row is gone from the values too");
  assert.deepEqual(
    errorsOf({
      q0_id: "a1",
      q0_label: "x".repeat(201),
      q0_type: "short",
      q1_id: "b2",
      q1_label: "Ok",
      q1_type: "essay",
    }),
    { q0_label: "Use at most 200 characters", q1_type: "Choose a kind of answer" },
  );
  assert.deepEqual(errorsOf({ q0_id: "a1", q0_label: "", q0_type: "choice", q0_options: "A\nB" }), {
    q0_label: "Please fill this in",
  });
});

Deno.test("event type form: a choice question needs 2–20 different options of at most 100 characters", () => {
  const choice = (options: string) => ({
    q0_id: "c1",
    q0_label: "Pick",
    q0_type: "choice",
    q0_options: options,
  });
  assert.deepEqual(errorsOf(choice("")), {
    q0_options: "A choice needs at least 2 options, one per line",
  });
  assert.deepEqual(errorsOf(choice("Only one\n\n")), {
    q0_options: "A choice needs at least 2 options, one per line",
  });
  assert.deepEqual(errorsOf(choice(Array.from({ length: 21 }, (_, i) => `O${i}`).join("\n"))), {
    q0_options: "A choice can have at most 20 options",
  });
  assert.deepEqual(errorsOf(choice(`A\n${"b".repeat(101)}`)), {
    q0_options: "Each option can be at most 100 characters",
  });
  assert.deepEqual(errorsOf(choice("Yes\nyes")), { q0_options: "Each option must be different" });
  assert.deepEqual(accepted(choice("Yes\r\nNo")).questions[0].options, ["Yes", "No"]);
});

Deno.test("event type form: question ids are kept; missing, malformed or repeated ids get a fresh 8-character id", () => {
  const { values } = readEventTypeForm(formOf({
    q0_id: "same",
    q0_label: "A",
    q0_type: "short",
    q1_id: "same",
    q1_label: "B",
    q1_type: "short",
    q2_id: "<bad id>",
    q2_label: "C",
    q2_type: "short",
    q3_label: "D",
    q3_type: "short",
  }));
  const ids = values.questions.map((q) => q.id);
  assert.equal(ids[0], "same");
  assert.equal(new Set(ids).size, 4);
  for (const id of ids.slice(1)) assert.match(id, /^[0-9a-z]{8}$/);
});

Deno.test("event type form: at most 20 questions and 5 reminders", () => {
  const many: Record<string, string> = {};
  for (let i = 0; i <= MAX_QUESTIONS; i++) {
    Object.assign(many, {
      [`q${i}_id`]: `id${i}`,
      [`q${i}_label`]: `Q${i}`,
      [`q${i}_type`]: "short",
    });
  }
  assert.deepEqual(errorsOf(many), { questions: "At most 20 questions" });
  const reminders: Record<string, string> = {};
  for (let i = 0; i <= MAX_REMINDERS; i++) {
    Object.assign(reminders, { [`r${i}_when`]: "custom", [`r${i}_minutes`]: String(10 + i) });
  }
  assert.deepEqual(errorsOf(reminders), { reminders: "At most 5 reminders" });
});

Deno.test("event type form: reminders are presets or 5–20160 custom minutes, each time once", () => {
  assert.deepEqual(errorsOf({ r0_when: "custom", r0_minutes: "4" }), {
    r0_minutes: "Remind at least 5 minutes before",
  });
  assert.deepEqual(errorsOf({ r0_when: "custom", r0_minutes: "20161" }), {
    r0_minutes: "Remind at most 20,160 minutes (14 days) before",
  });
  assert.deepEqual(errorsOf({ r0_when: "custom", r0_minutes: "" }), {
    r0_minutes: "Enter how many minutes before",
  });
  assert.deepEqual(errorsOf({ r0_when: "60", r1_when: "custom", r1_minutes: "60" }), {
    r1_when: "You already have a reminder 60 minutes before",
  });
  assert.deepEqual(errorsOf({ r0_when: "30" }), { r0_when: "Choose when to remind" });
  assert.deepEqual(accepted({ r0_when: "10", r0_minutes: "999999" }).reminders, [{
    minutesBefore: 10,
    toHost: false,
  }]);
});

Deno.test("event type form: the cancellation cut-off is empty (always allowed) or 1 to 720 hours", () => {
  assert.equal(accepted({ cancelCutoffHours: "" }).cancelCutoffHours, null);
  assert.equal(accepted({ cancelCutoffHours: "720" }).cancelCutoffHours, 720);
  assert.deepEqual(errorsOf({ cancelCutoffHours: "0" }), {
    cancelCutoffHours: "Enter at least 1",
  });
  assert.deepEqual(errorsOf({ cancelCutoffHours: "721" }), {
    cancelCutoffHours: "Enter at most 720",
  });
});

Deno.test("event type form: a refused form keeps every value as typed and saves nothing", async () => {
  const { app, alice } = await setup();
  const created = await createEventType(app, alice, input({ maxPerDay: 2 }));
  assert.ok(created.ok);
  const { values } = readEventTypeForm(formOf({
    title: "Renamed",
    maxPerDay: "0",
    intervalMin: "0",
    locationKind: "video",
    locationValue: "zoom.us/j/1",
    q0_id: "q0000000",
    q0_label: "Pick one",
    q0_type: "choice",
    q0_options: "",
    r0_when: "1440",
    r0_toHost: "on",
  }));
  const res = parseEventTypeValues(values);
  assert.ok(!res.ok);
  assert.deepEqual(Object.keys(res.errors).sort(), [
    "intervalMin",
    "locationValue",
    "maxPerDay",
    "q0_options",
  ]);
  assert.deepEqual(res.values, values);
  assert.equal(res.values.maxPerDay, "0");
  assert.equal(res.values.locationValue, "zoom.us/j/1");
  assert.deepEqual(res.values.reminders, [{ when: "1440", minutes: "", toHost: true }]);
  // The route returns here: the stored event type is untouched.
  const stored = await findEventType(app, alice, created.record.id);
  assert.equal(stored?.title, "Intro call");
  assert.equal(stored?.maxPerDay, 2);
  app.close();
});

Deno.test("event type form: without JavaScript, add / remove / move buttons edit the questions and reminders unsaved", () => {
  const read = (extra: Record<string, string>) => readEventTypeForm(formOf(extra));
  const two = {
    q0_id: "first001",
    q0_label: "First",
    q0_type: "short",
    q1_id: "second01",
    q1_label: "Second",
    q1_type: "long",
  };
  let r = read({ ...two, intent: "add_question" });
  let next = applyEventTypeIntent(r.values, r.intent);
  assert.equal(next.questions.length, 3);
  assert.deepEqual({ ...next.questions[2], id: "" }, {
    id: "",
    label: "",
    type: "short",
    required: false,
    options: "",
  });
  r = read({ ...two, intent: "move_question:1:up" });
  assert.deepEqual(applyEventTypeIntent(r.values, r.intent).questions.map((q) => q.label), [
    "Second",
    "First",
  ]);
  r = read({ ...two, intent: "move_question:0:up" });
  assert.deepEqual(applyEventTypeIntent(r.values, r.intent).questions.map((q) => q.label), [
    "First",
    "Second",
  ]);
  r = read({ ...two, intent: "remove_question:0" });
  assert.deepEqual(applyEventTypeIntent(r.values, r.intent).questions.map((q) => q.id), [
    "second01",
  ]);
  r = read({ r0_when: "1440", intent: "add_reminder" });
  next = applyEventTypeIntent(r.values, r.intent);
  assert.deepEqual(
    next.reminders.map((x) => x.when),
    ["1440", "60"],
    "proposes the next unused preset",
  );
  r = read({ r0_when: "1440", r1_when: "60", intent: "remove_reminder:0" });
  assert.deepEqual(applyEventTypeIntent(r.values, r.intent).reminders.map((x) => x.when), ["60"]);
  r = read({ intent: "drop table" });
  assert.deepEqual(r.intent, { kind: "save" });
  const full: EventTypeValues = {
    ...NEW_EVENT_TYPE_VALUES,
    reminders: Array.from(
      { length: MAX_REMINDERS },
      () => ({ when: "10", minutes: "", toHost: false }),
    ),
  };
  assert.equal(
    applyEventTypeIntent(full, { kind: "add_reminder" }).reminders.length,
    MAX_REMINDERS,
  );
});

Deno.test("event type form: a series repeats every 1–4 weeks, 2–52 dates, needs its number of dates and refuses seats", () => {
  const base = {
    title: "Coaching",
    slug: "coaching",
    durationMin: "60",
    bookingWindowDays: "60",
    color: "#2549ea",
    active: "on",
  };
  const ok = v.safeParse(EventTypeForm, {
    ...base,
    seriesEveryWeeks: "2",
    seriesCount: "12",
    seriesFreeOnly: "on",
  });
  assert.ok(ok.success);
  assert.deepEqual(ok.output.series, { everyWeeks: 2, count: 12, freeOnly: true });
  const none = v.safeParse(EventTypeForm, { ...base, seriesEveryWeeks: "", seriesCount: "5" });
  assert.ok(none.success);
  assert.equal(none.output.series, null);
  const fields = (values: Record<string, string>) => {
    const r = v.safeParse(EventTypeForm, { ...base, ...values });
    assert.ok(!r.success);
    return Object.keys(v.flatten(r.issues).nested ?? {}).sort();
  };
  assert.deepEqual(fields({ seriesEveryWeeks: "5", seriesCount: "4" }), ["seriesEveryWeeks"]);
  assert.deepEqual(fields({ seriesEveryWeeks: "1", seriesCount: "53" }), ["seriesCount"]);
  assert.deepEqual(fields({ seriesEveryWeeks: "1", seriesCount: "1" }), ["seriesCount"]);
  assert.deepEqual(fields({ seriesEveryWeeks: "1" }), ["seriesCount"]);
  assert.deepEqual(fields({ seriesEveryWeeks: "1", seriesCount: "4", seatsPerTime: "5" }), [
    "seriesEveryWeeks",
  ]);
});
