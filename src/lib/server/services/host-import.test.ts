import assert from "node:assert/strict";
import { finishSetup } from "./setup.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { exportHostJson } from "./host-data.ts";
import { importHostData } from "./host-import.ts";
import { listEventTypes } from "../store/event-types.ts";
import { getUser } from "../store/users.ts";
import { getUserPhoto } from "../store/photos.ts";
import { getWeeklyAvailability, saveWeeklyAvailability } from "./availability.ts";
import { updateProfile } from "./profile.ts";
import { saveBookingPageSettings, saveEmbedEventSettings, saveEmbedOrigins } from "./embed.ts";
import { frameAncestors } from "../domain/embed.ts";
import type { EventTypeRecord, UserRecord } from "../domain/model/records.ts";
import {
  type EventTypeValues,
  NEW_EVENT_TYPE_VALUES,
  parseEventTypeValues,
} from "../../shared/forms/event-type-editor.ts";
import { createEventType as createEventTypeAsHost } from "./event-types.ts";

const collect = async (it: AsyncIterable<string>) => {
  let s = "";
  for await (const c of it) s += c;
  return s;
};

/**
 * The old server's host, with what a host sets on the profile and embed pages besides the
 * basics (language, week start, the sites allowed to frame the widget and what it tells them)
 * and an event type's booking page settings; its export, and the records as they were.
 */
async function exportedWithRecords() {
  const app = await memoryApp({ nowIso: "2026-11-23T06:00:00Z" });
  let host = await createHost(app, { username: "mover", timeZone: "America/New_York" });
  const profile = await updateProfile(app, host, {
    name: "Mo Ver",
    username: "mover",
    timeZone: "America/New_York",
    clock: "12h",
    weekStart: 7,
    locale: "fr",
  });
  assert.ok(profile.ok);
  // A plain-http site of the host's own (allowed only because it is on their list).
  assert.ok((await saveEmbedOrigins(app, host, "https://shop.example\nhttp://localhost:8080")).ok);
  assert.ok(
    (await saveEmbedEventSettings(app, host, { shareGuestData: true, navigateParent: true })).ok,
  );
  // The setup's "I confirm each request": their new event types start as requests.
  assert.ok((await finishSetup(app, host, { confirmByDefault: true }))?.confirmByDefault);
  host = (await getUser(app.kv, host.id))!;
  // Event types as the editor makes them (so that everything a host sets is compared).
  const edited = async (values: Partial<EventTypeValues>) => {
    const parsed = parseEventTypeValues({ ...NEW_EVENT_TYPE_VALUES, ...values });
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const made = await createEventTypeAsHost(app, host, parsed.input);
    assert.ok(made.ok);
    return made.record;
  };
  const intro = await edited({ slug: "intro", title: "Intro <script>x()</script>" });
  const page = await saveBookingPageSettings(app, host, intro.id, {
    layout: "week",
    lockPrefill: true,
    thankYouUrl: "http://localhost:8080/thanks",
    thankYouParams: true,
  });
  assert.ok(page.ok, JSON.stringify(page));
  await edited({
    slug: "deep-dive",
    title: "Deep dive",
    durationMin: "90",
    requiresConfirmation: false,
    bufferAfterMin: "15",
    language: "de",
  });
  await saveWeeklyAvailability(app, host, {
    1: [{ start: "08:00", end: "12:00" }],
    2: [],
    3: [],
    4: [],
    5: [],
    6: [],
    7: [],
  });
  const text = await collect(exportHostJson(app, host));
  const records = { host, eventTypes: await listEventTypes(app.kv, host.id) };
  app.close();
  return { text, ...records };
}

async function exported() {
  return (await exportedWithRecords()).text;
}

/** What the host set on their profile and embed pages. */
const settingsOf = (u: UserRecord) => ({
  name: u.name,
  username: u.username,
  timeZone: u.timeZone,
  clock: u.clock,
  weekStart: u.weekStart,
  locale: u.locale,
  embedOrigins: u.embedOrigins,
  embedShareGuestData: u.embedShareGuestData,
  embedNavigateParent: u.embedNavigateParent,
  confirmByDefault: u.confirmByDefault,
});

/** An event type as the host set it: all but its identity and times. */
const setOf = (et: EventTypeRecord) => {
  const { id: _i, userId: _u, createdAtMs: _c, updatedAtMs: _up, ...rest } = et;
  return rest;
};

