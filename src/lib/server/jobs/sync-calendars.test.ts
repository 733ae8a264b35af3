import assert from "node:assert/strict";
import { cronScheduleFor } from "./sync-calendars.ts";

Deno.test("cronScheduleFor: intervals cron can express get their own schedule, others tick every minute", () => {
  assert.equal(cronScheduleFor(15 * 60_000), "*/15 * * * *");
  assert.equal(cronScheduleFor(60_000), "* * * * *");
  assert.equal(cronScheduleFor(3_600_000), "0 * * * *");
  assert.equal(cronScheduleFor(6 * 3_600_000), "0 */6 * * *");
  assert.equal(cronScheduleFor(24 * 3_600_000), "0 0 * * *");
  assert.equal(cronScheduleFor(30_000), "* * * * *");
  assert.equal(cronScheduleFor(7 * 60_000), "* * * * *");
  assert.equal(cronScheduleFor(90 * 60_000), "* * * * *");
});
