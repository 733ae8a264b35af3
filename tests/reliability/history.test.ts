/**
 * History check under contention on one process (the check itself: ./history-check.ts).
 */
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { historyCheck } from "./history-check.ts";

Deno.test({
  name:
    "history check: concurrent booking, confirming, rejecting, cancelling, rescheduling and expiring never overlap, lose or invent a booking",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_BOOKING_TTL: "2s" },
    });
    await historyCheck({
      base: app.baseUrl,
      signInVia: app,
      smtp,
      dbPath: app.dbPath,
      env: app.env,
      stop: () => app.stop({ keepData: true }),
    });
  },
});
