/**
 * When a connected calendar account is the one a host had before: connected again after being
 * removed, it takes back its old id (store/calendars.ts), so the meetings written through it are
 * its own again — a cancelled one is deleted, a moved one moved. A CalDAV account is its
 * principal (the same one reached by another address is still one account); a Google or
 * Microsoft account is its address at that provider.
 */
import type { CalendarAccountRecord } from "./model/calendar-records.ts";

export function accountIdentity(
  a: Pick<CalendarAccountRecord, "provider" | "principalUrl" | "username">,
): string {
  return a.provider ? `${a.provider}\n${a.username.toLowerCase()}` : `caldav\n${a.principalUrl}`;
}
