/**
 * One rule for what an email address is (shared/forms/common.ts `MAIL_ADDRESS`), at every door a
 * person types one into, over HTTP against the built server as its pages post them: the booking
 * form's additional guests (and the JSON API's), a single-use link's guest, a team invitation, a
 * routing form's email answer, a meeting poll's vote and importing an export. Each takes an
 * address with an apostrophe (o'brien@example.ie, which valibot's `email()` refused) and refuses a
 * malformed one (a..b@example.com, a@b, which looser checks took) with its field's own words,
 * never a 5xx. Erasing a guest looks up what is stored: it finds any address a door took (ADR 022).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient, type HttpResult } from "../support/http.ts";
import { signIn, slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

const OBRIEN = "o'brien@example.ie";
const DOUBLED_DOT = "a..b@example.com";
const NO_DOT = "a@b";

/** The text a reader sees: tags left out, entities read. */
// The text as a reader sees it: an address's wrap points (<wbr>) and Svelte's markers join.
const visible = (html: string) =>
  html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<!--[^]*?-->|<wbr\s*\/?>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;|&#x27;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/\s+/g, " ");

function refusedWith(res: HttpResult, words: string, what: string) {
  assert.equal(res.status, 400, `${what}: ${res.status} ${visible(res.body).slice(0, 300)}`);
  assert.ok(visible(res.body).includes(words), `${what}: says “${words}”`);
}

