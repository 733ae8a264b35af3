/**
 * A host opens "Confirm" from the request mail and changes their mind: the confirm page offers
 * "Reject" too (with the message for the guest), and the reject page "Confirm instead", as plain
 * forms a browser without scripts posts. The other answer goes through its own page with that
 * purpose's own token (ADR 054): the very link the mail carries, derived again by the server.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { fullDay } from "../support/slots.ts";
import { postPlain } from "../support/http.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** The page's forms' actions that lead to `/booking/…/<kind>`. */
const actionsTo = (html: string, kind: "confirm" | "reject") =>
  [...html.matchAll(/action="(\/booking\/[^"]+)"/g)].map((m) => m[1]).filter((a) =>
    a.endsWith(`/${kind}`)
  );

async function postPage(base: string, path: string, form: Record<string, string>) {
  const res = await fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
  });
  return { status: res.status, html: await res.text() };
}

Deno.test({
  ...opts,
  name:
    "decision pages: reject from the confirm page and confirm from the reject page, each once, then neither is offered",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const { slots } = await fullDay(app.baseUrl, "/calendar/demo/intro-call", { tz: "UTC" });
    const request = async (name: string, email: string, start: string) => {
      const booked = await postPlain(app.baseUrl, "/calendar/demo/intro-call?/book", {
        name,
        email,
        note: "",
        start,
        tz: "UTC",
      });
      assert.equal(booked.status, 303);
      const mail = await smtp.waitForMail((m) =>
        m.to.includes("demo@invito.example") && m.subject.includes(name)
      );
      const link = (kind: string) =>
        new URL(mail.text.match(new RegExp(`https?://\\S+/${kind}(?=\\s|$)`))![0]).pathname;
      return { guestPage: booked.location!, confirm: link("confirm"), reject: link("reject") };
    };
    const stateOf = async (guestPage: string) =>
      (await (await fetch(app.baseUrl + guestPage)).text()).match(/data-state="(\w+)"/)?.[1];

    // Ann's request: opened as "confirm", rejected from there with a message.
    const ann = await request("Ann Guest", "ann@example.test", slots[0]);
    const confirmPage = await (await fetch(app.baseUrl + ann.confirm)).text();
    assert.match(confirmPage, /Confirm booking/);
    assert.match(confirmPage, /Reject instead/);
    assert.deepEqual(
      actionsTo(confirmPage, "reject"),
      [ann.reject],
      "the page's reject form posts to the mail's own reject link",
    );
    assert.match(confirmPage, /name="reason"/, "with the message for the guest");
    // The confirm token alone still rejects nothing (each purpose its own token).
    const crossed = ann.confirm.replace(/\/confirm$/, "/reject");
    assert.equal((await postPlain(app.baseUrl, crossed, {})).status, 404);
    assert.equal(await stateOf(ann.guestPage), "pending");

    const rejected = await postPage(app.baseUrl, ann.reject, { reason: "Next week suits me" });
    assert.equal(rejected.status, 200);
    assert.match(rejected.html, /Request rejected/);
    assert.equal(actionsTo(rejected.html, "confirm").length, 0, "no confirm after rejecting");
    const notice = await smtp.waitForMail((m) =>
      m.to.includes("ann@example.test") && /^Not accepted/.test(m.subject)
    );
    assert.match(notice.text, /Next week suits me/);
    assert.equal(await stateOf(ann.guestPage), "rejected");
    const confirmAfter = await (await fetch(app.baseUrl + ann.confirm)).text();
    assert.match(confirmAfter, /already rejected/i);
    assert.equal(actionsTo(confirmAfter, "reject").length, 0, "the confirm page offers nothing");
    assert.doesNotMatch(confirmAfter, /Reject instead|Confirm booking<\/button>/);

    // Cleo's request, both answers pressed at once from both pages: exactly one wins.
    const cleo = await request("Cleo Guest", "cleo@example.test", slots[2]);
    const presses = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => postPlain(app.baseUrl, i % 2 ? cleo.confirm : cleo.reject, {}),
      ),
    );
    const statuses = JSON.stringify(presses.map((r) => r.status));
    assert.equal(presses.filter((r) => r.status === 200).length, 1, statuses);
    assert.equal(presses.filter((r) => r.status === 409).length, 19, statuses);
    const won = presses.findIndex((r) => r.status === 200) % 2 ? "confirmed" : "rejected";
    assert.equal(await stateOf(cleo.guestPage), won);

    // Ben's request: opened as "reject", confirmed from there.
    const ben = await request("Ben Guest", "ben@example.test", slots[1]);
    const rejectPage = await (await fetch(app.baseUrl + ben.reject)).text();
    assert.match(rejectPage, /Confirm instead/);
    assert.deepEqual(actionsTo(rejectPage, "confirm"), [ben.confirm]);
    const confirmed = await postPage(app.baseUrl, ben.confirm, {});
    assert.equal(confirmed.status, 200);
    assert.match(confirmed.html, /Booking confirmed/);
    assert.equal(actionsTo(confirmed.html, "reject").length, 0, "no reject after confirming");
    assert.equal(await stateOf(ben.guestPage), "confirmed");
    const rejectAfter = await (await fetch(app.baseUrl + ben.reject)).text();
    assert.match(rejectAfter, /already confirmed/i);
    assert.equal(actionsTo(rejectAfter, "confirm").length, 0);
    assert.doesNotMatch(rejectAfter, /Confirm instead/);

    // Each guest was told once: the host's copy of Ben's confirmation is queued after all.
    await smtp.waitForMail((m) =>
      m.to.includes("demo@invito.example") && /^Confirmed/.test(m.subject)
    );
    await smtp.waitForMail((m) =>
      m.to.includes("ben@example.test") && /^Confirmed/.test(m.subject)
    );
    const to = (who: string, subject: RegExp) =>
      smtp.mails.filter((m) => m.to.includes(who) && subject.test(m.subject)).length;
    assert.equal(to("ann@example.test", /^Not accepted/), 1);
    assert.equal(to("ann@example.test", /^Confirmed/), 0);
    assert.equal(to("ben@example.test", /^Confirmed/), 1);
    assert.equal(to("ben@example.test", /^Not accepted/), 0);
    await smtp.waitForMail((m) =>
      m.to.includes("cleo@example.test") && /^(Confirmed|Not accepted)/.test(m.subject)
    );
    assert.equal(to("cleo@example.test", /^(Confirmed|Not accepted)/), 1);
    assert.doesNotMatch(app.logs(), /\[error /);
  },
});
