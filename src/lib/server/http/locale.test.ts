import assert from "node:assert/strict";
import type { RequestEvent } from "@sveltejs/kit";
import { resolveLocale } from "./locale.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { updateUser } from "../store/users.ts";
import { bookSlot } from "../services/book-slot.ts";
import { bookingLinks } from "../services/booking-links.ts";
import { getBooking } from "../store/bookings.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import type { App } from "../app.ts";

function event(
  app: App,
  route: string,
  path: string,
  params: Record<string, string>,
  opts: { acceptLanguage?: string; user?: UserRecord } = {},
): RequestEvent {
  const url = new URL(`http://invito.test${path}`);
  return {
    url,
    params,
    route: { id: route },
    request: new Request(url, {
      headers: opts.acceptLanguage ? { "accept-language": opts.acceptLanguage } : {},
    }),
    locals: { app, user: opts.user ?? null },
  } as unknown as RequestEvent;
}

Deno.test("locale: an event type's fixed language beats the browser and ?lang=; without it the guest chooses", async () => {
  const app = await memoryApp();
  try {
    const host = await createHost(app, { username: "ana" });
    await createEventType(app, host, { slug: "fixed", language: "fr" });
    await createEventType(app, host, { slug: "open" });
    const page = (slug: string, q = "", acceptLanguage = "de-DE") =>
      resolveLocale(
        event(app, "/calendar/[username]/[slug]", `/calendar/ana/${slug}${q}`, {
          username: "ana",
          slug,
        }, { acceptLanguage }),
      );
    assert.equal(await page("fixed"), "fr");
    assert.equal(await page("fixed", "?lang=es"), "fr");
    // A French-speaking Canadian keeps their region on a page fixed to French.
    assert.equal(await page("fixed", "", "fr-CA,en"), "fr-CA");
    assert.equal(await page("open"), "de-DE");
    assert.equal(await page("open", "?lang=es"), "es");
    // The pseudo-locale is for tests and wins everywhere.
    assert.equal(await page("fixed", "?lang=en-XA"), "en-XA");
  } finally {
    app.close();
  }
});

Deno.test("locale: a team event type's fixed language beats the browser and ?lang= on the team's page and widget", async () => {
  const app = await memoryApp();
  try {
    const { team } = await seedTeam(app, { slug: "crew", members: [{ username: "ana" }] });
    await seedTeamEventType(app, team, { slug: "fixed", teamMode: "round_robin", language: "de" });
    await seedTeamEventType(app, team, { slug: "open", teamMode: "round_robin" });
    const page = (route: string, prefix: string, slug: string, q = "") =>
      resolveLocale(
        event(app, route, `${prefix}/crew/${slug}${q}`, { team: "crew", slug }, {
          acceptLanguage: "en-US,en",
        }),
      );
    for (
      const [route, prefix] of [["/team/[team]/[slug]", "/team"], [
        "/widget/team/[team]/[slug]",
        "/widget/team",
      ]]
    ) {
      assert.equal(await page(route, prefix, "fixed"), "de", route);
      assert.equal(await page(route, prefix, "fixed", "?lang=es"), "de", route);
      assert.equal(await page(route, prefix, "open"), "en-US", route);
      assert.equal(await page(route, prefix, "open", "?lang=fr"), "fr", route);
    }
    // An unknown team or event type reads the browser's language (and gets the usual 404).
    assert.equal(await page("/team/[team]/[slug]", "/team", "nope"), "en-US");
  } finally {
    app.close();
  }
});

Deno.test("locale: a guest's booking pages follow the language they booked in; the host's link pages the host's", async () => {
  const app = await memoryApp();
  try {
    const host = await createHost(app, { username: "ana" });
    await updateUser(app.kv, host.id, { locale: "de-AT" });
    await createEventType(app, host, { slug: "call" });
    const booked = await bookSlot(app, {
      username: "ana",
      slug: "call",
      start: "2026-11-25T09:00:00Z",
      name: "Guest",
      email: "g@example.test",
      note: "",
      timeZone: "UTC",
      locale: "es-MX",
    });
    assert.ok(booked.ok);
    const links = await bookingLinks(app, (await getBooking(app.kv, booked.bookingId))!);
    const token = (t: string, route: string, path: string, q = "") =>
      resolveLocale(event(app, route, `/booking/${t}${path}${q}`, { token: t }, {
        acceptLanguage: "en-US",
      }));
    const g = links.tokens.guest;
    assert.equal(await token(g, "/booking/[token]", ""), "es-MX");
    assert.equal(await token(g, "/booking/[token]/cancel", "/cancel"), "es-MX");
    assert.equal(await token(g, "/booking/[token]/reschedule", "/reschedule", "?lang=fr"), "fr");
    assert.equal(
      await token(links.tokens.confirm, "/booking/[token]/confirm", "/confirm"),
      "de-AT",
    );
    // An unknown token reads the browser's language (and gets the usual "not valid" page).
    assert.equal(await token("x".repeat(43), "/booking/[token]", ""), "en-US");
  } finally {
    app.close();
  }
});

Deno.test("locale: the dashboard speaks the host's profile language, else their browser's", async () => {
  const app = await memoryApp();
  try {
    const host = await createHost(app, { username: "ana" });
    const dash = (user: UserRecord) =>
      resolveLocale(
        event(app, "/dashboard", "/dashboard", {}, { user, acceptLanguage: "es-ES" }),
      );
    assert.equal(await dash(host), "es-ES");
    const { user } = (await updateUser(app.kv, host.id, { locale: "fr" })) as { user: UserRecord };
    assert.equal(await dash(user), "fr");
  } finally {
    app.close();
  }
});