Deno.test({
  ...opts,
  name:
    "email addresses: every door a person types one into takes o'brien@example.ie and refuses a..b@example.com and a@b in its field's words (booking guests by form and API, single-use link, team invitation, routing form answer, poll vote); erasing a guest finds any address the booking form took",
  async fn(t) {
    await using app = await startApp({ demo: true, env: { INVITO_RATE_LIMIT: "off" } });
    const host = await signIn(app, DEMO_EMAIL);
    const guest = createClient(app.baseUrl);
    const slots = await slotsAhead(app.baseUrl, "demo", "quick-chat", 5);
    assert.ok(slots.length >= 8, "the demo host offers times");
    const book = (fields: Record<string, string>) => {
      const start = slots.shift()!;
      // From the time's own page, as a browser posts it: a refusal shows the form again there.
      const page = new URLSearchParams({ tz: "UTC", date: start.slice(0, 10), slot: start });
      return guest.post(`/calendar/demo/quick-chat?/book&${page}`, {
        name: "Seán O'Brien",
        email: "sean@example.ie",
        note: "",
        start,
        tz: "UTC",
        ...fields,
      });
    };

    await t.step("booking form: an additional guest with an apostrophe is invited", async () => {
      const taken = await book({ guests: `${OBRIEN}, ann+team@example.org` });
      assert.equal(taken.status, 303, visible(taken.body).slice(0, 300));
      for (const bad of [DOUBLED_DOT, NO_DOT]) {
        refusedWith(await book({ guests: bad }), `“${bad}” is not an email address.`, bad);
      }
    });

    await t.step("JSON API: an additional guest with an apostrophe is invited", async () => {
      const post = (guests: string[]) =>
        fetch(app.url("/api/v1/bookings"), {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
          body: JSON.stringify({
            username: "demo",
            eventType: "quick-chat",
            start: slots.shift(),
            timeZone: "UTC",
            name: "Ada Api",
            email: "ada@example.test",
            guests,
          }),
        });
      const made = await post([OBRIEN]);
      assert.equal(made.status, 201, await made.clone().text());
      const body = await made.json();
      assert.deepEqual(body.additionalGuests, [OBRIEN]);
      const bad = await post([DOUBLED_DOT]);
      const text = await bad.text();
      assert.ok(bad.status >= 400 && bad.status < 500, `${bad.status} ${text}`);
      assert.match(text, /a\.\.b@example\.com.{0,3} is not an email address/);
    });

    await t.step("single-use link: meant for o'brien, refused for a..b", async () => {
      const list = await host.get("/dashboard/event-types");
      const id = [...list.body.matchAll(/href="\/dashboard\/event-types\/([0-9A-Z]{26})"/g)]
        .map((m) => m[1]);
      assert.ok(id.length > 0, "the host's event types are listed");
      let path = "";
      for (const et of id) {
        const page = await host.get(`/dashboard/event-types/${et}/links`);
        if (page.status === 200 && page.body.includes("Quick chat")) {
          path = `/dashboard/event-types/${et}/links`;
        }
      }
      assert.ok(path, "quick chat's links page");
      const mint = (guestEmail: string) =>
        host.post(`${path}?/mint`, { expiresOn: "", guestEmail, label: "" });
      const made = await mint(OBRIEN);
      assert.equal(made.status, 200, visible(made.body).slice(0, 300));
      assert.ok(visible(made.body).includes(OBRIEN), "the link names its guest");
      // Its guest books with it, however they write the address's case (as before).
      const link = /<code[^>]*>(http[^<]+)<\/code>/.exec(made.body)?.[1];
      assert.ok(link, "the new link is shown");
      const start = slots.shift()!;
      const once = new URL(link.replaceAll("&amp;", "&")).pathname;
      const used = await guest.post(`${once}?/book&tz=UTC&date=${start.slice(0, 10)}`, {
        name: "Seán O'Brien",
        email: "O'Brien@Example.IE",
        note: "",
        start,
        tz: "UTC",
      });
      assert.equal(used.status, 303, visible(used.body).slice(0, 300));
      for (const bad of [DOUBLED_DOT, NO_DOT]) {
        refusedWith(await mint(bad), "Enter a valid email address, like name@example.com", bad);
      }
    });

    await t.step("team invitation: o'brien is invited, a..b is refused", async () => {
      const created = await host.post("/dashboard/teams?/create", {
        name: "Crew",
        slug: "crew",
        timeZone: "UTC",
      });
      assert.equal(created.status, 303, visible(created.body).slice(0, 300));
      const base = new URL(created.location!).pathname;
      const invite = (email: string) => host.post(`${base}?/invite`, { email, role: "member" });
      const ok = await invite(OBRIEN);
      assert.equal(ok.status, 200, visible(ok.body).slice(0, 300));
      assert.ok(
        (await host.get(base)).body.includes(`data-invitation="o&#39;brien@example.ie"`) ||
          visible((await host.get(base)).body).includes(OBRIEN),
        "the invitation is listed",
      );
      for (const bad of [DOUBLED_DOT, NO_DOT]) {
        refusedWith(await invite(bad), "Enter a valid email address, like name@example.com", bad);
      }
    });

    let responses = "";
    await t.step("routing form: an email answer o'brien is taken, a..b is refused", async () => {
      const created = await host.post("/dashboard/routing?/create", {
        title: "Contact",
        slug: "contact",
      });
      assert.equal(created.status, 303, visible(created.body).slice(0, 300));
      const editor = new URL(created.location!, app.baseUrl).pathname;
      const saved = await host.post(`${editor}?/save`, {
        title: "Contact",
        slug: "contact",
        description: "",
        active: "on",
        q0_key: "skype",
        q0_type: "short",
        q0_label: "Skype name",
        q1_key: "contact",
        q1_type: "email",
        q1_label: "Your email",
        q1_required: "on",
        fb_dest: "message",
        fb_message: "Thanks, we will write.",
      });
      assert.equal(saved.status, 200, visible(saved.body).slice(0, 500));
      responses = `${editor}/responses`;
      const answer = async (contact: string, skype = "") => {
        const visitor = createClient(app.baseUrl);
        const page = await visitor.get("/forms/demo/contact");
        assert.equal(page.status, 200);
        const ft = /name="ft"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="ft"/.exec(page.body);
        return await visitor.post("/forms/demo/contact", {
          ft: ft?.[1] ?? ft?.[2] ?? "",
          website: "",
          skype,
          contact,
        });
      };
      const ok = await answer(OBRIEN, "live:ann@outlook.com");
      assert.ok(visible((await host.get(responses)).body).includes("live:ann@outlook.com"));
      assert.ok(ok.status === 200 || ok.status === 303, `${ok.status}`);
      assert.ok(visible(ok.body).includes("Thanks, we will write.") || ok.status === 303);
      for (const bad of [DOUBLED_DOT, NO_DOT]) {
        refusedWith(await answer(bad), "Please enter a valid email address.", bad);
      }
    });

    await t.step("meeting poll: o'brien votes, a..b is refused", async () => {
      const page = await host.get("/dashboard/polls?type=quick-chat");
      const free = [...page.body.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1]);
      const form = new URLSearchParams({ type: "quick-chat", title: "Offsite" });
      for (const s of free.slice(0, 2)) form.append("start", s);
      const made = await host.post("/dashboard/polls?/create", form);
      assert.equal(made.status, 200, visible(made.body).slice(0, 300));
      const path = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;
      const vote = (email: string) =>
        createClient(app.baseUrl).post(`${path}?/vote`, {
          name: "Seán",
          email,
          t0: "yes",
          t1: "no",
        });
      const ok = await vote(OBRIEN);
      assert.equal(ok.status, 200, visible(ok.body).slice(0, 300));
      for (const bad of [DOUBLED_DOT, NO_DOT]) {
        refusedWith(await vote(bad), "Enter a valid email address, like name@example.com", bad);
      }
    });

    await t.step(
      "erasing a guest: any address the booking form took is found, and o'brien's answers to a form under theirs",
      async () => {
        // A local part past RFC 5321's 64 characters is refused at the door; the erase form,
        // which looks up what was stored (such addresses were taken before), still takes it.
        const long = `${"x".repeat(70)}@example.com`;
        refusedWith(await book({ email: long }), "Enter a valid email address", "local part 70");
        assert.equal((await book({ email: OBRIEN })).status, 303);
        const erase = (email: string) =>
          host.post("/dashboard/profile?/eraseGuest", { email, confirm: "yes" });
        const none = await erase(long);
        assert.equal(none.status, 200, visible(none.body).slice(0, 300));
        assert.ok(visible(none.body).includes("No booking of yours had that address."));
        // O'Brien booked here and through their single-use link.
        const erased = await erase("O'Brien@Example.IE");
        assert.equal(erased.status, 200, visible(erased.body).slice(0, 300));
        assert.ok(visible(erased.body).includes("Removed from 2 bookings."));
        refusedWith(await erase("not an address"), "Enter the guest’s email address.", "no @");
        // The Skype name answered before the address was taken as o'brien's address, so their
        // answers were kept.
        assert.ok(responses, "the routing form's responses");
        const kept = visible((await host.get(responses)).body);
        assert.ok(!kept.includes("live:ann@outlook.com"), "o'brien's answers are erased");
      },
    );
  },
});

