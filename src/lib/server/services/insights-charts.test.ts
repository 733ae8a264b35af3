/**
 * Insights' delivery rows name what was sent in the host's language: every kind of mail has a
 * label in every catalog. A poll meeting's invitation to its other guests was shown as the raw
 * "guests invited" on a German, French or Spanish host's page (and an invitee's decline as
 * "host declined").
 */
import assert from "node:assert/strict";
import { whatLabel } from "./insights-charts.ts";
import { translator } from "../i18n.ts";
import { LANGUAGES } from "../../shared/i18n.ts";
import type { MailKind } from "../domain/model/records.ts";

// Every kind, spelled so that a kind added to MailKind without a line here fails svelte-check.
const KINDS: Record<MailKind, true> = {
  host_request: true,
  host_confirmed_copy: true,
  host_booked: true,
  guest_pending: true,
  guest_confirmed: true,
  guest_rejected: true,
  guest_expired: true,
  guest_cancelled: true,
  host_cancelled: true,
  host_expired: true,
  host_seat_moved: true,
  host_meeting_cancelled: true,
  reminder_guest: true,
  reminder_host: true,
  follow_up: true,
  magic_link: true,
  member_request: true,
  guests_invited: true,
  guests_cancelled: true,
  attendee_declined: true,
  host_declined: true,
};

Deno.test("insights: every kind of mail is named in the host's language, never by its code", () => {
  for (const lang of LANGUAGES) {
    const t = translator(lang);
    const labels = new Set<string>();
    for (const kind of Object.keys(KINDS)) {
      const label = whatLabel(kind, t);
      assert.notEqual(label, kind.replaceAll("_", " "), `${kind} in ${lang}`);
      assert.ok(!labels.has(label), `${kind} in ${lang}: "${label}" names another kind too`);
      labels.add(label);
    }
  }
});
