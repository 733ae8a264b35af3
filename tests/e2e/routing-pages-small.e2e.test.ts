/**
 * The routing form pages on a small phone (360 px) in the four languages, light and dark, in
 * Chromium: the form list, the editor with its funnel, the responses (a booking another member
 * hosts, said in words), a team's responses, the insights' routing table, and the public form
 * and its widget. Each page is checked with axe (serious and critical) and must not be wider
 * than the screen (a table scrolls inside its own region). Screenshots for a person to look at:
 * test-results/screenshots/routing-small-*.png.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { signInByLink } from "../support/auth.ts";
import { createClient } from "../support/http.ts";
import { inputValue } from "../support/routing.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  inEachScheme,
  screenshot,
  sessionCookies,
} from "../support/browser.ts";
import type { Page } from "playwright-core";
import { keys } from "../../src/lib/server/store/keys.ts";
import { newId } from "../../src/lib/server/store/users.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import {
  insertRoutingResponse,
  linkBookingToResponse,
} from "../../src/lib/server/store/routing-forms.ts";
import type { App } from "../../src/lib/server/app.ts";
import type { BookingRecord, EventTypeRecord } from "../../src/lib/server/domain/model/records.ts";
import type { RoutingFormDefinition } from "../../src/lib/server/domain/routing.ts";

const HOUR = 3_600_000;

async function putBooking(app: App, et: EventTypeRecord, hostId: string, startMs: number) {
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
    guestName: "Bartholomew Featherstonehaugh",
    guestEmail: "bartholomew.featherstonehaugh@example.test",
    guestNote: "",
    guestTimeZone: "UTC",
    hostTimeZone: "UTC",
    createdAtMs: startMs - 24 * HOUR,
    reservedUntilMs: null,
    decidedAtMs: startMs - 24 * HOUR,
    endReason: null,
    history: [{ status: "CONFIRMED", atMs: startMs - 24 * HOUR, by: "guest" }],
    tokenSalt: "salt",
    ...(et.teamId ? { teamId: et.teamId, personIds: [hostId] } : {}),
  };
  const op = app.kv.atomic()
    .set(keys.booking(b.id), b)
    .set(keys.bookingByHostStart(hostId, b.startMs, b.id), b.id);
  if (et.teamId) op.set(keys.teamBooking(et.teamId, b.startMs, b.id), b.id);
  assert.ok((await op.commit()).ok);
  return b;
}

async function form(app: App, ownerId: string, slug: string, definition: RoutingFormDefinition) {
  const title = "Find the right person for your company’s onboarding";
  const made = await createForm(app, ownerId, { title, slug });
  assert.ok(made.ok);
  const saved = await saveForm(app, ownerId, made.form.id, {
    title,
    slug,
    description: "A few questions, then we send you to the right calendar.",
    active: true,
  }, definition);
  assert.ok(saved.ok, JSON.stringify(saved));
  return made.form.id;
}

async function respond(app: App, ownerId: string, formId: string, b: BookingRecord) {
  const id = newId(app.now());
  await insertRoutingResponse(app.kv, {
    v: 1,
    id,
    formId,
    ownerId,
    answers: {
      name: b.guestName,
      email: b.guestEmail,
      company: "Internationale Versicherungsgesellschaft",
      seats: "250",
      topics: ["Pricing", "Security"],
    },
    routeId: "r_big",
    destination: { kind: "message", text: "Thanks!" },
    createdAtMs: app.now(),
  });
  assert.ok(await linkBookingToResponse(app.kv, { formId, responseId: id }, b.id));
}

Deno.test({
  name:
    "e2e routing pages at 360 px: four languages, light and dark, no page wider than the screen, no serious axe finding",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-small-");
    const { team, users } = await seedTeam(seed, {
      slug: "support",
      name: "Customer Success Europe",
      members: [{ username: "olga" }, { username: "max" }],
    });
    const [olga, max] = users;
    const help = await seedTeamEventType(seed, team, {
      slug: "help",
      title: "Onboarding",
      teamMode: "round_robin",
    });
    const call = await createEventType(seed, olga, { slug: "call", title: "Sales call" });
    const definition = (eventType: EventTypeRecord, ownerId: string): RoutingFormDefinition => ({
      questions: [
        { key: "name", type: "short", label: "Your name", required: true },
        { key: "email", type: "email", label: "Work email address", required: true },
        { key: "company", type: "short", label: "Company", required: false },
        { key: "seats", type: "number", label: "How many seats do you need?", required: true },
        {
          key: "topics",
          type: "multi",
          label: "What would you like to talk about?",
          required: false,
          options: ["Pricing", "Security", "Integrations"],
        },
        { key: "details", type: "long", label: "Anything else?", required: false },
      ],
      routes: [{
        id: "r_big",
        match: "all",
        conditions: [{ key: "seats", op: "gte", values: ["100"] }],
        destination: { kind: "event_type", ownerId, eventTypeId: eventType.id },
      }],
      fallback: { kind: "message", text: "Thanks! We will write to you within a day." },
    });
    const olgaForm = await form(seed, olga.id, "ask", definition(call, olga.id));
    const teamForm = await form(seed, team.id, "help-me", definition(help, team.id));
    const now = Date.now();
    await respond(seed, olga.id, olgaForm, await putBooking(seed, call, olga.id, now + 48 * HOUR));
    await respond(seed, team.id, teamForm, await putBooking(seed, help, max.id, now + 50 * HOUR));
    const maxForm = await form(seed, max.id, "ask-max", definition(help, team.id));
    await respond(seed, max.id, maxForm, await putBooking(seed, help, olga.id, now + 52 * HOUR));
    kv.close();
    await using app = await startApp({ dataDir, env: { INVITO_MIN_FILL_TIME: "0s" } });
    // A visitor answers the public form: the insights count its view and submission.
    const visitor = createClient(app.baseUrl);
    const page = await visitor.get("/forms/olga/ask");
    const sent = await visitor.post("/forms/olga/ask", {
      ft: inputValue(page.body, "ft"),
      website: "",
      name: "Ana",
      email: "ana@example.test",
      seats: "3",
    });
    assert.ok(sent.status < 400, sent.body.slice(0, 300));

    const olga_ = await signInByLink(app, "olga@example.test");
    // The form list's funnel in words: one booking is one, in every language ("1 réservés" was).
    for (
      const [lang, one] of [["en", "1 booked"], ["de", "1 gebucht"], ["fr", "1 réservé"], [
        "es",
        "1 reservado",
      ]]
    ) {
      const text = (await olga_.get(`/dashboard/routing?lang=${lang}`)).body;
      assert.match(text, new RegExp(`${one}(?![a-zé])`), lang);
    }
    // The responses' filters ("Règle", "Réservation", "Ruta", "Reserva": feminine) offer "all".
    for (const [lang, all] of [["fr", "Toutes"], ["es", "Todas"]]) {
      const html = (await olga_.get(`/dashboard/routing/${olgaForm}/responses?lang=${lang}`)).body;
      assert.equal(
        html.match(new RegExp(`<option value="">${all}</option>`, "g"))?.length,
        2,
        lang,
      );
    }
    const problems: string[] = [];
    // One word for a form's routes on the routing pages and in insights: "Règle" in the editor,
    // its table and the responses' filter, so not "par route" / "Toutes les routes" in insights
    // (German: "Regel", not "Route"; Spanish: "ruta" throughout).
    for (
      const [lang, word, other] of [
        ["fr", /par règle|Toutes les règles/, /\broutes?\b/i],
        ["de", /je Regel|Alle Regeln/, /\bRouten?\b/],
        ["es", /por ruta|Todas las rutas/, /\bregla/i],
      ] as const
    ) {
      const html = (await olga_.get(`/dashboard/insights?lang=${lang}&range=7`)).body;
      const section = html.slice(html.indexOf("data-routing-insights"));
      const text = section.slice(0, section.indexOf("</section>")).replace(/<[^>]*>/g, " ");
      if (!word.test(text) || other.test(text)) {
        problems.push(`insights ${lang}: ${text.slice(0, 400)}`);
      }
    }
    const olgaCookies = sessionCookies(olga_);
    const maxCookies = sessionCookies(await signInByLink(app, "max@example.test"));
    const pages: [string, string, typeof olgaCookies][] = [
      ["list", "/dashboard/routing", olgaCookies],
      ["editor", `/dashboard/routing/${olgaForm}`, olgaCookies],
      ["responses", `/dashboard/routing/${olgaForm}/responses`, olgaCookies],
      ["team-responses", `/dashboard/teams/${team.id}/routing/${teamForm}/responses`, olgaCookies],
      ["member-responses", `/dashboard/routing/${maxForm}/responses`, maxCookies],
      ["team-editor", `/dashboard/teams/${team.id}/routing/${teamForm}`, olgaCookies],
      ["insights", "/dashboard/insights", olgaCookies],
      ["public", "/forms/olga/ask", []],
      ["widget", "/widget/forms/olga/ask", []],
    ];
    const browser = await borrowBrowser();
    const visits = pages.flatMap((page) =>
      ["en", "de", "fr", "es"].map((lang) => [...page, lang] as const)
    );
    // Two pages at a time: each visit waits on the server and the browser more than it works.
    // Each worker keeps one context per signed-in person and views each load in light, then
    // dark (the page follows the system, `inEachScheme`): 72 contexts and loads were 18 of them and
    // 36 loads, and the file went from the suite's longest to under half its time.
    const visit = async () => {
      const contexts = new Map<typeof olgaCookies, Page>();
      const pageFor = async (cookies: typeof olgaCookies) => {
        let p = contexts.get(cookies);
        if (!p) {
          const ctx = await browser.newContext({
            viewport: { width: 360, height: 740 },
            colorScheme: "light",
            timezoneId: "Europe/Berlin",
          });
          await ctx.addCookies(cookies);
          p = await ctx.newPage();
          contexts.set(cookies, p);
        }
        return p;
      };
      try {
        for (let v = visits.shift(); v; v = visits.shift()) {
          const [name, path, cookies, lang] = v;
          const p = await pageFor(cookies);
          const res = await p.goto(app.url(`${path}?lang=${lang}`));
          assert.equal(res?.status(), 200, `${path} ${lang}`);
          await hydrated(p);
          await inEachScheme(p, async (scheme) => {
            await screenshot(p, `routing-small-${name}-${scheme}-${lang}`);
            const wide = await p.evaluate(() => {
              const w = document.documentElement.clientWidth;
              const over = [...document.querySelectorAll("body *")].filter((e) => {
                const r = e.getBoundingClientRect();
                return r.width > 0 && r.right > w + 1 &&
                  !e.parentElement?.closest(".overflow-x-auto, .overflow-auto");
              }).slice(0, 3).map((e) =>
                `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${
                  String(e.className).split(" ").slice(0, 3).join(".")
                } ${Math.round(e.getBoundingClientRect().right)}px`
              );
              return document.documentElement.scrollWidth > w ? over : [];
            });
            if (wide.length) {
              problems.push(`${name} ${scheme} ${lang}: wider: ${wide.join("; ")}`);
            }
            // A table on a phone scrolls sideways rather than crush its columns: a route's name
            // on one line ("Tous les autres (par défaut)" took five), a booking's note in four (six), a
            // question's label in three.
            const lines = (selector: string) =>
              p.evaluate((sel) =>
                [...document.querySelectorAll(sel)].map((el) => {
                  const range = document.createRange();
                  range.selectNodeContents(el);
                  const tops = [...range.getClientRects()].map((r) => Math.round(r.top));
                  return { text: el.textContent!.trim(), lines: new Set(tops).size };
                }), selector);
            for (
              const [sel, most] of [
                ["[data-routing-route] td:nth-child(3)", 1],
                ["[data-response-row] td:nth-child(2)", 1],
                ["[data-booking-shut]", 4],
                ["thead th:nth-child(n+4)", 3],
                // The editor's "Responses" beside the form's address ("Répon-ses" was cut).
                ["p > a[href$='/responses']", 1],
              ] as const
            ) {
              for (const cell of await lines(sel)) {
                if (cell.lines > most) {
                  problems.push(
                    `${name} ${scheme} ${lang}: "${cell.text}" in ${cell.lines} lines`,
                  );
                }
              }
            }
            // Table cells read from their top, as the project's other tables do: a row's
            // numbers beside a form's name in two lines were centred on it.
            const sunk = await p.evaluate(() =>
              [...document.querySelectorAll("[data-routing-insights] tbody tr")].flatMap((tr) => {
                const tops = [...tr.querySelectorAll("td")].flatMap((td) => {
                  const range = document.createRange();
                  range.selectNodeContents(td);
                  const first = [...range.getClientRects()].find((r) => r.width > 1);
                  return first ? [Math.round(first.top)] : [];
                });
                return Math.max(...tops) - Math.min(...tops) > 3 ? [tr.textContent!.trim()] : [];
              })
            );
            for (const row of sunk) {
              problems.push(`${name} ${scheme} ${lang}: not top-aligned: ${row}`);
            }
            for (const v of await checkA11y(p)) problems.push(`${name} ${scheme} ${lang}: ${v}`);
          });
        }
      } finally {
        for (const p of contexts.values()) await p.context().close();
      }
    };
    try {
      await Promise.all([visit(), visit()]);
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, []);
  },
});
