import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { mintOneOffLink } from "./one-off-links.ts";
import { bookWithSingleUseLink, openSingleUseLink } from "./single-use-links.ts";

Deno.test("one-off link: 1–10 free times; books only those; expires at the last offered time", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, { slug: "chat", requiresConfirmation: false } as never);
  const mint = (starts: string[]) => mintOneOffLink(app, host, { slug: "chat", starts, note: "" });
  assert.equal(((await mint([])) as { reason: string }).reason, "no_times");
  const eleven = Array.from(
    { length: 11 },
    (_, i) => `2026-11-23T${String(9 + i % 8).padStart(2, "0")}:${i < 8 ? "00" : "30"}:00Z`,
  );
  assert.equal(((await mint(eleven)) as { reason: string }).reason, "too_many_times");
  assert.equal(((await mint(["2026-11-21T10:00:00Z"])) as { reason: string }).reason, "not_free");
  const made = await mint(["2026-11-24T10:00:00Z", "2026-11-23T10:00:00Z"]);
  assert.ok(made.ok);
  assert.equal(made.link.expiresAtMs, Date.parse("2026-11-24T10:00:00Z"));
  const token = made.url.split("/").pop()!;
  const input = (start: string) => ({
    start,
    name: "Guest",
    email: "g@example.test",
    note: "",
    timeZone: "UTC",
  });
  const other = await bookWithSingleUseLink(app, "ann", token, input("2026-11-23T11:00:00Z"));
  assert.equal(other.ok ? "booked" : other.reason, "slot_unavailable");
  // At the last offered time the link is expired.
  app.clock.ms = Date.parse("2026-11-24T10:00:00Z");
  const open = await openSingleUseLink(app, "ann", token);
  assert.equal(open.ok ? "open" : open.reason, "expired");
  app.close();
});