Deno.test("import: profile (language and week start too), embedding, event types (their booking page settings too) and hours move to another instance as the host set them; calendars are reported, not taken over", async () => {
  const before = await exportedWithRecords();
  const text = before.text;
  const app = await memoryApp({ nowIso: "2026-11-23T06:00:00Z" });
  try {
    const user = await createHost(app, { username: "fresh", timeZone: "UTC" });
    const r = await importHostData(app, user, text);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.applied, [
      "Profile (name, time zone, clock, username)",
      "Language and first day of the week",
      "Sites allowed to show your widget, and what it tells them",
      "2 event types",
      "Weekly hours",
    ]);
    assert.deepEqual(r.skipped, []);
    const after = (await getUser(app.kv, user.id))!;
    assert.equal(after.username, "mover");
    assert.equal(after.timeZone, "America/New_York");
    assert.deepEqual(settingsOf(after), settingsOf(before.host));
    const ets = await listEventTypes(app.kv, user.id);
    assert.deepEqual(ets.map((e) => e.slug).sort(), ["deep-dive", "intro"]);
    assert.equal(ets.find((e) => e.slug === "intro")!.title, "Intro <script>x()</script>");
    const bySlug = (list: EventTypeRecord[]) =>
      Object.fromEntries(list.map((e) => [e.slug, setOf(e)]));
    assert.deepEqual(bySlug(ets), bySlug(before.eventTypes));
    assert.deepEqual((await getWeeklyAvailability(app, after)).weekly[1], [{
      start: "08:00",
      end: "12:00",
    }]);

    // Again (an interrupted import is simply repeated): nothing is doubled or overwritten.
    const again = await importHostData(app, after, text);
    assert.ok(again.ok);
    assert.deepEqual(again.skipped.filter((s) => s.startsWith("Event type")), [
      "Event type “intro”: a page with this URL already exists here.",
      "Event type “deep-dive”: a page with this URL already exists here.",
    ]);
    assert.equal((await listEventTypes(app.kv, user.id)).length, 2);
  } finally {
    app.close();
  }
});

Deno.test("import: settings of the file not valid here are reported, not dropped in silence — a week start the profile page does not offer, a list of sites it refuses (until set, any site may show the widget), a thank-you page not allowed here", async () => {
  const file = JSON.parse(await exported());
  file.profile.weekStart = 3;
  file.profile.embedOrigins = ["ftp://files.example"];
  const app = await memoryApp({ nowIso: "2026-11-23T06:00:00Z" });
  try {
    const user = await createHost(app, { username: "fresh", timeZone: "UTC" });
    const r = await importHostData(app, user, JSON.stringify(file));
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.skipped, [
      "Language and first day of the week: Choose Monday, Saturday or Sunday; set them on your Profile page.",
      "Sites allowed to show your widget: “ftp://files.example” must start with https:// or http://. Until you list them on the Embed page, any site may show your widget.",
      // Plain http is for the host's own sites, which did not come over.
      "Event type “intro”: its booking page settings (layout, locked details, thank-you page) were not set: The thank-you page must start with https:// (http:// only for Invito itself or a site on your Embed page’s list). Set them on its “Booking page and after booking” page.",
    ]);
    const after = (await getUser(app.kv, user.id))!;
    assert.equal(after.weekStart, undefined);
    assert.equal(after.embedOrigins, undefined);
    assert.equal(after.name, "Mo Ver", "the rest of the profile applies");
    const intro = (await listEventTypes(app.kv, user.id)).find((e) => e.slug === "intro")!;
    assert.equal(intro.thankYouUrl, undefined);
  } finally {
    app.close();
  }
});

Deno.test("import: a username taken here is reported and the host keeps theirs", async () => {
  const text = await exported();
  const app = await memoryApp();
  try {
    await createHost(app, { username: "mover", email: "someone@example.test" });
    const user = await createHost(app, { username: "fresh", email: "fresh@example.test" });
    const r = await importHostData(app, user, text);
    assert.ok(r.ok);
    assert.match(r.skipped[0], /Username “mover”: That username is taken; you keep “fresh”/);
    assert.equal((await getUser(app.kv, user.id))!.username, "fresh");
    assert.equal(
      (await getUser(app.kv, user.id))!.timeZone,
      "America/New_York",
      "the rest applies",
    );
  } finally {
    app.close();
  }
});

