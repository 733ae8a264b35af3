/**
 * Hosts schedule through the JSON API (issue 28), against the built server with the demo's API
 * key, a Standard Webhooks receiver and an SMTP peer: a held poll is made, answered through its
 * link without scripts, its answers read and a time picked (every voter an attendee: each gets
 * the ICS REQUEST naming all voters, and the CANCEL when the host cancels); a second poll
 * is closed without booking (its held times free again, answers refused); `poll.*` events arrive
 * signed; a host books for a guest under an Idempotency-Key (replayed, booked once, confirmed
 * though the type asks for confirmation); a one-off link is made, listed and revoked.
 */
import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";

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
    "host scheduling API over HTTP: polls (hold, answers, pick, close), poll.* webhooks signed, book for a guest once under an Idempotency-Key, one-off links",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const hits: { headers: Record<string, string>; body: string }[] = [];
    const port = freePort();
    const receiver = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
      hits.push({ headers: Object.fromEntries(req.headers), body: await req.text() });
      return new Response("thanks");
    });
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
    });
    try {
      const key = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
      const api = async (
        method: string,
        path: string,
        body?: unknown,
        headers: Record<string, string> = {},
      ) => {
        const res = await fetch(app.url(`/api/v1${path}`), {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return {
          status: res.status,
          headers: res.headers,
          // deno-lint-ignore no-explicit-any
          body: await res.json() as any,
        };
      };
      const hook = await api("POST", "/webhooks", {
        url: `http://127.0.0.1:${port}/hooks`,
        events: ["poll.created", "poll.voted", "poll.booked", "poll.closed"],
      });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const secret = hook.body.secret as string;

      // Free times of the demo's quick chat, from the public slots endpoint.
      const from = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      const to = new Date(Date.now() + 12 * 86_400_000).toISOString().slice(0, 10);
      const slots = await api(
        "GET",
        `/users/demo/event-types/quick-chat/slots?start=${from}&end=${to}&timeZone=UTC`,
      );
      assert.equal(slots.status, 200);
      const free = (slots.body.slots as { start: string }[]).map((s) => s.start);
      assert.ok(free.length >= 12, "the demo offers enough times");

      // A poll with held times: refused with words when a time is not one of the host's.
      const bad = await api("POST", "/polls", {
        eventType: "quick-chat",
        times: [free[0], "2020-01-01T03:00:00Z"],
      });
      assert.equal(bad.status, 409);
      assert.equal(bad.body.reason, "slot_unavailable");
      assert.match(bad.headers.get("content-type")!, /^application\/problem\+json/);
      const tooFew = await api("POST", "/polls", { eventType: "quick-chat", times: [free[0]] });
      assert.equal(tooFew.status, 400);
      assert.equal(tooFew.body.errors[0].field, "times");
      const times = [free[1], free[4], free[7]];
      const made = await api("POST", "/polls", {
        eventType: "quick-chat",
        title: "Planning",
        times,
        hold: true,
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(made.body.state, "open");
      assert.equal(made.body.reserved, true);
      const pollId = made.body.id as string;
      const pollPath = new URL(made.body.url).pathname;
      // Held: the public page does not offer them.
      const dayOf = (t: string) => t.slice(0, 10);
      const publicDay = async (t: string) =>
        await (await fetch(app.url(`/calendar/demo/quick-chat?tz=UTC&date=${dayOf(t)}`))).text();
      assert.ok(!(await publicDay(times[0])).includes(`data-slot="${times[0]}"`));

      // Invitees answer through the link, without scripts.
      for (
        const [name, answers] of [
          ["Ann", ["yes", "no", "yes"]],
          ["Ben", ["yes", "maybe", "no"]],
          ["Cat", ["maybe", "no", "no"]],
        ]
      ) {
        const res = await post(app.baseUrl, `${pollPath}?/vote`, {
          name: name as string,
          email: `${(name as string).toLowerCase()}@example.test`,
          t0: answers[0],
          t1: answers[1],
          t2: answers[2],
        });
        assert.equal(res.status, 200);
      }
      const listed = await api("GET", "/polls");
      assert.equal(listed.status, 200);
      assert.ok(listed.body.data.some((p: { id: string }) => p.id === pollId));
      const answers = await api("GET", `/polls/${pollId}`);
      assert.equal(answers.status, 200);
      assert.deepEqual(
        answers.body.counts.map((c: { yes: number; maybe: number; no: number }) => [
          c.yes,
          c.maybe,
          c.no,
        ]),
        [[2, 1, 0], [0, 1, 2], [1, 0, 2]],
      );
      assert.deepEqual(answers.body.votes.map((v: { name: string }) => v.name), [
        "Ann",
        "Ben",
        "Cat",
      ]);

      const notOurs = await api("POST", `/polls/${pollId}/pick`, { start: free[2] });
      assert.equal(notOurs.status, 409);
      const picked = await api("POST", `/polls/${pollId}/pick`, { start: times[0] });
      assert.equal(picked.status, 201, JSON.stringify(picked.body));
      assert.equal(picked.body.state, "confirmed");
      assert.equal(picked.body.start, times[0]);
      const again = await api("POST", `/polls/${pollId}/pick`, { start: times[2] });
      assert.equal(again.status, 409);
      assert.equal(again.body.reason, "poll_closed");
      // Every voter is an attendee: each gets the invitation (an ICS REQUEST) naming all three.
      const voters = ["ann@example.test", "ben@example.test", "cat@example.test"];
      const attendees = (ics: string) =>
        [...ics.replace(/\r?\n[ \t]/g, "").matchAll(/^ATTENDEE[^\r\n]*?:mailto:([^\r\n]+)/gim)]
          .map((m) => m[1].toLowerCase()).sort();
      const invitationOf = (email: string, method: string) =>
        smtp.waitForMail((m) => m.to.includes(email) && !!m.calendar?.includes(`METHOD:${method}`));
      for (const email of voters) {
        const mail = await invitationOf(email, "REQUEST");
        assert.deepEqual(attendees(mail.calendar!), voters, `${email}'s invitation`);
      }
      // The other held times are free again; the booked one is taken.
      assert.ok((await publicDay(times[1])).includes(`data-slot="${times[1]}"`));
      // The host cancels the booked meeting: every voter gets the CANCEL.
      const cancelled = await api("POST", `/bookings/${picked.body.id}/cancel`, {
        reason: "Moved elsewhere",
      }, { "idempotency-key": "poll-cancel" });
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      for (const email of voters) {
        const mail = await invitationOf(email, "CANCEL");
        assert.deepEqual(attendees(mail.calendar!), voters, `${email}'s cancellation`);
      }

      // A second held poll, closed without booking: its times are free at once, answers refused.
      const other = await api("POST", "/polls", {
        eventType: "quick-chat",
        times: [free[9], free[11]],
        hold: true,
      });
      assert.equal(other.status, 201);
      assert.ok(!(await publicDay(free[9])).includes(`data-slot="${free[9]}"`));
      const closed = await api("POST", `/polls/${other.body.id}/close`);
      assert.equal(closed.status, 200);
      assert.equal(closed.body.state, "closed");
      assert.ok(closed.body.closedAt);
      assert.ok((await publicDay(free[9])).includes(`data-slot="${free[9]}"`));
      const twice = await api("POST", `/polls/${other.body.id}/close`);
      assert.equal(twice.status, 409);
      assert.equal(twice.body.reason, "poll_closed");
      const late = await post(app.baseUrl, `${new URL(other.body.url).pathname}?/vote`, {
        name: "Cy",
        email: "cy@example.test",
        t0: "yes",
      });
      assert.equal(late.status, 409);

      // poll.* events: each once, signed, in the order-independent sense.
      await waitFor(() => hits.length >= 7, { timeoutMs: 30_000 });
      const events = hits.map((h) =>
        new Webhook(secret).verify(h.body, h.headers) as {
          type: string;
          data: { poll: { id: string }; bookingId?: string };
        }
      );
      assert.deepEqual(events.map((e) => e.type).sort(), [
        "poll.booked",
        "poll.closed",
        "poll.created",
        "poll.created",
        "poll.voted",
        "poll.voted",
        "poll.voted",
      ]);
      assert.equal(events.find((e) => e.type === "poll.booked")!.data.bookingId, picked.body.id);
      assert.equal(events.find((e) => e.type === "poll.closed")!.data.poll.id, other.body.id);

      // Book for a guest: once under one Idempotency-Key, confirmed though the type asks.
      const introSlots = await api(
        "GET",
        `/users/demo/event-types/intro-call/slots?start=${from}&end=${to}&timeZone=UTC`,
      );
      const introFree = (introSlots.body.slots as { start: string }[]).map((s) => s.start)
        .filter((t) => !times.includes(t));
      const guestBody = {
        eventType: "intro-call",
        start: introFree.at(-1)!,
        name: "Phoned In",
        email: "phoned@example.test",
        confirmed: true,
      };
      const noKey = await api("POST", "/bookings/for-guest", guestBody);
      assert.equal(noKey.status, 400);
      assert.equal(noKey.body.reason, "idempotency_key_missing");
      const idem = { "idempotency-key": "book-for-guest-1" };
      const first = await api("POST", "/bookings/for-guest", guestBody, idem);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.state, "confirmed");
      const replay = await api("POST", "/bookings/for-guest", guestBody, idem);
      assert.equal(replay.status, 201);
      assert.equal(replay.body.id, first.body.id);
      assert.equal(replay.headers.get("idempotent-replayed"), "true");
      const invite = await smtp.waitForMail((m) => m.to.includes("phoned@example.test"));
      assert.ok(invite.calendar, "the guest gets the invitation");
      const badGuest = await api("POST", "/bookings/for-guest", {
        ...guestBody,
        email: "not an address",
      }, { "idempotency-key": "book-for-guest-2" });
      assert.equal(badGuest.status, 400);
      assert.equal(badGuest.body.errors[0].field, "email");
      const overlap = await api("POST", "/bookings/for-guest", {
        ...guestBody,
        email: "second@example.test",
      }, { "idempotency-key": "book-for-guest-3" });
      assert.equal(overlap.status, 409, "never over another live booking");
      // A poll or a one-off link offers only free times: the booked one is refused with words.
      for (
        const [path, times] of [["/polls", [guestBody.start, introFree[0]]], ["/one-off-links", [
          guestBody.start,
        ]]] as const
      ) {
        const taken = await api("POST", path, { eventType: "intro-call", times });
        assert.equal(taken.status, 409, `${path}: ${JSON.stringify(taken.body)}`);
        assert.equal(taken.body.reason, "slot_unavailable");
        assert.match(taken.body.detail, /One of those times is no longer free/);
      }

      // One-off links: made from free times, listed, revoked (its page then refuses).
      const link = await api("POST", "/one-off-links", {
        eventType: "quick-chat",
        times: [free[5], free[6]],
        note: "As discussed",
      });
      assert.equal(link.status, 201, JSON.stringify(link.body));
      assert.equal(link.body.state, "unused");
      assert.deepEqual(link.body.times, [free[5], free[6]]);
      const page = await fetch(link.body.url.replace(/^https?:\/\/[^/]+/, app.baseUrl));
      assert.equal(page.status, 200);
      await page.body?.cancel();
      const links = await api("GET", "/one-off-links");
      assert.ok(links.body.data.some((l: { id: string }) => l.id === link.body.id));
      const revoked = await api("POST", `/one-off-links/${link.body.id}/revoke`);
      assert.equal(revoked.status, 200);
      assert.equal(revoked.body.state, "revoked");
      const gone = await fetch(link.body.url.replace(/^https?:\/\/[^/]+/, app.baseUrl));
      const goneHtml = await gone.text();
      assert.match(goneHtml, /This link no longer works/);
      assert.ok(!goneHtml.includes(`data-slot="${free[5]}"`), "a revoked link offers no time");
      const readOnly = await fetch(app.url("/api/v1/polls"), {});
      assert.equal(readOnly.status, 401);
      await readOnly.body?.cancel();
    } finally {
      await receiver.shutdown();
    }
  },
});
