/**
 * Who a team's collective booking's members are told cancelled it: the organiser pressed it, so
 * every other member reads the organiser's name — not "You cancelled", which each of them read.
 */
import assert from "node:assert/strict";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { mailerTo, startSmtp } from "../../../../tests/support/smtp.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { decideBooking } from "./decide-booking.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getBooking } from "../store/bookings.ts";

Deno.test({
  name:
    "team bookings: when the organiser cancels a collective booking, each other member's mail names the organiser; only the organiser reads 'You cancelled'",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
    app.mailer = mailerTo(smtp);
    try {
      const { team, users } = await seedTeam(app, {
        members: [{ username: "ann" }, { username: "ben" }, { username: "cat" }],
      });
      await seedTeamEventType(app, team, {
        slug: "review",
        title: "Review",
        teamMode: "collective",
        durationMin: 30,
      });
      const made = await bookTeamSlot(app, {
        team: "crew",
        slug: "review",
        start: "2026-11-23T10:00:00Z",
        name: "Gus",
        email: "gus@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.ok(made.ok, JSON.stringify(made));
      const booking = (await getBooking(app.kv, made.bookingId))!;
      await deliverOutbox(app, app.now());
      const before = smtp.mails.length;
      const res = await decideBooking(app, booking.id, "cancel", "host", {
        hostId: booking.hostId,
        reason: "Room flooded",
      });
      assert.ok(res.ok, JSON.stringify(res));
      await deliverOutbox(app, app.now());
      const organiser = users.find((u) => u.id === booking.hostId)!;
      await smtp.waitForMail(
        () => users.every((u) => smtp.mails.slice(before).some((m) => m.to.includes(u.email))),
        5_000,
      );
      for (const u of users) {
        const mine = smtp.mails.slice(before).filter((m) => m.to.includes(u.email));
        assert.equal(mine.length, 1, `${u.username}: ${mine.map((m) => m.subject).join(" | ")}`);
        if (u.id === organiser.id) assert.match(mine[0].text, /You cancelled “Review”/);
        else {
          assert.doesNotMatch(mine[0].text, /You cancelled/, u.username);
          assert.match(
            mine[0].text,
            new RegExp(`${organiser.name} cancelled “Review”`),
            u.username,
          );
        }
        assert.match(mine[0].text, /Room flooded/);
      }
    } finally {
      app.close();
    }
  },
});