Deno.test("import refuses another app's file, a newer export, broken JSON and damage with a message, writing nothing; 100,000 junk bookings are refused, hostile event types do not crash it", async () => {
  const good = JSON.parse(await exported());
  const app = await memoryApp();
  try {
    const user = await createHost(app, { username: "fresh" });
    const cases: [string, string, RegExp][] = [
      ["broken", "{", /not valid JSON/],
      ["other app", JSON.stringify({ bookings: [], users: [] }), /not an Invito export/],
      ["newer", JSON.stringify({ ...good, version: 9 }), /newer Invito \(version 9\)/],
      ["damaged", JSON.stringify({ ...good, eventTypes: "lots" }), /damaged at eventTypes/],
      [
        "huge name",
        JSON.stringify({ ...good, profile: { ...good.profile, name: "x".repeat(1_000_000) } }),
        /damaged at profile.name/,
      ],
    ];
    for (const [what, text, message] of cases) {
      const r = await importHostData(app, user, text);
      assert.equal(r.ok, false, what);
      assert.match((r as { error: string }).error, message, what);
    }
    assert.equal((await getUser(app.kv, user.id))!.username, "fresh", "nothing was written");
    assert.equal((await listEventTypes(app.kv, user.id)).length, 0);

    const hostile = {
      ...good,
      eventTypes: [
        { ...good.eventTypes[0], slug: "ok-one" },
        { ...good.eventTypes[0], slug: "long", title: "t".repeat(100_000) },
        { slug: "junk", durations: "all of them", questions: 7 },
      ],
    };
    const junk = Array.from({ length: 100_000 }, (_, i) => ({ id: `b${i}`, startMs: i }));
    const refused = await importHostData(app, user, JSON.stringify({ ...hostile, bookings: junk }));
    assert.equal(refused.ok, false);
    assert.match((refused as { error: string }).error, /^Booking 1 in the file is damaged at id/);
    assert.equal((await listEventTypes(app.kv, user.id)).length, 0, "nothing was written");

    const r = await importHostData(app, user, JSON.stringify(hostile));
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(r.applied.includes("1 event type"));
    assert.ok(r.skipped.some((s) => s.startsWith("Event type “long”: ")));
    assert.ok(r.skipped.some((s) => s.startsWith("Event type “junk”: ")));
  } finally {
    app.close();
  }
});

Deno.test("import: an export saved again by an editor that starts it with a UTF-8 byte-order mark is read as the export it is (uploaded as the profile form sends it too)", async () => {
  const text = await exported();
  const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
  const bytes = new Uint8Array([...bom, ...new TextEncoder().encode(text)]);
  const form = new FormData();
  form.set("file", new File([bytes], "invito-mover.json", { type: "application/json" }));
  const posted = new Request("http://invito.test/", { method: "POST", body: form });
  const multipart = {
    bytes: new Uint8Array(await posted.arrayBuffer()),
    contentType: posted.headers.get("content-type")!,
  };
  for (const [what, input] of [["bytes", bytes], ["the form", multipart]] as const) {
    const app = await memoryApp({ nowIso: "2026-11-23T06:00:00Z" });
    try {
      const user = await createHost(app, { username: "fresh", timeZone: "UTC" });
      const r = await importHostData(app, user, input);
      assert.ok(r.ok, `${what}: ${JSON.stringify(r)}`);
      assert.ok(r.applied.includes("2 event types"), what);
      assert.equal((await getUser(app.kv, user.id))!.username, "mover", what);
    } finally {
      app.close();
    }
  }
});

