/**
 * iCalendar documents for invitations and calendar writeback, built with ical.js so that text
 * is escaped and long lines are folded per RFC 5545 (a guest named "Doe; Jane, Jr." must not
 * break a CalDAV PUT). Times are written in UTC, which every client reads the same way.
 *
 * Text keeps every character a calendar can carry: ical.js escapes TEXT values (`\;`, `\,`,
 * `\n`) and writes a parameter value such as CN with RFC 6868's `^'` for a double quote, so
 * nothing needs replacing here; only control characters, which TEXT cannot hold, become spaces.
 */
import ICAL from "ical.js";

// ical.js folds after 75 octets and then starts the next line with a space, so continuation
// lines are 76 octets; RFC 5545 §3.1 counts that space. Folding at 74 keeps every line, first
// or continued, within 75 octets (counted in UTF-8, never splitting a character).
ICAL.foldLength = 74;

export type IcsEvent = {
  uid: string;
  sequence: number;
  startMs: number;
  endMs: number;
  stampMs: number;
  summary: string;
  description: string;
  location?: string;
  status: "CONFIRMED" | "CANCELLED" | "TENTATIVE";
  organizer: { name: string; email: string };
  attendee: { name: string; email: string; partstat?: "ACCEPTED" | "NEEDS-ACTION" | "DECLINED" };
  /** Further attendees (a team booking's members besides the organiser), accepted. */
  others?: { name: string; email: string }[];
  /** The guest's additional guests (addresses only): invited, their answer not yet known. */
  guests?: string[];
  /** The names of those `guests` who gave one (a poll's voters), by address: their CN. */
  guestNames?: Record<string, string>;
  url?: string;
  /** A video meeting's link (RFC 7986 CONFERENCE; it is also the event's URL). */
  conference?: { url: string; label: string; kind?: string };
};

const utc = (ms: number) => ICAL.Time.fromJSDate(new Date(ms), true);

export function buildIcs(ev: IcsEvent, method?: "REQUEST" | "CANCEL" | "PUBLISH"): string {
  const cal = calendar(method);
  cal.addSubcomponent(vevent(ev));
  return cal.toString() + "\r\n";
}

/** A subscription feed: many events in one calendar, named for calendar apps. */
export function buildIcsFeed(name: string, events: IcsEvent[]): string {
  const cal = calendar("PUBLISH");
  cal.updatePropertyWithValue("x-wr-calname", clean(name));
  // Calendar apps poll a subscription at most this often (RFC 7986 REFRESH-INTERVAL).
  const refresh = new ICAL.Property("refresh-interval");
  refresh.setParameter("value", "DURATION");
  refresh.setValue(ICAL.Duration.fromString("PT15M"));
  cal.addProperty(refresh);
  for (const ev of events) cal.addSubcomponent(vevent(ev));
  return cal.toString() + "\r\n";
}

function calendar(method?: "REQUEST" | "CANCEL" | "PUBLISH"): ICAL.Component {
  const cal = new ICAL.Component(["vcalendar", [], []]);
  cal.updatePropertyWithValue("prodid", "-//Invito//Invito Scheduling//EN");
  cal.updatePropertyWithValue("version", "2.0");
  cal.updatePropertyWithValue("calscale", "GREGORIAN");
  if (method) cal.updatePropertyWithValue("method", method);
  return cal;
}

/**
 * A calendar of many events, produced piece by piece (a host's export may hold a hundred
 * thousand bookings): the same text `buildIcs` would give for them together.
 */
export function* icsCalendarChunks(events: Iterable<IcsEvent>): Generator<string> {
  const [head, tail] = calendar("PUBLISH").toString().split(/\r\n(?=END:VCALENDAR)/);
  yield head + "\r\n";
  for (const ev of events) yield vevent(ev).toString() + "\r\n";
  yield tail + "\r\n";
}

function vevent(ev: IcsEvent): ICAL.Component {
  const v = new ICAL.Component("vevent");
  v.updatePropertyWithValue("uid", ev.uid);
  v.updatePropertyWithValue("sequence", ev.sequence);
  v.updatePropertyWithValue("dtstamp", utc(ev.stampMs));
  v.updatePropertyWithValue("dtstart", utc(ev.startMs));
  v.updatePropertyWithValue("dtend", utc(ev.endMs));
  v.updatePropertyWithValue("summary", clean(ev.summary));
  if (ev.description) v.updatePropertyWithValue("description", clean(ev.description));
  if (ev.location) v.updatePropertyWithValue("location", clean(ev.location));
  // The meeting's own link is what a calendar's "join" opens; else the booking's page.
  const url = ev.conference?.url ?? ev.url;
  if (url) v.updatePropertyWithValue("url", url);
  if (ev.conference) {
    const conf = new ICAL.Property("conference");
    conf.setParameter("value", "URI");
    conf.setParameter("feature", "AUDIO,VIDEO");
    conf.setParameter("label", clean(ev.conference.label));
    conf.setValue(ev.conference.url);
    v.addProperty(conf);
    // The properties Google Calendar and Outlook read for their own "Join" button.
    if (ev.conference.kind === "google_meet") {
      v.updatePropertyWithValue("x-google-conference", ev.conference.url);
    }
    if (ev.conference.kind === "teams") {
      v.updatePropertyWithValue("x-microsoft-skypeteamsmeetingurl", ev.conference.url);
      v.updatePropertyWithValue("x-microsoft-onlinemeetingconflink", ev.conference.url);
    }
  }
  v.updatePropertyWithValue("status", ev.status);
  v.updatePropertyWithValue("transp", "OPAQUE");
  const org = new ICAL.Property("organizer");
  org.setValue(`mailto:${ev.organizer.email}`);
  org.setParameter("cn", clean(ev.organizer.name));
  v.addProperty(org);
  const att = new ICAL.Property("attendee");
  att.setValue(`mailto:${ev.attendee.email}`);
  att.setParameter("cn", clean(ev.attendee.name));
  att.setParameter("role", "REQ-PARTICIPANT");
  att.setParameter("partstat", ev.attendee.partstat ?? "ACCEPTED");
  v.addProperty(att);
  for (const o of ev.others ?? []) {
    const p = new ICAL.Property("attendee");
    p.setValue(`mailto:${o.email}`);
    p.setParameter("cn", clean(o.name));
    p.setParameter("role", "REQ-PARTICIPANT");
    p.setParameter("partstat", "ACCEPTED");
    v.addProperty(p);
  }
  for (const email of ev.guests ?? []) {
    const p = new ICAL.Property("attendee");
    p.setValue(`mailto:${email}`);
    const name = ev.guestNames && Object.hasOwn(ev.guestNames, email) ? ev.guestNames[email] : "";
    if (name) p.setParameter("cn", clean(name));
    p.setParameter("role", "REQ-PARTICIPANT");
    p.setParameter("partstat", "NEEDS-ACTION");
    v.addProperty(p);
  }
  return v;
}

/** Line breaks become TEXT's escaped newline; other control characters have no place in it. */
function clean(s: string): string {
  return s.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ");
}
