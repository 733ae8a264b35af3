/**
 * A guest moves one date of a recurring series: both mails about the move say that only this
 * date moved and the series' other dates stay, in the reader's language.
 */
import assert from "node:assert/strict";
import { seriesOf4 } from "../../../../tests/support/series.ts";
import { rescheduleByGuest } from "./decide-booking.ts";
import { bookingToken } from "./booking-links.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";

Deno.test("series move mails: moving date 2 tells guest and host that only this date moved", async () => {
  const { app, dates } = await seriesOf4(false);
  try {
    const second = (await dates())[1];
    app.mailer.sent.length = 0;
    // Tuesday after the second Monday, same hour: free on the host's weekdays.
    const to = new Date(second.startMs + 86_400_000).toISOString();
    const moved = await rescheduleByGuest(app, await bookingToken(app, second, "guest"), to);
    assert.ok(moved.ok, JSON.stringify(moved));
    await deliverOutbox(app, app.now());
    const guest = app.mailer.sent.find((m) => m.to === "pat@example.test");
    const host = app.mailer.sent.find((m) => m.to === "coach@example.test");
    assert.ok(guest && host, app.mailer.sent.map((m) => m.to).join(", "));
    // Before: "Moved from … to …" alone, as for a single booking.
    for (const m of [guest, host]) {
      assert.match(
        m.text,
        /Only this date of the series moved; the other dates stay as they are\./,
      );
    }
  } finally {
    app.close();
  }
});