Deno.test("export and import: routing forms move (routes re-pointed to the event type of the same slug); their responses, polls, one-off links and the photo are in the file, and the file still imports", async () => {
  const { WORKDAYS } = await import("../../../../tests/support/memory-app.ts");
  const { createForm, saveForm, listForms } = await import("./routing-forms.ts");
  const { createPoll } = await import("./polls.ts");
  const { votePoll } = await import("./poll-votes.ts");
  const { mintOneOffLink } = await import("./one-off-links.ts");
  const src = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(src, { username: "mover", timeZone: "UTC", weekly: WORKDAYS });
  const et = await createEventType(src, host, {
    slug: "intro",
    requiresConfirmation: false,
    minNoticeMin: 0,
  } as never);
  const made = await createForm(src, host.id, { title: "Ask", slug: "ask" });
  assert.ok(made.ok);
  const saved = await saveForm(src, host.id, made.form.id, {
    title: "Ask",
    slug: "ask",
    description: "Tell us",
    active: true,
  }, {
    questions: [{ key: "size", type: "number", label: "Size", required: false }],
    routes: [{
      id: "r_big",
      match: "all",
      conditions: [{ key: "size", op: "gte", values: ["100"] }],
      destination: { kind: "event_type", ownerId: host.id, eventTypeId: et.id },
    }],
    fallback: { kind: "message", text: "Thanks!" },
  });
  assert.ok(saved.ok, JSON.stringify(saved));
  const { submitForm } = await import("./routing-visits.ts");
  const { fillToken } = await import("./anti-spam.ts");
  const { settleCounts } = await import("./insights-count.ts");
  const ft = await fillToken(src);
  src.clock.ms += 10_000;
  const answered = await submitForm(src, {
    owner: "mover",
    slug: "ask",
    posted: (k) => (k === "size" ? ["12"] : []),
    fillToken: ft,
    honeypot: "",
  });
  assert.ok(answered.ok, JSON.stringify(answered));
  await settleCounts();
  const { setHostPhoto } = await import("./photo.ts");
  const { translator } = await import("../i18n.ts");
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  assert.ok((await setHostPhoto(src, host, png, translator("en"))).ok);
  const times = ["2026-11-23T10:00:00Z", "2026-11-23T13:00:00Z"];
  const poll = await createPoll(src, host, { slug: "intro", title: "Sync", starts: times });
  assert.ok(poll.ok, JSON.stringify(poll));
  const token = new URL(poll.url).pathname.split("/").pop()!;
  assert.equal(
    (await votePoll(src, token, { name: "Bo", email: "bo@example.test", answers: { t0: "yes" } }))
      .ok,
    true,
  );
  // A voter whose page told how they read: the file keeps it with their answer.
  const reader = { locale: "es", timeZone: "America/Mexico_City", clock: "12h" as const };
  assert.equal(
    (await votePoll(src, token, {
      name: "Cy",
      email: "cy@example.test",
      answers: { t0: "yes" },
      reader,
    })).ok,
    true,
  );
  const link = await mintOneOffLink(src, host, {
    slug: "intro",
    starts: ["2026-11-24T10:00:00Z"],
    note: "As agreed",
  });
  assert.ok(link.ok, JSON.stringify(link));
  const text = await collect(exportHostJson(src, host));
  src.close();
  const file = JSON.parse(text);
  assert.equal(file.routingForms.length, 1);
  assert.deepEqual(
    file.routingResponses.map((
      r: { formSlug: string; answers: unknown },
    ) => [r.formSlug, r.answers]),
    [["ask", { size: "12" }]],
  );
  assert.match(file.profile.photo, /^data:image\/png;base64,/);
  assert.equal(file.polls[0].title, "Sync");
  assert.deepEqual(
    file.polls[0].votes.map((v: { email: string; reader: unknown }) => [v.email, v.reader]),
    [["bo@example.test", null], ["cy@example.test", reader]],
  );
  assert.deepEqual(file.oneOffLinks[0].times, ["2026-11-24T10:00:00.000Z"]);
  assert.ok(!text.includes(poll.poll.salt), "no link secrets in the file");

  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const user = await createHost(app, { username: "fresh", timeZone: "UTC" });
    const r = await importHostData(app, user, text);
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(r.applied.includes("1 routing form"), JSON.stringify(r.applied));
    assert.ok(
      r.skipped.some((s) =>
        /^1 meeting poll and 1 one-off link: kept in the file but not added/.test(s)
      ),
      JSON.stringify(r.skipped),
    );
    // The responses are counted, not added; the photo moves with the profile.
    assert.ok(
      r.skipped.includes(
        "1 routing form response: kept in the file but not added, since they record visits to your old server.",
      ),
      JSON.stringify(r.skipped),
    );
    assert.ok(r.applied.includes("Profile photo"), JSON.stringify(r.applied));
    assert.deepEqual((await getUserPhoto(app.kv, user.id))?.bytes, png);
    const forms = await listForms(app, user.id);
    assert.equal(forms.length, 1);
    const here = (await listEventTypes(app.kv, user.id)).find((e) => e.slug === "intro")!;
    assert.deepEqual(forms[0].definition.routes[0].destination, {
      kind: "event_type",
      ownerId: user.id,
      eventTypeId: here.id,
    });
    assert.equal(forms[0].description, "Tell us");
    // Imported again (after an interruption): the form is reported as already here.
    const again = await importHostData(app, (await getUser(app.kv, user.id))!, text);
    assert.ok(again.ok);
    assert.ok(again.skipped.some((s) => s.includes("“ask”: a form with this address already")));
    assert.equal((await listForms(app, user.id)).length, 1);
  } finally {
    app.close();
  }
});

