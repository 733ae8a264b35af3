/**
 * SMTP faults against a real, controllable SMTP server (tests/support/smtp.ts): connection
 * refused, 421, 550, a server that never greets and one that never answers the end of DATA.
 * Bookings commit regardless; mails are retried with the outbox backoff (1 m, 5 m, 30 m, 2 h,
 * 12 h) and delivered exactly once after recovery; what failed is visible to the host.
 *
 * Backoff is tested at the service level (memory app with a settable clock, deliverOutbox
 * called directly, the real mailer from createMailer). The stalls use short SMTP timeouts given
 * to createMailer, so no test waits 10–20 s.
 */
import assert from "node:assert/strict";
import { startSmtp } from "../support/smtp.ts";
import { startApp } from "../support/app.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../support/memory-app.ts";
import { createMailer, type SmtpTimeouts } from "../../src/lib/server/integrations/mail.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { listBookingsForHost, retryDelivery } from "../../src/lib/server/services/host-bookings.ts";
import { RETRY_DELAYS_MS } from "../../src/lib/server/domain/booking.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import type { OutboxRecord, UserRecord } from "../../src/lib/server/domain/model/records.ts";
import { pageSlots, signIn } from "./harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const MINUTE = 60_000;

/** Short SMTP timeouts for the stalls (the app's are 10 s / 10 s / 20 s). */
const SHORT = { connection: 400, greeting: 400, socket: 600 };

/** The app's SMTP mailer, sending to the test peer on `port`. */
const smtpMailer = (port: number, timeouts?: SmtpTimeouts): TestApp["mailer"] =>
  Object.assign(
    createMailer(
      {
        host: "127.0.0.1",
        port,
        user: null,
        password: null,
        from: "Invito <invito@example.test>",
      },
      undefined,
      timeouts,
    ),
    { sent: [], failWith: null },
  );

async function setup(
  smtpPort: number,
  timeouts?: SmtpTimeouts,
): Promise<{ app: TestApp; host: UserRecord; bookingId: string }> {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  app.mailer = smtpMailer(smtpPort, timeouts);
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", requiresConfirmation: false });
  const res = await bookSlot(app, {
    username: "host",
    slug: "call",
    start: "2026-11-23T08:00:00Z",
    name: "Gina Guest",
    email: "gina@example.test",
    note: "",
    timeZone: "Europe/Berlin",
  });
  assert.ok(
    res.ok && res.status === "CONFIRMED",
    "the booking commits whatever the mail server does",
  );
  return { app, host, bookingId: res.bookingId };
}

async function mailJobs(app: TestApp): Promise<OutboxRecord[]> {
  const out: OutboxRecord[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: keys.outboxPrefix() })) {
    if (e.value.payload.kind === "booking_mail") out.push(e.value);
  }
  return out;
}

const perMessageId = (mails: { messageId: string }[]) => {
  const m = new Map<string, number>();
  for (const x of mails) m.set(x.messageId, (m.get(x.messageId) ?? 0) + 1);
  return [...m.values()];
};

