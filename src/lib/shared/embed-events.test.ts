import assert from "node:assert/strict";
import { endOf, parentMessage, targetsFor } from "./embed-events.ts";

const booked = {
  type: "invito:booked" as const,
  bookingId: "01J",
  eventType: "intro",
  start: "2026-12-01T09:00:00Z",
  end: "2026-12-01T09:30:00Z",
  status: "confirmed" as const,
  guest: { name: "Ada", email: "ada@example.com" },
};

Deno.test("embed events: every message is versioned; the guest rides along only when allowed", () => {
  assert.deepEqual(parentMessage({ type: "invito:page_height", height: 700 }, false), {
    type: "invito:page_height",
    height: 700,
    v: 1,
  });
  assert.equal(parentMessage(booked, false).guest, undefined);
  assert.deepEqual(parentMessage(booked, true).guest, booked.guest);
  assert.ok(!JSON.stringify(parentMessage(booked, false)).includes("ada@example.com"));
});

Deno.test("embed events: a time's end is its start plus the length, as an ISO instant", () => {
  assert.equal(endOf("2026-12-01T09:45:00Z", 30), "2026-12-01T10:15:00Z");
});

Deno.test("embed events: a message goes to the parent's own origin only, when it is listed", () => {
  const listed = ["https://invito.example", "https://shop.example", "https://blog.example"];
  assert.deepEqual(targetsFor(listed, "https://shop.example"), ["https://shop.example"]);
  assert.deepEqual(targetsFor(listed, "https://evil.example"), [], "not listed: none");
  assert.deepEqual(targetsFor(listed, null), listed, "parent unknown: every listed one");
  assert.deepEqual(targetsFor(["*"], "https://shop.example"), ["*"]);
  assert.deepEqual(targetsFor(["*"], null), ["*"]);
});