Deno.test("import: a photo in the file that is not an image the profile page takes is reported and not set", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const user = await createHost(app, { username: "fresh", timeZone: "UTC" });
    const file = (photo: string) =>
      JSON.stringify({
        format: "invito-host-export",
        version: 1,
        profile: { username: "fresh", name: "Fresh", timeZone: "UTC", photo },
        eventTypes: [],
        bookings: [],
      });
    for (
      const photo of [
        "data:image/png;base64,PHN2Zz48L3N2Zz4=", // <svg></svg> called a PNG
        "data:image/png;base64,not base64!",
        "https://example.test/me.png",
      ]
    ) {
      const r = await importHostData(app, user, file(photo));
      assert.ok(r.ok, JSON.stringify(r));
      assert.ok(
        r.skipped.some((s) => s.startsWith("Profile photo: ")),
        `${photo}: ${JSON.stringify(r.skipped)}`,
      );
      assert.equal(await getUserPhoto(app.kv, user.id), null);
    }
  } finally {
    app.close();
  }
});

Deno.test("export and import: a clock on Automatic stays Automatic (it follows the language after the move), a fixed clock stays fixed", async () => {
  for (const choice of ["auto", "24h"] as const) {
    const old = await memoryApp({ nowIso: "2026-11-23T06:00:00Z" });
    const app = await memoryApp({ nowIso: "2026-11-23T06:00:00Z" });
    try {
      const host = await createHost(old, { username: "mover", timeZone: "UTC" });
      const set = await updateProfile(old, host, {
        name: "Mo",
        username: "mover",
        timeZone: "UTC",
        clock: choice,
        locale: "de",
      });
      assert.ok(set.ok);
      const text = await collect(exportHostJson(old, set.user));
      const fresh = await createHost(app, { username: "fresh", timeZone: "UTC" });
      assert.ok((await importHostData(app, fresh, text)).ok);
      const moved = (await getUser(app.kv, fresh.id))!;
      assert.equal(moved.clock, "24h", `${choice}: German writes 24 hours`);
      // The host switches to English on the new server.
      const en = await updateProfile(app, moved, {
        name: moved.name,
        username: moved.username,
        timeZone: moved.timeZone,
        locale: "en",
      });
      assert.ok(en.ok);
      assert.equal(en.user.clock, choice === "auto" ? "12h" : "24h", choice);
      assert.equal(Boolean(en.user.clockAuto), choice === "auto", `${choice}: still Automatic`);
    } finally {
      old.close();
      app.close();
    }
  }
});

Deno.test("import: switches the file states are set as it says, off too — “I confirm each request”, what the widget tells the sites, which sites may show it, though a file without a list never lifts one here — and a file from before them leaves them as they are here", async () => {
  // The old server's host left every switch as it came: off, no list of sites.
  const old = await memoryApp({ nowIso: "2026-11-23T06:00:00Z" });
  const oldHost = await createHost(old, { username: "mover", timeZone: "UTC" });
  const text = await collect(exportHostJson(old, oldHost));
  old.close();
  const file = JSON.parse(text);
  assert.equal(file.profile.confirmByDefault, false);
  const older = structuredClone(file);
  for (
    const k of ["confirmByDefault", "embedOrigins", "embedShareGuestData", "embedNavigateParent"]
  ) {
    delete older.profile[k];
  }
  for (
    const [which, upload] of [["this export", text], ["an older export", JSON.stringify(older)]]
  ) {
    const app = await memoryApp({ nowIso: "2026-11-23T06:00:00Z" });
    try {
      // Here the host had switched everything on.
      let host = await createHost(app, { username: "fresh", timeZone: "UTC" });
      assert.ok((await saveEmbedOrigins(app, host, "https://shop.example")).ok);
      assert.ok(
        (await saveEmbedEventSettings(app, host, { shareGuestData: true, navigateParent: true }))
          .ok,
      );
      assert.ok((await finishSetup(app, host, { confirmByDefault: true }))?.confirmByDefault);
      host = (await getUser(app.kv, host.id))!;
      const r = await importHostData(app, host, upload);
      assert.ok(r.ok, JSON.stringify(r));
      const after = (await getUser(app.kv, host.id))!;
      const switches = {
        confirmEachRequest: Boolean(after.confirmByDefault),
        shareGuestData: Boolean(after.embedShareGuestData),
        navigateParent: Boolean(after.embedNavigateParent),
        anySiteMayShowWidget: frameAncestors(after.embedOrigins) === "*",
      };
      const on = which === "an older export";
      assert.deepEqual(switches, {
        confirmEachRequest: on,
        shareGuestData: on,
        navigateParent: on,
        // A file without a list never lifts the one here (the widget stays on the host's sites).
        anySiteMayShowWidget: false,
      }, which);
      assert.deepEqual(after.embedOrigins, ["https://shop.example"], which);
    } finally {
      app.close();
    }
  }
});
