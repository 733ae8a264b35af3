/**
 * Where a routing form's response links its booking (Dashboard → Routing forms → Responses),
 * against the built server, followed as the host clicks it: a team form's booking hosted by
 * another member opens in the team's bookings (owners see all of them there), a personal form's
 * team booking hosted by someone else likewise for an owner, and for a plain member (who cannot
 * open it) the row says so without a link; a booking older than the list's first page opens the
 * page of the list that holds it. Before, every link went to the reader's own list
 * (`/dashboard/bookings#booking-…`), which holds neither another member's booking nor a
 * booking older than its 100 most recent past ones.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { signInByLink } from "../support/auth.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import { newId } from "../../src/lib/server/store/users.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import {
  insertRoutingResponse,
  linkBookingToResponse,
} from "../../src/lib/server/store/routing-forms.ts";
import type { App } from "../../src/lib/server/app.ts";
import type { BookingRecord, EventTypeRecord } from "../../src/lib/server/domain/model/records.ts";

const HOUR = 3_600_000;

/** A confirmed booking written straight to the store, listed for its people (and its team). */
async function putBooking(
  app: App,
  et: EventTypeRecord,
  hostId: string,
  startMs: number,
  teamId?: string,
): Promise<BookingRecord> {
  const b: BookingRecord = {
    v: 1,
    id: newId(startMs),
    hostId,
    eventTypeId: et.id,
    eventTitle: et.title,
    durationMin: 30,
    startMs,
    endMs: startMs + 30 * 60_000,
    blockStartMs: startMs,
    blockEndMs: startMs + 30 * 60_000,
    status: "CONFIRMED",
    guestName: `Guest ${startMs}`,
    guestEmail: "guest@example.test",
    guestNote: "",
    guestTimeZone: "UTC",
    hostTimeZone: "UTC",
    createdAtMs: startMs - 24 * HOUR,
    reservedUntilMs: null,
    decidedAtMs: startMs - 24 * HOUR,
    endReason: null,
    history: [{ status: "CONFIRMED", atMs: startMs - 24 * HOUR, by: "guest" }],
    tokenSalt: "salt",
    ...(teamId ? { teamId, personIds: [hostId] } : {}),
  };
  const op = app.kv.atomic()
    .set(keys.booking(b.id), b)
    .set(keys.bookingByHostStart(hostId, b.startMs, b.id), b.id);
  if (teamId) op.set(keys.teamBooking(teamId, b.startMs, b.id), b.id);
  assert.ok((await op.commit()).ok);
  return b;
}

/** A published form with a name question that thanks everyone. */
async function form(app: App, ownerId: string, slug: string): Promise<string> {
  const made = await createForm(app, ownerId, { title: slug, slug });
  assert.ok(made.ok);
  const saved = await saveForm(app, ownerId, made.form.id, {
    title: slug,
    slug,
    description: "",
    active: true,
  }, {
    questions: [{ key: "name", type: "short", label: "Name", required: true }],
    routes: [],
    fallback: { kind: "message", text: "Thanks!" },
  });
  assert.ok(saved.ok, JSON.stringify(saved));
  return made.form.id;
}

/** A response to the form, linked to the booking as a routed visit's is. */
async function respond(app: App, ownerId: string, formId: string, booking: BookingRecord) {
  const id = newId(app.now());
  await insertRoutingResponse(app.kv, {
    v: 1,
    id,
    formId,
    ownerId,
    answers: { name: booking.guestName },
    routeId: "fallback",
    destination: { kind: "message", text: "Thanks!" },
    createdAtMs: app.now(),
  });
  assert.ok(await linkBookingToResponse(app.kv, { formId, responseId: id }, booking.id));
}

const hrefs = (html: string) =>
  [...html.matchAll(/<td[^>]*data-response-booking[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]);
const linkIn = (cell: string) => /href="([^"]+)"/.exec(cell)?.[1]?.replaceAll("&amp;", "&");

