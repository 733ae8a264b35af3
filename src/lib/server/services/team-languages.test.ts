/**
 * Team bookings in their readers' languages: the guest's mails and booking view follow the
 * language they booked in (and keep it when the booking moves), each member reads their own mail
 * in their profile language, lists of people are joined as each language joins them, and a team
 * invitation reads in the invitee's language when they have an account.
 */
import assert from "node:assert/strict";
import { bookTeamSlot, rescheduleTeamBooking } from "./team-bookings.ts";
import { inviteMember } from "./team-invites.ts";
import { viewBooking } from "./booking-view.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { updateUser } from "../store/users.ts";
import { keys } from "../store/keys.ts";
import type { BookingRecord } from "../domain/model/records.ts";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-11-23T00:00:00Z");
const at = (ms: number) => new Date(ms).toISOString();
const dora = {
  name: "Dora",
  email: "dora@example.test",
  note: "",
  timeZone: "Europe/Berlin",
  locale: "de-DE",
};

Deno.test("team languages: a German guest's collective request reads German; each member reads their own language", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    name: "Die Crew",
    members: [{ username: "ann" }, { username: "ben" }, { username: "cleo" }],
  });
  // Ben reads French; Ann (the organiser) and Cleo have no language set: English.
  assert.ok((await updateUser(app.kv, users[1].id, { locale: "fr" }, app.now())).ok);
  await seedTeamEventType(app, team, {
    slug: "panel",
    title: "Panel",
    teamMode: "collective",
    requiresConfirmation: true,
  });
  const r = await bookTeamSlot(app, {
    team: "crew",
    slug: "panel",
    start: at(T0 + 9 * HOUR),
    ...dora,
  });
  assert.ok(r.ok, JSON.stringify(r));
  const b = (await app.kv.get<BookingRecord>(keys.booking(r.bookingId))).value!;
  assert.equal(b.guestLocale, "de-DE", "the team booking keeps the guest's language");

  await deliverOutbox(app, app.now());
  const to = (email: string) => app.mailer.sent.filter((m) => m.to === email);
  const [guestMail] = to("dora@example.test");
  assert.equal(guestMail.subject, "Anfrage gesendet: Panel mit Host ann, Host ben und Host cleo");
  // The team confirms (one decision), not the three it was booked with ("… und Host cleo bestätigt").
  assert.match(guestMail.text, new RegExp(`^${team.name} bestätigt innerhalb von `, "m"));
  assert.match(guestMail.html ?? "", /<html lang="de-DE"/);
  // The organiser decides (English); Ben is told in French, Cleo in English.
  const [annMail] = to("ann@example.test");
  assert.equal(annMail.subject, "Booking request: Panel with Dora");
  assert.match(annMail.text, /\/confirm/);
  const [benMail] = to("ben@example.test");
  assert.equal(benMail.subject, "Demande de rendez-vous\u00a0: Panel avec Dora");
  assert.match(
    benMail.text,
    /souhaite réserver «\u202fPanel\u202f» avec Die Crew le .*; vous faites partie des participants\./,
  );
  assert.match(benMail.text, /Host ann ou un propriétaire de l’équipe la confirme/);
  assert.doesNotMatch(benMail.text, /\/confirm/);
  const [cleoMail] = to("cleo@example.test");
  assert.match(
    cleoMail.text,
    /asks to book “Panel” with Die Crew on .*; you are one of the people attending\./,
  );

  // The guest's booking page: German, naming everyone she meets, and the team.
  const view = await viewBooking(app, b);
  assert.equal(view.hostName, "Host ann, Host ben und Host cleo");
  assert.equal(view.teamName, "Die Crew");
  assert.equal(view.bookAgainPath, "/team/crew/panel");
});

Deno.test("team languages: a round-robin booking moved by the guest keeps her language, and the mails say so", async () => {
  const app = await memoryApp();
  const { team } = await seedTeam(app, { members: [{ username: "ann" }, { username: "ben" }] });
  await seedTeamEventType(app, team, { slug: "call", title: "Call", teamMode: "round_robin" });
  const r = await bookTeamSlot(app, {
    team: "crew",
    slug: "call",
    start: at(T0 + 9 * HOUR),
    ...dora,
  });
  assert.ok(r.ok, JSON.stringify(r));
  const old = (await app.kv.get<BookingRecord>(keys.booking(r.bookingId))).value!;
  const moved = await rescheduleTeamBooking(app, old, at(T0 + 11 * HOUR), { by: "guest" });
  assert.ok(moved.ok, JSON.stringify(moved));
  assert.equal(moved.booking.guestLocale, "de-DE");
  await deliverOutbox(app, app.now());
  const subjects = app.mailer.sent.filter((m) => m.to === "dora@example.test").map((m) =>
    m.subject
  );
  assert.ok(
    subjects.includes("Verschoben – Bestätigt: Call mit Host ann") ||
      subjects.includes("Verschoben – Bestätigt: Call mit Host ben"),
    JSON.stringify(subjects),
  );
});

Deno.test("team languages: an invitation reads in the invitee's language when they have an account, else the owner's", async () => {
  const app = await memoryApp();
  const { team, users } = await seedTeam(app, {
    name: "Die Crew",
    members: [{ username: "olga" }],
  });
  const owner = users[0];
  assert.ok((await updateUser(app.kv, owner.id, { locale: "es" }, app.now())).ok);
  const known = await createHost(app, { username: "dieter", email: "dieter@example.test" });
  assert.ok((await updateUser(app.kv, known.id, { locale: "de" }, app.now())).ok);
  const ownerNow = { ...owner, locale: "es" };
  assert.ok((await inviteMember(app, ownerNow, team.id, "dieter@example.test", "member")).ok);
  assert.ok((await inviteMember(app, ownerNow, team.id, "nueva@example.test", "owner")).ok);
  await deliverOutbox(app, app.now());
  const mail = (email: string) => app.mailer.sent.find((m) => m.to === email)!;
  assert.equal(mail("dieter@example.test").subject, "Treten Sie Die Crew auf Invito bei");
  assert.match(
    mail("dieter@example.test").text,
    /Host olga lädt Sie ein, dem Team „Die Crew“ auf Invito \(invito\.test\) als Mitglied beizutreten\./,
  );
  assert.equal(mail("nueva@example.test").subject, "Únete a Die Crew en Invito");
  assert.match(mail("nueva@example.test").text, /como propietario\./);
});
