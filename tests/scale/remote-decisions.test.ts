/**
 * A host's confirm and reject of the same requests, pressed at once on two processes over
 * remote KV (the KV Connect test server, 1–8 ms per request, each process with Deno's own
 * client). A change reads its snapshot in several requests (the booking, then its fences and
 * busy lists), so another process's decision can land between them; that torn read must never
 * be answered as it was read (ADR 002, amendment of 2026-11-28): each press gets either the
 * decision or the decision that was made ("already confirmed" / "already rejected"), never
 * "expired", "not found" or a link that no longer works.
 */
import assert from "node:assert/strict";
import { createEventType, createHost, WORKDAYS } from "../support/memory-app.ts";
import { remoteApps } from "../support/remote-apps.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { decideBooking } from "../../src/lib/server/services/decide-booking.ts";
import { bookingForToken } from "../../src/lib/server/services/booking-links.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { refusalFor } from "../../src/lib/server/domain/booking.ts";

Deno.test({
  sanitizeResources: false,
  sanitizeOps: false,
  name:
    "remote KV: confirm and reject of eight requests pressed 20 times at once across two processes: one decision each, every other press told the decision that was made",
  async fn() {
    await using r = await remoteApps({ nowIso: "2026-11-23T07:00:00Z" });
    const host = await createHost(r.a, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(r.a, host, { slug: "call", durationMin: 30, requiresConfirmation: true });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const booked = await bookSlot(r.a, {
        username: "ann",
        slug: "call",
        start: `2026-11-25T${String(9 + i).padStart(2, "0")}:00:00Z`,
        name: `Guest ${i}`,
        email: `guest${i}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      assert.ok(booked.ok, JSON.stringify(booked));
      ids.push((await bookingForToken(r.a, booked.guestToken, "guest"))!.id);
    }
    const presses = ids.flatMap((id) =>
      Array.from({ length: 20 }, (_, i) => ({
        id,
        action: i % 2 ? "reject" as const : "confirm" as const,
        app: r.app(Math.floor(i / 2)),
      }))
    );
    const answers = await Promise.all(
      presses.map(async (p) => ({ ...p, res: await decideBooking(p.app, p.id, p.action, "host") })),
    );
    const problems: string[] = [];
    for (const id of ids) {
      const final = (await getBooking(r.kv, id))!;
      const mine = answers.filter((a) => a.id === id);
      const won = mine.filter((a) => a.res.ok);
      if (won.length !== 1) problems.push(`${id}: ${won.length} decisions took effect`);
      const expected = final.status === "CONFIRMED" ? "confirm" : "reject";
      if (won[0] && won[0].action !== expected) {
        problems.push(`${id}: ${won[0].action} answered done, the request is ${final.status}`);
      }
      for (const a of mine) {
        if (!a.res.ok && a.res.reason !== refusalFor(final)) {
          problems.push(
            `${id}: ${a.action} answered "${a.res.reason}", the request is ${final.status}`,
          );
        }
      }
    }
    assert.deepEqual(problems, []);
  },
});
