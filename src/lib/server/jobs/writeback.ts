/**
 * Calendar writeback as an outbox performer. `startJobs` registers it; tests that drive
 * `deliverOutbox` directly call `registerWriteback()` themselves.
 */
import { performers } from "./deliver-outbox.ts";
import { writeBack } from "../services/calendar-writeback.ts";

export function registerWriteback(): void {
  performers.writeback = writeBack;
}