Deno.test({
  ...opts,
  name:
    "SMTP refused: the mails wait 1 minute, nothing is sent early, and once the server is up each goes out exactly once",
  async fn() {
    const port = freePort();
    const { app } = await setup(port);
    try {
      const t0 = app.now();
      const first = await deliverOutbox(app, t0);
      assert.deepEqual([first.retried, first.failed], [2, 0]);
      const jobs = await mailJobs(app);
      assert.deepEqual(jobs.map((j) => [j.attempts, j.dueMs - t0]), [[1, MINUTE], [1, MINUTE]]);
      assert.ok(
        jobs.every((j) => j.lastError && j.claimedBy === null),
        "the error is kept for the host",
      );
      await using smtp = await startSmtp({ port });
      await deliverOutbox(app, t0 + MINUTE - 1);
      assert.equal(smtp.connectionCount(), 0, "nothing before the retry is due");
      assert.deepEqual(await deliverOutbox(app, t0 + MINUTE), { done: 2, retried: 0, failed: 0 });
      assert.equal(smtp.mails.length, 2);
      await deliverOutbox(app, t0 + 60 * MINUTE);
      assert.deepEqual(perMessageId(smtp.mails), [1, 1]);
      assert.deepEqual((await mailJobs(app)).length, 0);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "SMTP 421 forever: attempts come 1 m, 5 m, 30 m, 2 h and 12 h apart, then the mail is parked and shown as failed; Retry delivers it once",
  async fn() {
    await using smtp = await startSmtp();
    smtp.setMode("refuse-421");
    const { app, host } = await setup(smtp.port);
    try {
      let now = app.now();
      await deliverOutbox(app, now);
      for (const delay of RETRY_DELAYS_MS) {
        const due = (await mailJobs(app)).map((j) => j.dueMs);
        assert.deepEqual(
          due,
          [now + delay, now + delay],
          `next attempt ${delay / MINUTE} min later`,
        );
        const before = smtp.connectionCount();
        await deliverOutbox(app, now + delay - 1);
        assert.equal(smtp.connectionCount(), before, "no attempt before it is due");
        now += delay;
        await deliverOutbox(app, now);
        assert.equal(smtp.connectionCount(), before + 2, "one attempt per mail");
      }
      assert.equal((await mailJobs(app)).length, 0, "parked after the last attempt");
      const [row] = await listBookingsForHost(app, host, "all");
      assert.deepEqual(row.delivery.map((d) => [d.kind, d.state, d.attempts]).sort(), [
        ["mail_guest", "failed", 6],
        ["mail_host", "failed", 6],
      ]);
      assert.ok(
        row.delivery.every((d) => /421/.test(d.error ?? "")),
        "the server's answer is shown",
      );
      smtp.setMode("ok");
      const guestJob = row.delivery.find((d) => d.kind === "mail_guest")!;
      assert.ok(await retryDelivery(app, host.id, guestJob.id));
      assert.equal(
        await retryDelivery(app, host.id, guestJob.id),
        false,
        "a second click requeues nothing",
      );
      await deliverOutbox(app, app.now());
      assert.equal(smtp.mails.length, 1);
      assert.ok(smtp.mails[0].to.includes("gina@example.test"));
      const [after] = await listBookingsForHost(app, host, "all");
      assert.deepEqual(
        after.delivery.map((d) => d.kind),
        ["mail_host"],
        "only the mail not retried is still failed",
      );
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "SMTP 550: a rejected mail is not retried; it is parked at once and shown to the host as failed",
  async fn() {
    await using smtp = await startSmtp();
    smtp.failNext("reject-550", 1);
    const { app, host } = await setup(smtp.port);
    try {
      const stats = await deliverOutbox(app, app.now());
      assert.deepEqual([stats.retried, stats.failed], [0, 1]);
      assert.equal(smtp.mails.length, 1, "the other mail went through");
      await deliverOutbox(app, app.now() + 24 * 60 * MINUTE);
      assert.equal(smtp.connectionCount(), 2, "no retry of a permanent failure");
      const [row] = await listBookingsForHost(app, host, "all");
      assert.equal(row.delivery.length, 1);
      assert.equal(row.delivery[0].state, "failed");
      assert.match(row.delivery[0].error ?? "", /550/);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "SMTP stalls: a server that never greets or never answers DATA costs one timeout, not the worker; the mail goes out once later",
  async fn() {
    await using smtp = await startSmtp();
    const { app } = await setup(smtp.port, SHORT);
    try {
      smtp.failNext("stall", 1);
      smtp.failNext("stall-data", 1);
      const started = performance.now();
      const stats = await deliverOutbox(app, app.now());
      const tookMs = performance.now() - started;
      assert.deepEqual([stats.retried, stats.failed], [2, 0]);
      assert.ok(tookMs < 5_000, `bounded by the timeouts (${Math.round(tookMs)} ms)`);
      const errors = (await mailJobs(app)).map((j) => j.lastError ?? "");
      assert.ok(
        errors.every((e) => /timeout|timed out|greeting never received/i.test(e)),
        errors.join(" | "),
      );
      assert.equal(smtp.mails.length, 0);
      // The recovered server is sent to with the app's own timeouts: the short ones are for the
      // stalls, and a working server's greeting can take longer on a box busy with other tests.
      app.mailer = smtpMailer(smtp.port);
      await deliverOutbox(app, app.now() + MINUTE);
      assert.deepEqual(
        perMessageId(smtp.mails),
        [1, 1],
        "each mail once after the server recovered",
      );
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "SMTP down over HTTP: bookings still commit, and the host's bookings page says 'Email to the guest: retrying' and, for a 550, 'failed' with a Retry that works",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signIn(app, "demo@invito.example", smtp);
    const [a, b] = await pageSlots(app.baseUrl, "demo", "quick-chat");
    const book = (start: string, email: string) =>
      fetch(app.url("/calendar/demo/quick-chat?/book"), {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ name: "Sam", email, start, tz: "UTC" }),
        redirect: "manual",
      }).then(async (r) => (await r.body?.cancel(), r.status));

    // Per connection, so the drains cannot race the test: both mails of the first booking meet
    // a 421, both of the second a 550.
    smtp.failNext("refuse-421", 2);
    assert.equal(await book(a, "sam@example.test"), 303, "the booking commits while mail is down");
    const retrying = await waitFor(async () => {
      const page = await host.get("/dashboard/bookings");
      return (page.body.match(/retrying \(attempt 1\)/g) ?? []).length === 2 && page.body;
    }, { timeoutMs: 10_000, message: "the host sees the retries" });
    assert.match(retrying, /Email to the guest: retrying \(attempt 1\) — [^<]*421/);
    assert.match(retrying, /Email to you: retrying \(attempt 1\)/);

    smtp.failNext("reject-550", 2);
    assert.equal(await book(b, "rita@example.test"), 303);
    const failed = await waitFor(async () => {
      const page = await host.get("/dashboard/bookings");
      return (page.body.match(/: failed/g) ?? []).length === 2 && page.body;
    }, { timeoutMs: 10_000, message: "the host sees the failures" });
    const job = /Email to the guest: failed[\s\S]*?name="job" value="([0-9A-Z]{26})"/.exec(failed)
      ?.[1];
    assert.ok(job, "a failed mail has a Retry button");
    const retried = await host.post("/dashboard/bookings?/retry", { job: job! });
    assert.equal(retried.status, 200);
    const mail = await smtp.waitForMail((m) => /\.guest_confirmed@/.test(m.messageId));
    assert.deepEqual(mail.to, ["rita@example.test"]);
    const page = await host.get("/dashboard/bookings");
    assert.equal(
      (page.body.match(/: failed/g) ?? []).length,
      1,
      "the retried mail is no longer shown as failed",
    );
  },
});

Deno.test({
  ...opts,
  name:
    "SMTP answer lost after DATA: a sign-in link and a raw mail (a team invitation, a health mail) sent again carry the Message-ID of their first send, so the inbox keeps one",
  async fn() {
    await using smtp = await startSmtp();
    const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
    app.mailer = smtpMailer(smtp.port, SHORT);
    try {
      const { queueSignInMail } = await import("../../src/lib/server/services/sign-in-mail.ts");
      const { enqueue, newOutboxRecord } = await import("../../src/lib/server/store/outbox.ts");
      assert.ok(
        await queueSignInMail(app, "ann@example.test", {
          subject: "Sign in",
          text: "https://invito.test/link",
        }, app.now() + 10 * MINUTE),
      );
      const raw = newOutboxRecord({
        kind: "raw_mail",
        to: "bo@example.test",
        subject: "Join the team",
        text: "You are invited",
      }, app.now());
      assert.ok((await enqueue(app.kv.atomic(), raw).commit()).ok);
      // Both mails reach the server, whose 250 never reaches the app: it must send them again.
      smtp.failNext("drop-after-data", 2);
      const first = await deliverOutbox(app, app.now());
      assert.deepEqual([first.retried, first.done], [2, 0]);
      assert.equal(smtp.mails.length, 2);
      app.mailer = smtpMailer(smtp.port);
      await deliverOutbox(app, app.now() + MINUTE);
      assert.equal(smtp.mails.length, 4);
      for (const to of ["ann@example.test", "bo@example.test"]) {
        const ids = smtp.mails.filter((m) => m.to.includes(to)).map((m) => m.messageId);
        assert.equal(ids.length, 2, to);
        assert.equal(ids[0], ids[1], `${to}: one Message-ID for both sends`);
      }
      // …and each mail its own.
      assert.notEqual(smtp.mails[0].messageId, smtp.mails[1].messageId);
    } finally {
      app.close();
    }
  },
});
