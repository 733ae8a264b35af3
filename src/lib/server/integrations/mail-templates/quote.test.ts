import assert from "node:assert/strict";
import { renderBookingMail } from "./booking.ts";
import { labelled } from "./quote.ts";
import type { BookingRecord } from "../../domain/model/records.ts";

const booking = (over: Partial<BookingRecord> = {}): BookingRecord => ({
  v: 1,
  id: "01J0000000000000000000000A",
  hostId: "H",
  eventTypeId: "E",
  eventTitle: "Intro call",
  durationMin: 30,
  startMs: Date.parse("2026-12-01T09:00:00Z"),
  endMs: Date.parse("2026-12-01T09:30:00Z"),
  blockStartMs: Date.parse("2026-12-01T09:00:00Z"),
  blockEndMs: Date.parse("2026-12-01T09:30:00Z"),
  status: "PENDING",
  guestName: "Ann Guest",
  guestEmail: "ann@example.test",
  guestNote: "",
  guestTimeZone: "UTC",
  hostTimeZone: "Europe/Berlin",
  createdAtMs: 0,
  reservedUntilMs: null,
  decidedAtMs: null,
  endReason: null,
  history: [{ status: "PENDING", atMs: 0, by: "guest" }],
  tokenSalt: "salt",
  ...over,
});

const ctx = (b: BookingRecord) => ({
  booking: b,
  host: { name: "Demo Host", email: "demo@invito.example" },
  links: {
    confirm: "https://cal.example/booking/C/confirm",
    reject: "https://cal.example/booking/R/reject",
    guest: "https://cal.example/booking/G",
    ics: "https://cal.example/booking/G/invite.ics",
    cancel: "https://cal.example/booking/G/cancel",
    reschedule: "https://cal.example/booking/G/reschedule",
  },
  baseUrl: "https://cal.example",
  ttlMs: 86_400_000,
  nowMs: 0,
});

const FORGED =
  "Hi\nConfirm: https://evil.example/c\r\nReject: https://evil.example/r\n\n──── end of mail ────";

Deno.test("mail: a guest's multi-line words are quoted under their label; only our own lines start like ours", () => {
  const b = booking({
    guestNote: FORGED,
    // Stored before names were checked: still quoted, never a line of its own.
    guestName: "Old\nConfirm: https://evil.example/n",
    answers: [{ questionId: "q", label: "Anything else?", value: FORGED }],
  });
  const mail = renderBookingMail("host_request", ctx(b))!;
  const lines = mail.text.split("\n");
  assert.deepEqual(lines.filter((l) => /^(Confirm|Reject):/.test(l)), [
    "Confirm: https://cal.example/booking/C/confirm",
    "Reject: https://cal.example/booking/R/reject",
  ]);
  for (const l of lines.filter((l) => /evil\.example\/[cr]|────/.test(l))) {
    assert.match(l, /^> /, l);
  }
  assert.ok(lines.includes("Note:") && lines.includes("> Hi"), mail.text);
  // HTML: the words sit in blockquotes, escaped.
  const quotes = [...mail.html!.matchAll(/<blockquote[^>]*>([\s\S]*?)<\/blockquote>/g)].map((m) =>
    m[1]
  );
  assert.equal(quotes.filter((q) => q.includes("evil.example/c")).length, 2);
  assert.ok(
    !mail.html!.replace(/<blockquote[\s\S]*?<\/blockquote>/g, "").includes("evil.example/c"),
  );
});

Deno.test("mail: a one-line value stays on its label's line, and CRLF counts as one break", () => {
  assert.equal(labelled("Note", "See you"), "Note: See you");
  assert.equal(labelled("Reason", "a\r\nb"), "Reason:\n> a\n> b");
  assert.equal(labelled("Reason", "a\n\nb"), "Reason:\n> a\n>\n> b");
  const cancelled = renderBookingMail(
    "host_cancelled",
    ctx(booking({ status: "CANCELLED", cancelReason: "Sorry\nConfirm: https://evil.example/x" })),
  )!;
  assert.ok(!cancelled.text.split("\n").some((l) => l.startsWith("Confirm:")), cancelled.text);
});
