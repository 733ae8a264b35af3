/**
 * A guest's request to a team waits for one decision (the organiser's or a team owner's), and
 * their mail says so as the page they booked on does ("Crew will confirm within …"). It said
 * "Host ann, Host ben and Host cleo will confirm", as if every member had to.
 */
import assert from "node:assert/strict";
import { bookTeamSlot } from "./team-bookings.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";

Deno.test("a collective request's mail to the guest says the team confirms, not every member", async () => {
  const app = await memoryApp();
  const { team } = await seedTeam(app, {
    members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
  });
  await seedTeamEventType(app, team, {
    slug: "panel",
    teamMode: "collective",
    requiresConfirmation: true,
  });
  const r = await bookTeamSlot(app, {
    team: "crew",
    slug: "panel",
    start: "2026-11-23T09:00:00Z",
    name: "Gail",
    email: "gail@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(r.ok, JSON.stringify(r));
  await deliverOutbox(app, app.now());
  const mail = app.mailer.sent.find((m) => m.to === "gail@example.test");
  assert.ok(mail, app.mailer.sent.map((m) => m.to).join(", "));
  // The meeting is with all three; the decision is the team's.
  assert.match(mail.text, /with Host ann, Host ben and Host cleo/);
  assert.match(mail.text, new RegExp(`${team.name} will confirm within 24 hours`));
  assert.doesNotMatch(mail.text, /Host cleo will confirm/);
  app.close();
});
