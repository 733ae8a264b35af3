/**
 * Meeting polls (issue 28) over HTTP against the built server, as people would use them without
 * scripts: the host proposes times; invitees answer through the link; the host sees the matrix
 * and picks a time, booked through the engine. A time taken meanwhile gets a clear message and
 * the poll stays open.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { fullDayOf, startsIn } from "../support/slots.ts";

const HOST = "demo@invito.example";

function post(base: string, path: string, form: Record<string, string>) {
  return fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  }).then(async (res) => ({ status: res.status, body: await res.text() }));
}

Deno.test({
  name:
    "meeting poll over HTTP: invitees answer per time; a picked time taken meanwhile is refused with words and the poll stays open; another pick books it once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const base = app.baseUrl;
    const host = await signInByLink(app, HOST, { smtp });
    const page = await host.get("/dashboard/polls?type=quick-chat");
    assert.equal(page.status, 200);
    // Times of one full day from tomorrow on: the picker starts today, whose times may be few,
    // and pass before they are picked.
    const free = fullDayOf(startsIn(page.body));
    const times = [free[1], free[4], free[7]];

    const one = await host.post("/dashboard/polls?/create", { type: "quick-chat", start: free[1] });
    assert.equal(one.status, 400);
    assert.match(one.body, /Pick at least 2 times/);
    const form = new URLSearchParams({ type: "quick-chat", title: "Team sync" });
    for (const s of times) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    assert.equal(made.status, 200);
    const url = /data-testid="poll-url">([^<]+)</.exec(made.body)![1];
    const id = /href="\/dashboard\/polls\/([0-9A-Z]{26})"/.exec(made.body)![1];
    const path = new URL(url).pathname;

    // Invitees answer without scripts: plain form posts.
    const invite = await fetch(`${base}${path}?tz=UTC`);
    assert.equal(invite.status, 200);
    const html = await invite.text();
    assert.match(html, /Team sync/);
    assert.equal((html.match(/name="t\d"/g) ?? []).length, 9, "three answers per time");
    assert.equal(
      (await post(base, `${path}?/vote`, {
        name: "Ann",
        email: "ann@example.test",
        t0: "yes",
        t1: "yes",
        t2: "no",
      })).status,
      200,
    );
    assert.equal(
      (await post(base, `${path}?/vote`, {
        name: "Ben",
        email: "ben@example.test",
        t0: "yes",
        t1: "maybe",
        t2: "yes",
      })).status,
      200,
    );
    const bad = await post(base, `${path}?/vote`, { name: "Cy", email: "nope", t0: "yes" });
    assert.equal(bad.status, 400);
    const badAnswer = await post(base, `${path}?/vote`, {
      name: "Cy",
      email: "cy@example.test",
      t0: "perhaps",
    });
    assert.equal(badAnswer.status, 400);
    assert.match(badAnswer.body, /Answer each time with yes, if need be or no\./);

    // The matrix: one row per invitee, counts per time.
    const matrix = await host.get(`/dashboard/polls/${id}`);
    assert.match(matrix.body, /<table[^>]*data-testid="poll-matrix"/);
    assert.match(matrix.body, /<th scope="row"[^>]*>Ann<\/th>/);
    assert.match(matrix.body, /2 yes, 0 if need be/);
    assert.match(matrix.body, /1 yes, 1 if need be/);

    // Someone books the first time on the public page meanwhile.
    const walkIn = await post(base, "/calendar/demo/quick-chat?/book", {
      name: "Walk In",
      email: "walkin@example.test",
      note: "",
      start: times[0],
      tz: "UTC",
    });
    assert.equal(walkIn.status, 303);
    const taken = await host.post(`/dashboard/polls/${id}?/pick`, { start: times[0] });
    assert.equal(taken.status, 409);
    assert.match(taken.body, /That time was just taken — please pick another\./);
    assert.match((await host.get(`/dashboard/polls/${id}`)).body, /data-testid="poll-state">Open</);

    const booked = await host.post(`/dashboard/polls/${id}?/pick`, { start: times[1] });
    assert.equal(booked.status, 303, booked.body.slice(0, 300));
    const mail = await smtp.waitForMail((m) => m.to.includes("ann@example.test") && !!m.calendar);
    assert.match(mail.subject, /^Confirmed/);
    // Ben, the other invitee, is an attendee too: the invitation, in the poll's words.
    const ben = await smtp.waitForMail((m) => m.to.includes("ben@example.test"));
    assert.match(ben.subject, /^Booked: Team sync, /);
    assert.match(ben.text, /picked a time from the poll you answered/);
    assert.match(ben.calendar ?? "", /METHOD:REQUEST/);
    // Booked once: the poll is closed to answers and to another pick.
    assert.match(
      (await host.get(`/dashboard/polls/${id}`)).body,
      /data-testid="poll-state">Booked</,
    );
    assert.equal(
      (await host.post(`/dashboard/polls/${id}?/pick`, { start: times[2] })).status,
      409,
    );
    const late = await post(base, `${path}?/vote`, {
      name: "Dee",
      email: "dee@example.test",
      t0: "yes",
    });
    assert.equal(late.status, 409);
    assert.ok(
      !(await (await fetch(
        `${base}/calendar/demo/quick-chat?tz=UTC&date=${times[1].slice(0, 10)}`,
      )).text()).includes(`data-slot="${times[1]}"`),
    );
    // Insights count the poll: made, answered (by two), booked.
    const insights = (await host.get("/dashboard/insights")).body;
    const cell = (k: string) => new RegExp(`data-polls="${k}"[^>]*>(\\d+)<`).exec(insights)?.[1];
    assert.deepEqual(
      ["made", "answered", "answers", "booked", "closed", "open"].map(cell),
      ["1", "1", "2", "1", "0", "0"],
    );
  },
});

Deno.test({
  name:
    "meeting poll over HTTP: reserved times block the public pages of every event type of the host until one is picked, then the others are free again",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const base = app.baseUrl;
    const host = await signInByLink(app, HOST, { smtp });
    const page = await host.get("/dashboard/polls?type=quick-chat");
    // Times of one full day from tomorrow on, so both held times are on the day the public
    // pages are read for: the picker starts today, whose times may be few and pass.
    const free = fullDayOf(startsIn(page.body), { min: 9 });
    const times = [free[0], free[8]];
    const form = new URLSearchParams({ type: "quick-chat", title: "Held", reserve: "on" });
    for (const s of times) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    assert.equal(made.status, 200, made.body.slice(0, 300));
    const id = /href="\/dashboard\/polls\/([0-9A-Z]{26})"/.exec(made.body)![1];
    const path = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;
    const date = times[0].slice(0, 10);
    const shown = async (
      slug: string,
    ) => (await (await fetch(`${base}/calendar/demo/${slug}?tz=UTC&date=${date}`)).text());
    for (const slug of ["quick-chat", "intro-call"]) {
      const html = await shown(slug);
      for (const t of times) assert.ok(!html.includes(`data-slot="${t}"`), `${slug} hides ${t}`);
    }
    const grab = await post(base, "/calendar/demo/quick-chat?/book", {
      name: "Grabber",
      email: "grab@example.test",
      note: "",
      start: times[0],
      tz: "UTC",
    });
    assert.equal(grab.status, 409, "a held time cannot be booked by someone else");

    assert.equal(
      (await post(base, `${path}?/vote`, {
        name: "Ann",
        email: "ann@example.test",
        t0: "yes",
        t1: "maybe",
      })).status,
      200,
    );
    assert.equal(
      (await host.post(`/dashboard/polls/${id}?/pick`, { start: times[0] })).status,
      303,
    );
    const after = await shown("quick-chat");
    assert.ok(!after.includes(`data-slot="${times[0]}"`), "the booked time stays taken");
    assert.equal(times[1].slice(0, 10), date, "both held times on the day read");
    assert.ok(after.includes(`data-slot="${times[1]}"`), "the other held time is free again");

    // A held poll closed from the dashboard without booking: its times are free at once, it
    // says "Closed", and its link takes no more answers.
    const form2 = new URLSearchParams({ type: "quick-chat", title: "Maybe", reserve: "on" });
    for (const s of [free[2], free[3]]) form2.append("start", s);
    const made2 = await host.post("/dashboard/polls?/create", form2);
    assert.equal(made2.status, 200, made2.body.slice(0, 300));
    const id2 = [...made2.body.matchAll(/href="\/dashboard\/polls\/([0-9A-Z]{26})"/g)]
      .map((m) => m[1]).find((x) => x !== id)!;
    const path2 = new URL(/data-testid="poll-url">([^<]+)</.exec(made2.body)![1]).pathname;
    const day2 = async () =>
      await (await fetch(`${base}/calendar/demo/quick-chat?tz=UTC&date=${free[2].slice(0, 10)}`))
        .text();
    assert.ok(!(await day2()).includes(`data-slot="${free[2]}"`), "held while open");
    const matrix2 = await host.get(`/dashboard/polls/${id2}`);
    assert.match(matrix2.body, /Close the poll without booking/);
    const closed = await host.post(`/dashboard/polls/${id2}?/close`, {});
    assert.equal(closed.status, 303, closed.body.slice(0, 300));
    assert.match(
      (await host.get(`/dashboard/polls/${id2}`)).body,
      /data-testid="poll-state">Closed</,
    );
    assert.ok((await day2()).includes(`data-slot="${free[2]}"`), "free again once closed");
    assert.equal(
      (await post(base, `${path2}?/vote`, { name: "Z", email: "z@example.test", t0: "yes" }))
        .status,
      409,
    );
    assert.equal((await host.post(`/dashboard/polls/${id2}?/close`, {})).status, 409);
  },
});