Deno.test({
  ...opts,
  name:
    "email addresses: an export whose booking was made by o'brien@example.ie, with o'brien as an additional guest, moves to another server; one whose address is a..b@example.com or a@b is refused naming the booking, in the field's words",
  async fn() {
    await using from = await startApp({ demo: true, env: { INVITO_RATE_LIMIT: "off" } });
    const [start] = await slotsAhead(from.baseUrl, "demo", "quick-chat", 5);
    const booked = await createClient(from.baseUrl).post("/calendar/demo/quick-chat?/book", {
      name: "Seán O'Brien",
      email: OBRIEN,
      note: "",
      start,
      tz: "UTC",
      guests: "mary.o'neill@example.ie",
    });
    // Before the one rule the booking form refused the apostrophe among additional guests.
    assert.equal(booked.status, 303, visible(booked.body).slice(0, 300));
    const oldHost = await signIn(from, DEMO_EMAIL);
    const file = JSON.parse((await oldHost.get("/dashboard/profile/export.json")).body);
    const n = file.bookings.findIndex((b: { guestEmail: string }) => b.guestEmail === OBRIEN);
    assert.ok(n >= 0, "the export holds the booking");
    assert.deepEqual(file.bookings[n].additionalGuests, ["mary.o'neill@example.ie"]);

    await using to = await startApp({ env: { INVITO_RATE_LIMIT: "off" } });
    const mover = await signIn(to, "mover@example.test");
    const upload = (data: unknown) => {
      const form = new FormData();
      form.set("file", new File([JSON.stringify(data)], "invito-demo.json"));
      return mover.post("/dashboard/profile?/importData", form);
    };
    const damaged = (at: string, address: string) => {
      const copy = structuredClone(file);
      if (at === "guestEmail") copy.bookings[n].guestEmail = address;
      else copy.bookings[n].additionalGuests = [address];
      return copy;
    };
    for (const [at, bad] of [["guestEmail", DOUBLED_DOT], ["additionalGuests", NO_DOT]]) {
      const refused = await upload(damaged(at, bad));
      refusedWith(
        refused,
        `Booking ${n + 1} in the file is damaged at ${at}${
          at === "additionalGuests" ? ".0" : ""
        }: Enter a valid email address, like name@example.com. Nothing was imported.`,
        `${at}: ${bad}`,
      );
    }
    const res = await upload(file);
    assert.equal(res.status, 200, visible(res.body).slice(0, 500));
    const moved = JSON.parse((await mover.get("/dashboard/profile/export.json")).body);
    const again = moved.bookings.find((b: { guestEmail: string }) => b.guestEmail === OBRIEN);
    assert.ok(again, "the booking by o'brien moved");
    assert.deepEqual(again.additionalGuests, ["mary.o'neill@example.ie"]);
  },
});
