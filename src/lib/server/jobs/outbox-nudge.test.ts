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
