/**
 * The words inside calendar entries (SUMMARY, DESCRIPTION), in their reader's language: the
 * guest's invitation in theirs, the entry written to the host's calendar in the host's. The
 * .ics structure itself (METHOD, UID, SEQUENCE, folding) is integrations/ics.ts's.
 */
import type { BookingRecord } from "../../store/records.ts";
import type { Translator } from "../../../shared/i18n.ts";

type B = Pick<BookingRecord, "eventTitle" | "guestName" | "guestNote" | "answers">;

/** "Intro call: Ada and Demo Host" */
export function icsSummaryForGuest(b: B, hostName: string, t: Translator): string {
  return t.t("ics.summary_guest", { title: b.eventTitle, guest: b.guestName, host: hostName });
}

export function icsDescriptionForGuest(b: B, guestLink: string, t: Translator): string {
  return [
    b.guestNote ? t.t("ics.note", { note: b.guestNote }) : "",
    ...(b.answers ?? []).filter((a) => a.value).map((a) =>
      `${a.label}: ${
        a.checked !== undefined ? t.t(a.checked ? "common.yes" : "common.no") : a.value
      }`
    ),
    t.t("ics.manage", { url: guestLink }),
  ].filter(Boolean).join("\n\n");
}

/** "Intro call with Ada" — the host's own calendar entry. */
export function icsSummaryForHost(b: B, t: Translator): string {
  return t.t("ics.summary_host", { title: b.eventTitle, guest: b.guestName });
}

export function icsDescriptionForHost(b: B, dashboardLink: string, t: Translator): string {
  return [
    b.guestNote ? t.t("ics.note_from", { guest: b.guestName, note: b.guestNote }) : "",
    ...(b.answers ?? []).filter((a) => a.value).map((a) =>
      `${a.label}: ${
        a.checked !== undefined ? t.t(a.checked ? "common.yes" : "common.no") : a.value
      }`
    ),
    t.t("ics.booked_with", { url: dashboardLink }),
  ].filter(Boolean).join("\n\n");
}
