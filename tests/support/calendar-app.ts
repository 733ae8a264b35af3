/**
 * What a person's calendar app makes of the invitations they receive: every .ics applied in
 * the order it arrived, by UID, SEQUENCE and METHOD (RFC 5546 §2.1.5: a REQUEST or PUBLISH
 * replaces the stored event when its SEQUENCE is higher, or equal with a DTSTAMP at least as
 * late; a CANCEL removes it on the same terms and is remembered). Parsed with ical.js, and with
 * Debian's python3-icalendar as an independent parser (tests/support/apply-ics.py); both must
 * agree.
 *
 * ```ts
 * const cal = await applyInvitations(mails.filter((m) => m.to === guest).map((m) => m.icalEvent!.content));
 * assert.deepEqual(Object.values(cal).map((e) => e.start), ["2026-11-24T08:00:00Z"]);
 * ```
 */
import ICAL from "ical.js";
import { join } from "node:path";

export type CalendarEvent = {
  sequence: number;
  start: string;
  end: string;
  status: string;
  summary: string;
  description: string;
  attendee: string | null;
};

const iso = (t: ICAL.Time) => t.toJSDate().toISOString().replace(".000Z", "Z");

/** The events a calendar keeps after `docs`, by UID (ical.js). */
export function applyWithIcalJs(docs: string[]): Record<string, CalendarEvent> {
  const events = new Map<
    string,
    (CalendarEvent & { stamp: number }) | { cancelled: true; sequence: number; stamp: number }
  >();
  for (const text of docs) {
    const cal = new ICAL.Component(ICAL.parse(text));
    const method = String(cal.getFirstPropertyValue("method") ?? "PUBLISH").toUpperCase();
    for (const ve of cal.getAllSubcomponents("vevent")) {
      const ev = new ICAL.Event(ve);
      const uid = ev.uid;
      const sequence = ev.sequence ?? 0;
      const stamp = (ve.getFirstPropertyValue("dtstamp") as ICAL.Time).toJSDate().getTime();
      const cur = events.get(uid);
      if (cur && (sequence < cur.sequence || (sequence === cur.sequence && stamp < cur.stamp))) {
        continue;
      }
      if (method === "CANCEL") {
        events.set(uid, { cancelled: true, sequence, stamp });
        continue;
      }
      const att = ve.getFirstProperty("attendee");
      events.set(uid, {
        sequence,
        stamp,
        start: iso(ev.startDate),
        end: iso(ev.endDate),
        status: String(ve.getFirstPropertyValue("status") ?? "CONFIRMED"),
        summary: ev.summary,
        description: ev.description ?? "",
        attendee: (att?.getParameter("cn") as string | undefined) ?? null,
      });
    }
  }
  const out: Record<string, CalendarEvent> = {};
  for (const [uid, e] of [...events].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if ("cancelled" in e) continue;
    const { stamp: _, ...rest } = e;
    out[uid] = rest;
  }
  return out;
}

/** The same with python3-icalendar. */
export async function applyWithPython(docs: string[]): Promise<Record<string, CalendarEvent>> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [join(import.meta.dirname!, "apply-ics.py")],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(docs)));
  await w.close();
  const out = await child.output();
  if (!out.success) throw new Error(`apply-ics.py: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** JSON with keys in sorted order, for comparing what two parsers made of the same documents. */
function canon(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, x) =>
      x && typeof x === "object" && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1)))
        : x,
  );
}

/** Both parsers' result, asserted equal; throws when they disagree. */
export async function applyInvitations(docs: string[]): Promise<Record<string, CalendarEvent>> {
  const a = applyWithIcalJs(docs);
  const b = await applyWithPython(docs);
  if (canon(a) !== canon(b)) {
    throw new Error(
      `ical.js and python3-icalendar disagree:\n${JSON.stringify(a, null, 1)}\n${
        JSON.stringify(b, null, 1)
      }`,
    );
  }
  return a;
}
