/**
 * The outbox drain this process runs when a job is queued (`nudgeOutbox`): a job queued while a
 * drain is finishing must not wait for the minute cron. The admin hand-over test once waited 15 s
 * for a sign-in mail queued right after the start-up drain (fresh clone of 98ecb5b): the drain
 * had left its loop and was looking for its next wake-up when the sign-in queued the mail.
 */
import assert from "node:assert/strict";
import { nudgeOutbox, outboxDrained } from "./index.ts";
import { queueSignInMail } from "../services/sign-in-mail.ts";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { pollMeeting } from "../../../../tests/support/poll-meeting.ts";
import { CONCURRENCY, deliverOutbox } from "./deliver-outbox.ts";

Deno.test("nudgeOutbox: a mail queued while the drain looks for its next wake-up goes out in that drain, not at the next minute", async () => {
  const raw = await Deno.openKv(":memory:");
  // The moment of the race, made certain: the drain's look for the next due job (a list of one
  // under the outbox prefix) has read the empty queue, and before it returns a sign-in mail is
  // queued and the drain is nudged.
  let queueDuringLook: (() => Promise<unknown>) | null = null;
  const kv = new Proxy(raw, {
    get(target, prop) {
      if (prop === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
          const it = target.list(selector, options);
          const fire = queueDuringLook;
          if (!fire || options?.limit !== 1 || !("prefix" in selector)) return it;
          queueDuringLook = null;
          return (async function* () {
            const read = [];
            for await (const e of it) read.push(e);
            await fire();
            yield* read;
          })();
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const app = await memoryApp({ kv, env: { INVITO_DISABLE_CRON: "false" } });
  app.kickOutbox = () => nudgeOutbox(app);
  try {
    queueDuringLook = () =>
      queueSignInMail(
        app,
        "guest@example.test",
        { subject: "Sign in", text: "https://invito.test/signin/verify?token=t" },
        app.now() + 600_000,
      );
    nudgeOutbox(app);
    // The drain's end: a lost nudge would leave the mail for the minute cron (none here).
    await outboxDrained();
    assert.equal(queueDuringLook, null, "the mail was queued during the look");
    assert.deepEqual(app.mailer.sent.map((m) => m.to), ["guest@example.test"]);
  } finally {
    await outboxDrained();
    raw.close();
  }
});

Deno.test("outbox: a sign-in link asked for while a big poll's invitations go out is sent among the next few mails, not after all of them", async () => {
  // The poll's 60 voters' invitations are queued first (the host picked the time); a second later
  // somebody asks for a sign-in link. Due order alone sent the link after every invitation: on a
  // relay taking a second per mail four at a time, a quarter of a minute of "Check your email".
  const { app, emails } = await pollMeeting(60);
  try {
    app.clock.ms += 1_000;
    const queued = await queueSignInMail(
      app,
      "someone@example.test",
      { subject: "Sign in", text: "https://invito.test/signin/verify?token=t" },
      app.now() + 600_000,
    );
    assert.ok(queued);
    await deliverOutbox(app, app.now());
    const order = app.mailer.sent.map((m) => m.to);
    for (const email of emails) assert.ok(order.includes(email), `${email} was invited`);
    const at = order.indexOf("someone@example.test");
    // The drain's first batch of due jobs; the other mails follow it.
    assert.ok(
      at >= 0 && at < CONCURRENCY,
      `the link went out as mail ${at + 1} of ${order.length}`,
    );
  } finally {
    app.close();
  }
});
