import assert from "node:assert/strict";
import * as v from "valibot";
import { BookingForm } from "./forms/booking.ts";
import { EventTypeForm } from "./forms/event-types.ts";
import { ProfileForm } from "./forms/profile.ts";
import { isMultiLineText, isOneLine, oneLineText } from "./text.ts";
import { checkAnswers } from "../server/domain/event-rules.ts";
import { translateRef } from "./i18n.ts";
import { translator } from "../server/i18n.ts";

/** Schema messages are catalog references; read them as an English reader does. */
const english = (ref: string) => translateRef(translator("en"), ref);

const BAD_IN_ONE_LINE = [
  "\n",
  "\r",
  "\r\n",
  "\u0085",
  "\u2028",
  "\u2029",
  "\u000b",
  "\u000c",
  "\t",
  "\u0000",
  "\u001b[31m",
  "\u007f",
  "\u202a",
  "\u202b",
  "\u202c",
  "\u202d",
  "\u202e",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
];

Deno.test("one-line text: no line break of any kind, no control character, no direction override", () => {
  for (const c of BAD_IN_ONE_LINE) assert.equal(isOneLine(`Ann${c}Lee`), false, JSON.stringify(c));
  for (const ok of ["Ann Lee", "Zoë O'Brien", "محمد\u200f", "שלום", "李雷", "🙂"]) {
    assert.equal(isOneLine(ok), true, ok);
  }
  assert.equal(isMultiLineText("a\nb\r\nc\td"), true);
  for (const c of ["\u2028", "\u202e", "\u0000", "\u0085", "\u000b"]) {
    assert.equal(isMultiLineText(`a${c}b`), false, JSON.stringify(c));
  }
});

Deno.test("forms: every one-line field refuses what one line cannot hold; multi-line fields keep their breaks", () => {
  const booking = (name: string, note = "") =>
    v.safeParse(BookingForm, {
      name,
      email: "a@example.test",
      note,
      start: "2026-12-01T09:00:00Z",
    });
  for (const c of BAD_IN_ONE_LINE) {
    const r = booking(`Ann${c}Lee`);
    assert.equal(r.success, false, JSON.stringify(c));
    if (!r.success) {
      assert.match(english(r.issues[0].message), /Line breaks and control characters/);
    }
    assert.equal(
      v.safeParse(ProfileForm, { name: `A${c}B`, username: "ab", timeZone: "UTC" }).success,
      false,
    );
  }
  const note = booking("Ann", "line 1\r\nline 2");
  assert.ok(note.success && note.output.note === "line 1\nline 2");
  assert.equal(booking("Ann", "a\u202eb").success, false);
  const et = v.safeParse(EventTypeForm, {
    title: "Intro\nConfirm: x",
    slug: "intro",
    durationMin: "30",
    bookingWindowDays: "30",
  });
  assert.ok(
    !et.success &&
      et.issues.some((i) =>
        i.path?.[0].key === "title" && /Line breaks and control/.test(english(i.message))
      ),
  );
});

Deno.test("answers: short, phone and choice answers are one line; long answers may span lines", () => {
  const qs = [
    { id: "s", label: "Company", type: "short" as const, required: false },
    { id: "l", label: "Agenda", type: "long" as const, required: false },
  ];
  assert.equal(checkAnswers(qs, { q_s: "Acme\nConfirm: x" }).ok, false);
  assert.equal(checkAnswers(qs, { q_s: "Acme\u2028x" }).ok, false);
  const long = checkAnswers(qs, { q_l: "one\r\ntwo" });
  assert.ok(long.ok && long.answers.find((a) => a.questionId === "l")?.value === "one\ntwo");
  assert.equal(checkAnswers(qs, { q_l: "one\u202etwo" }).ok, false);
});

Deno.test("text: a lone UTF-16 surrogate (half of a pair) is held by no text, one line or several; whole pairs stay", () => {
  for (const c of ["\ud800", "\udbff", "\udc00", "\udfff", "\ude42\ud83d"]) {
    assert.equal(isOneLine(`Ann${c}Lee`), false, JSON.stringify(c));
    assert.equal(isOneLine(`Ann${c}`), false, JSON.stringify(c));
    assert.equal(isMultiLineText(`a\n${c}b`), false, JSON.stringify(c));
  }
  for (const ok of ["🙂", "Ann 🙂 Lee", "𝒜", "\ud83d\ude42\ud83d\ude42"]) {
    assert.equal(isOneLine(ok), true, ok);
    assert.equal(isMultiLineText(`${ok}\n${ok}`), true, ok);
  }
  // Text from elsewhere (an import, a stored name) shown on one line loses the half, not more.
  assert.equal(oneLineText("Ann\ud800Lee 🙂"), "Ann Lee 🙂");
  // Forms refuse it with the words they give other characters a text may not hold.
  const note = v.safeParse(BookingForm, {
    name: "Ann",
    email: "a@example.test",
    note: "x\udc00",
    start: "2026-12-01T09:00:00Z",
  });
  assert.ok(!note.success && /characters we cannot store/.test(english(note.issues[0].message)));
  const qs = [{ id: "s", label: "Company", type: "short" as const, required: false }];
  assert.equal(checkAnswers(qs, { q_s: "Acme\ud800" }).ok, false);
});

Deno.test("text: a required one-line field of only invisible characters (zero-width space, joiners, BOM, Hangul filler) is empty to every form; visible text around them stays", () => {
  for (
    const blank of ["\u200b", " \u200b\u200c ", "\u200d", "\ufeff", "\u2060", "\u3164", "\u00ad"]
  ) {
    for (const form of [BookingForm]) {
      const res = v.safeParse(form, {
        name: blank,
        email: "a@example.test",
        note: "",
        start: "2026-12-01T09:00:00Z",
      });
      assert.ok(!res.success, JSON.stringify(blank));
      assert.equal(english(res.issues[0].message), "Please fill this in", JSON.stringify(blank));
    }
    const title = v.safeParse(EventTypeForm, { title: blank, slug: "x", durationMin: "30" });
    assert.ok(!title.success && title.issues.some((i) => i.path?.[0].key === "title"));
  }
  // Names that carry them between visible letters are names.
  for (const name of ["Ann\u200bLee", "\u0627\u0644\u200c\u0646", "👩\u200d💻"]) {
    assert.ok(
      v.safeParse(BookingForm, {
        name,
        email: "a@example.test",
        note: "",
        start: "2026-12-01T09:00:00Z",
      }).success,
      name,
    );
  }
});