Deno.test({
  name:
    "e2e routing response links: a booking opens where the reader can see it (the team's list, the page of their list holding an old one), or says plainly they cannot",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-links-");
    const { team, users } = await seedTeam(seed, {
      slug: "support",
      name: "Support",
      members: [{ username: "olga" }, { username: "max" }],
    });
    const [olga, max] = users;
    const help = await seedTeamEventType(seed, team, { slug: "help", teamMode: "round_robin" });
    const own = await createEventType(seed, olga, { slug: "call" });
    const now = Date.now();
    // A team form's visitor booked max; olga's own form's visitor too; max's own form's visitor
    // was given to olga.
    const maxes = await putBooking(seed, help, max.id, now + 48 * HOUR, team.id);
    const teamForm = await form(seed, team.id, "help-me");
    await respond(seed, team.id, teamForm, maxes);
    const olgaForm = await form(seed, olga.id, "ask");
    const alsoMaxes = await putBooking(seed, help, max.id, now + 50 * HOUR, team.id);
    await respond(seed, olga.id, olgaForm, alsoMaxes);
    const olgas = await putBooking(seed, help, olga.id, now + 52 * HOUR, team.id);
    const maxForm = await form(seed, max.id, "ask-max");
    await respond(seed, max.id, maxForm, olgas);
    // Olga's oldest of 150 past meetings came from her own form.
    let oldest: BookingRecord | null = null;
    for (let i = 0; i < 150; i++) {
      oldest = await putBooking(seed, own, olga.id, now - 24 * HOUR - i * HOUR);
    }
    await respond(seed, olga.id, olgaForm, oldest!);
    kv.close();
    await using app = await startApp({ dataDir });

    const owner = await signInByLink(app, "olga@example.test");
    const member = await signInByLink(app, "max@example.test");
    const opens = async (client: typeof owner, href: string, bookingId: string) => {
      const page = await client.get(href);
      assert.equal(page.status, 200, href);
      assert.equal(new URL(href, app.baseUrl).hash, `#booking-${bookingId}`, href);
      assert.ok(page.body.includes(`id="booking-${bookingId}"`), `${href} holds the booking`);
    };

    // The team form: max's booking opens in the team's list.
    const teamCells = hrefs(
      (await owner.get(`/dashboard/teams/${team.id}/routing/${teamForm}/responses?lang=en`)).body,
    );
    assert.equal(teamCells.length, 1);
    const teamHref = linkIn(teamCells[0]);
    assert.ok(teamHref, teamCells[0]);
    await opens(owner, teamHref, maxes.id);

    // Olga's own form: the team booking max hosts opens in the team's list; her oldest meeting
    // opens on the page of her list that holds it.
    const ownCells = hrefs(
      (await owner.get(`/dashboard/routing/${olgaForm}/responses?lang=en`)).body,
    );
    assert.equal(ownCells.length, 2);
    const linkTo = (id: string) => {
      const href = ownCells.map(linkIn).find((h) => h?.endsWith(`#booking-${id}`));
      assert.ok(href, `a link to ${id} in ${ownCells.join("\n")}`);
      return href;
    };
    await opens(owner, linkTo(oldest!.id), oldest!.id);
    await opens(owner, linkTo(alsoMaxes.id), alsoMaxes.id);

    // Max's own form: olga's booking is not his to open; the row says so, without a link.
    const maxCells = hrefs(
      (await member.get(`/dashboard/routing/${maxForm}/responses?lang=en`)).body,
    );
    assert.equal(maxCells.length, 1);
    assert.equal(linkIn(maxCells[0]), undefined, maxCells[0]);
    assert.match(maxCells[0].replace(/<[^>]*>/g, " "), /another member of Support/);
    const de = hrefs((await member.get(`/dashboard/routing/${maxForm}/responses?lang=de`)).body);
    assert.match(de[0].replace(/<[^>]*>/g, " "), /Support/);
    assert.doesNotMatch(de[0], /another member/);
  },
});
