/**
 * Findings of the second outside audit (issue 22) around links, mail headers and idempotency,
 * driven over HTTP against the built server: a single-use link is bound to its host's name, an
 * RFC 2047 encoded-word in a guest's name cannot add header lines, and Idempotency-Keys belong
 * to their caller.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { pageSlots, signIn } from "../reliability/harness.ts";
import { fullDay } from "../support/slots.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

const form = (app: { baseUrl: string }, body: Record<string, string>) => ({
  method: "POST",
  headers: {
    origin: app.baseUrl,
    accept: "text/html",
    "content-type": "application/x-www-form-urlencoded",
  },
  body: new URLSearchParams(body),
  redirect: "manual" as const,
});

Deno.test({
  ...opts,
  name:
    "single-use link: the page and its booking answer only under the link's own host; under another person's name (or a made-up one) GET and POST are 404 and book nothing",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp });
    const host = await signIn(app, "demo@invito.example", smtp);
    // Another person with a booking page of their own.
    await signIn(app, "eve@example.test", smtp);
    assert.equal((await fetch(app.url("/calendar/eve/"))).status, 200, "eve has a page");

    const types = await host.get("/dashboard/event-types");
    const edit = /href="(\/dashboard\/event-types\/[0-9A-Z]{26})"/.exec(types.body)?.[1];
    assert.ok(edit, "an event type to link to");
    const minted = await host.post(`${edit}/links?/mint`, {
      label: "For Grace",
      expiresOn: "",
      guestEmail: "",
    });
    const url = /data-testid="minted"[\s\S]*?<code[^>]*>([^<]+)<\/code>/.exec(minted.body)?.[1]
      ?.trim();
    assert.ok(url, "a link was made");
    const path = new URL(url).pathname;
    assert.match(path, /^\/calendar\/demo\/once\/[A-Za-z0-9_-]+$/);
    const token = path.split("/").pop()!;

    const own = await fetch(app.url(`${path}?tz=UTC`));
    await own.body?.cancel();
    assert.equal(own.status, 200);
    // A day from tomorrow on: today's last time could pass before the booking below.
    const { slots } = await fullDay(app.baseUrl, path, { min: 1 });
    assert.ok(slots.length > 0, "the link's page offers times");

    for (const name of ["eve", "nobody-here"]) {
      const page = await fetch(app.url(`/calendar/${name}/once/${token}?tz=UTC`));
      const text = await page.text();
      assert.equal(page.status, 404, `GET under ${name}`);
      assert.ok(!text.includes("data-slot="), "no times under another name");
      const post = await fetch(
        app.url(`/calendar/${name}/once/${token}?/book`),
        form(app, { name: "Grace", email: "grace@example.test", tz: "UTC", start: slots[0] }),
      );
      await post.body?.cancel();
      assert.equal(post.status, 404, `POST under ${name}`);
    }
    // Nothing was booked: the link still works, once, under its own name.
    const booked = await fetch(
      app.url(`${path}?/book`),
      form(app, { name: "Grace", email: "grace@example.test", tz: "UTC", start: slots[0] }),
    );
    await booked.body?.cancel();
    assert.equal(booked.status, 303);
    assert.match(booked.headers.get("location") ?? "", /^\/booking\//);
  },
});

Deno.test({
  ...opts,
  name:
    "mail headers: a guest name holding an RFC 2047 encoded-word with CR/LF reaches the host's Subject as the text typed, on one line, with no header of its own",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp });
    const slots = await pageSlots(app.baseUrl, "demo", "intro-call");
    const name = "=?utf-8?q?Eve=0D=0ABcc:_x@evil.example?=";
    const res = await fetch(
      app.url("/calendar/demo/intro-call?/book"),
      form(app, { name, email: "eve@example.test", tz: "UTC", start: slots[0] }),
    );
    await res.body?.cancel();
    assert.equal(res.status, 303);
    const mail = await smtp.waitForMail((m) => m.to.includes("demo@invito.example"));
    assert.ok(mail.subject.includes(name), `the name as typed: ${JSON.stringify(mail.subject)}`);
    assert.ok(!/[\r\n]/.test(mail.subject), "one line");
    assert.equal(mail.headers.get("bcc"), undefined);
    assert.ok(!/^bcc:/im.test(mail.raw), "no Bcc line in the raw mail");
    assert.ok(
      smtp.mails.every((m) => !m.to.some((t) => t.includes("evil.example"))),
      "nobody else got it",
    );
    // Every line of the raw header stays within RFC 5322's 998 characters; encoded words ≤ 75.
    const head = mail.raw.slice(0, mail.raw.indexOf("\r\n\r\n"));
    for (const w of head.match(/=\?[^?]+\?[BQ]\?[^?]*\?=/gi) ?? []) assert.ok(w.length <= 75, w);
  },
});

Deno.test({
  ...opts,
  name:
    "idempotency: a public booking's Idempotency-Key belongs to its caller — another client sending the same key and body gets no replay (no manage links), cannot squat a key, and the agent page's example key is a placeholder that is refused",
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_TRUSTED_PROXIES: "127.0.0.1" } });
    const slots = await pageSlots(app.baseUrl, "demo", "intro-call");
    assert.ok(slots.length >= 3);
    const post = (from: string, key: string, body: unknown, extra: Record<string, string> = {}) =>
      fetch(app.url("/api/v1/bookings"), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "idempotency-key": key,
          "x-forwarded-for": from,
          ...extra,
        },
        body: JSON.stringify(body),
      });
    const guestBody = {
      username: "demo",
      eventType: "intro-call",
      start: slots[0],
      timeZone: "UTC",
      name: "Grace Guest",
      email: "grace@example.test",
    };
    const key = crypto.randomUUID();
    const first = await post("203.0.113.5", key, guestBody);
    assert.equal(first.status, 201);
    const booked = await first.json() as { id: string; links: Record<string, string> };
    const secrets = Object.values(booked.links);
    assert.ok(secrets.length >= 3);
    // The guest's own retry is answered from the first answer.
    const again = await post("203.0.113.5", key, guestBody);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.equal((await again.json() as { id: string }).id, booked.id);

    // Another client with the same key and body (and an API key of its own): no replay.
    const other = await post("198.51.100.7", key, guestBody, {
      authorization: "Bearer invito_not_a_real_key",
    });
    const otherText = await other.text();
    assert.notEqual(other.status, 201, otherText);
    assert.ok(other.status >= 400 && other.status < 500, `${other.status}`);
    assert.equal(other.headers.get("idempotent-replayed"), null);
    for (const s of secrets) assert.ok(!otherText.includes(s), "no guest link leaks");
    assert.ok(!otherText.includes(booked.id), "not even the booking's id");

    // A key another client used is not squatted: this client books with it.
    const own = await post("198.51.100.7", key, {
      ...guestBody,
      start: slots[1],
      name: "Sam",
      email: "sam@example.test",
    });
    assert.equal(own.status, 201, await own.clone().text());
    await own.body?.cancel();

    // The agent page shows a placeholder, not a key to copy; placeholders are refused.
    const md = await (await fetch(app.url("/calendar/demo/intro-call.md"))).text();
    const shown = /^Idempotency-Key: (.+)$/m.exec(md)?.[1];
    assert.equal(shown, "<unique-key>");
    for (const placeholder of [shown, "<uuid>", "{{idempotency_key}}", "your-unique-key"]) {
      const r = await post("192.0.2.9", placeholder, { ...guestBody, start: slots[2] });
      const problem = await r.json() as { errors?: { field: string; message: string }[] };
      assert.equal(r.status, 400, placeholder);
      assert.match(problem.errors?.[0]?.message ?? "", /placeholder/i);
    }
  },
});
