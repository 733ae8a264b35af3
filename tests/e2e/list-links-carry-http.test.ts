/**
 * The pages that list event types — a host's (`/calendar/{user}/`), a team's (`/team/{team}/`)
 * and their widgets (`/widget/…/`) — lead to the chosen event type with every parameter of their
 * own address that pages read (ADR 061): the guest's zone and language, and what a site's embed
 * or link filled in (name, email, answers, note, place, phone, layout) and where the guest came
 * from (UTM, `ref`). The Embed page's default snippet opens the host's list with prefill and UTM;
 * its event-type links carried only `tz`, `lang` and the widget's looks, so the booking page
 * opened empty and the booking had no source.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY, seedTeam, seedTeamEventType } from "../support/teams.ts";
import { createClient } from "../support/http.ts";
import { formsOf, submitForm } from "../support/auth.ts";
import { fullDay } from "../support/slots.ts";
import { listHostBookingsAt } from "../../src/lib/server/store/booking-list.ts";
import type { EventTypeRecord } from "../../src/lib/server/domain/model/records.ts";

const QUESTIONS: NonNullable<EventTypeRecord["questions"]> = [
  { id: "company", label: "Company", type: "short", required: false },
];

/** Host "coach" (UTC, all day) with "quick-chat" and "intro"; team "crew" with "standup". */
async function seed() {
  const { dataDir, dbPath, kv, app } = await seedStore("invito-list-links-");
  const host = await createHost(app, {
    username: "coach",
    timeZone: "UTC",
    weekly: EVERY_DAY_ALL_DAY,
  });
  const plain = { requiresConfirmation: false, minNoticeMin: 0, questions: QUESTIONS };
  await createEventType(app, host, { slug: "quick-chat", title: "Quick chat", ...plain });
  await createEventType(app, host, { slug: "intro", title: "Intro", ...plain });
  const { team } = await seedTeam(app, {
    slug: "crew",
    members: [{ username: "ria" }, { username: "sol" }],
  });
  await seedTeamEventType(app, team, {
    slug: "standup",
    title: "Standup",
    teamMode: "round_robin",
    ...plain,
  });
  kv.close();
  return { dataDir, dbPath, hostId: host.id, memberIds: team.members.map((m) => m.userId) };
}

/** The links of `html` to an event type's page under `under` (not the list's own links). */
const linksTo = (html: string, under: string) =>
  [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1].replaceAll("&amp;", "&"))
    .filter((h) => {
      const path = h.split("?")[0];
      return path.startsWith(under) && /^[a-z0-9-]+$/.test(path.slice(under.length));
    });

// What a site's embed (Invito.inline's prefill and utm) and a hand-made link put in the address.
const KNOWN: Record<string, string> = {
  name: "Ann",
  email: "ann@example.com",
  q_company: "ACME",
  note: "About the offer",
  location: "0",
  phone: "+4930123456",
  layout: "week",
  utm_source: "site",
  utm_campaign: "spring",
  ref: "partner",
  tz: "Asia/Kolkata",
  lang: "de",
};

Deno.test({
  name:
    "event-type lists (host, team, and their widgets): each event type's link carries every known parameter of the list's address",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir } = await seed();
    try {
      await using app = await startApp({ dataDir });
      const lists = [
        { path: "/calendar/coach/", to: "/calendar/coach/", looks: false, count: 2 },
        { path: "/widget/coach/", to: "/widget/coach/", looks: true, count: 2 },
        { path: "/team/crew/", to: "/team/crew/", looks: false, count: 1 },
        { path: "/widget/team/crew/", to: "/widget/team/crew/", looks: true, count: 1 },
      ];
      const query = new URLSearchParams({ ...KNOWN, theme: "dark", accent: "0f766e" });
      for (const list of lists) {
        const res = await fetch(`${app.baseUrl}${list.path}?${query}`);
        const html = await res.text();
        assert.equal(res.status, 200, list.path);
        const links = linksTo(html, list.to);
        assert.equal(links.length, list.count, `${list.path}: ${links.join(" ")}`);
        for (const href of links) {
          const got = new URL(href, app.baseUrl).searchParams;
          const missing = Object.entries(KNOWN).filter(([k, v]) => got.get(k) !== v)
            .map(([k]) => k);
          assert.deepEqual(missing, [], `${list.path} → ${href}`);
          if (list.looks) {
            assert.equal(got.get("theme"), "dark", href);
            assert.equal(got.get("accent"), "0f766e", href);
          }
        }
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "the Embed page's default snippet (prefill and UTM on the host's widget list): the event type chosen opens with them and its booking keeps the name, answer and source; so does a team's list",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath, hostId, memberIds } = await seed();
    try {
      await using app = await startApp({ dataDir, env: { INVITO_MIN_FILL_TIME: "0s" } });
      // What embed.js makes of `prefill: { name, email, answers: { company } }, utm: { source }`.
      const snippet = "name=Ann&email=ann%40example.com&q_company=ACME&utm_source=site";
      for (
        const [list, page, ownerIds] of [
          ["/widget/coach/", "/widget/coach/quick-chat", [hostId]],
          ["/team/crew/", "/team/crew/standup", memberIds],
        ] as const
      ) {
        const c = createClient(app.baseUrl);
        const listed = await c.get(`${list}?${snippet}`);
        assert.equal(listed.status, 200, list);
        const href = linksTo(listed.body, list).find((h) => h.split("?")[0] === page);
        assert.ok(href, `${list}: a link to ${page}`);
        // The guest follows it, picks a day and a time (the page's own links keep the rest).
        const { date, slots } = await fullDay(app.baseUrl, page, { min: 2 });
        const sep = href.includes("?") ? "&" : "?";
        const opened = await c.get(
          `${href}${sep}tz=UTC&date=${date}&slot=${encodeURIComponent(slots[1])}`,
        );
        assert.equal(opened.status, 200, href);
        const form = formsOf(opened).find((f) => f.method === "POST" && f.action.includes("/book"));
        assert.ok(form, `${href}: the booking form`);
        const fields = Object.fromEntries(form.fields);
        assert.equal(fields.name, "Ann", `${href}: the name filled in`);
        assert.equal(fields.email, "ann@example.com", `${href}: the email filled in`);
        assert.equal(fields.q_company, "ACME", `${href}: the answer filled in`);
        assert.equal(fields.utm_source, "site", `${href}: the source rides along`);
        const sent = await submitForm(c, form, { headers: { origin: app.baseUrl } });
        assert.equal(sent.status, 303, sent.body.slice(0, 300));

        const kv = await Deno.openKv(dbPath);
        try {
          const booked = (await Promise.all(
            ownerIds.map((id) => listHostBookingsAt(kv, id, Date.parse(slots[1]))),
          )).flat();
          assert.equal(booked.length, 1, list);
          assert.equal(booked[0].guestName, "Ann");
          assert.deepEqual(booked[0].source, { utm_source: "site" }, `${list}: the source`);
          assert.deepEqual(
            booked[0].answers?.map((a) => [a.label, a.value]),
            [["Company", "ACME"]],
          );
        } finally {
          kv.close();
        }
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
