/**
 * A one-off link whose request the host rejects, over HTTP against the built server, as the
 * outside tester found it: the link was left "used" by the rejected request, while the guest's
 * mail said "pick another time" and led to the host's public page — the link's other offered
 * time could no longer be reached. Now the rejection gives the link back for its other times, and
 * the mail leads to it.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { postPlain } from "../support/http.ts";
import { slotsIn } from "../support/slots.ts";

Deno.test({
  name:
    "one-off link over HTTP: the host rejects the request made through it; the guest's mail leads back to the link, which offers its other time and books it once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const key = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(app.url(`/api/v1${path}`), {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      // deno-lint-ignore no-explicit-any
      return { status: res.status, body: await res.json() as any };
    };
    // Two free times of the demo's intro call (it asks the host to confirm each request).
    const from = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 12 * 86_400_000).toISOString().slice(0, 10);
    const slots = await api(
      "GET",
      `/users/demo/event-types/intro-call/slots?start=${from}&end=${to}&timeZone=UTC`,
    );
    assert.equal(slots.status, 200);
    const free = (slots.body.slots as { start: string }[]).map((s) => s.start);
    assert.ok(free.length >= 6, "the demo offers enough times");
    const times = [free[1], free[4]];
    const made = await api("POST", "/one-off-links", {
      eventType: "intro-call",
      times,
      note: "Either suits me",
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const linkId = made.body.id as string;
    const path = new URL(made.body.url).pathname;
    const linkNow = async () =>
      ((await api("GET", "/one-off-links")).body.data as {
        id: string;
        state: string;
        bookingId: string | null;
        times: string[];
      }[]).find((l) => l.id === linkId)!;

    // The guest requests the first time through the link.
    const requested = await postPlain(app.baseUrl, `${path}?/book`, {
      name: "Rita Guest",
      email: "rita@example.test",
      note: "",
      start: times[0],
      tz: "UTC",
    });
    assert.equal(requested.status, 303);
    assert.equal((await linkNow()).state, "used");

    // The host rejects it from the request mail.
    const request = await smtp.waitForMail((m) =>
      m.to.includes("demo@invito.example") && m.subject.includes("Rita Guest")
    );
    const reject = new URL(request.text.match(/https?:\/\/\S+\/reject(?=\s|$)/)![0]).pathname;
    const rejected = await postPlain(app.baseUrl, reject, { reason: "" });
    assert.equal(rejected.status, 200);

    // The link is open again, for the time the host did not turn down.
    const after = await linkNow();
    assert.equal(after.state, "unused", JSON.stringify(after));
    assert.equal(after.bookingId, null);
    assert.deepEqual(after.times, [times[1]], "the rejected time is no longer offered");

    // The guest's mail leads back to the link, not to the host's public page.
    const notice = await smtp.waitForMail((m) =>
      m.to.includes("rita@example.test") && /^Not accepted/.test(m.subject)
    );
    assert.match(notice.text, /You are welcome to pick another time/);
    const again = notice.text.match(/Pick another time:?\s+(https?:\/\/\S+)/)?.[1];
    assert.ok(again, notice.text);
    assert.equal(new URL(again).pathname, path, `the mail's link: ${again}`);
    assert.ok(
      notice.html.includes(`${path}`),
      "the mail's button leads to the link too",
    );

    // So does the guest's own page of the rejected request.
    const own = await (await fetch(app.baseUrl + requested.location!)).text();
    assert.match(own, /data-state="rejected"/);
    const bookAgain = own.match(/<a class="btn-primary" href="([^"]+)"/)?.[1];
    assert.equal(bookAgain && new URL(bookAgain, app.baseUrl).pathname, path);

    // The link's page offers the other time (not the rejected one), and books it once.
    const page = await (await fetch(`${app.baseUrl}${path}?tz=UTC`)).text();
    assert.doesNotMatch(page, /data-testid="spent-message"/);
    assert.match(page, /Either suits me/);
    const shown = [
      ...slotsIn(page),
      ...slotsIn(
        await (await fetch(`${app.baseUrl}${path}?tz=UTC&date=${times[1].slice(0, 10)}`)).text(),
      ),
    ];
    assert.ok(shown.includes(times[1]), `${times[1]} in ${shown}`);
    assert.ok(!shown.includes(times[0]), "the rejected time is not offered again");
    const refused = await postPlain(app.baseUrl, `${path}?/book`, {
      name: "Rita Guest",
      email: "rita@example.test",
      note: "",
      start: times[0],
      tz: "UTC",
    });
    assert.equal(refused.status, 409, "the rejected time is not booked through the link");
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        postPlain(app.baseUrl, `${path}?/book`, {
          name: `Rita ${i}`,
          email: `rita${i}@example.test`,
          note: "",
          start: times[1],
          tz: "UTC",
        })),
    );
    assert.deepEqual(
      outcomes.map((o) => o.status).sort(),
      [303, 410, 410, 410, 410, 410],
      "the link books once again",
    );
    const spent = await linkNow();
    assert.equal(spent.state, "used");
    assert.ok(spent.bookingId && spent.bookingId !== after.bookingId);
  },
});
