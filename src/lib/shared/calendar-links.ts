/**
 * "Add to calendar" links for a meeting: Google Calendar's and Outlook's (Outlook.com and
 * Microsoft 365) event templates, which open the person's own calendar with the meeting filled
 * in. The .ics download (Apple Calendar and everything else) is the booking's own address. One
 * builder for the confirmation page and the mails, so both offer the same three.
 */
export type CalendarEvent = {
  title: string;
  startMs: number;
  endMs: number;
  details: string;
  location?: string;
  /**
   * A series that repeats regularly from this date (ADR 048): Google's link carries the rule
   * (`recur`, an RRULE; not in Google's documentation, long used by calendar-link libraries)
   * with the host's zone (`ctz`), so it repeats at the host's wall time as the series does.
   * Outlook's links cannot repeat and add this date only.
   */
  repeat?: { everyWeeks: number; count: number; timeZone: string };
};

export type CalendarLinks = { google: string; outlook: string; office: string };

/** 20261124T090000Z */
function basicUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

/** 2026-11-24T09:00:00Z */
function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function outlookLink(host: string, e: CalendarEvent): string {
  const q = new URLSearchParams({
    path: "/calendar/action/compose",
    rru: "addevent",
    subject: e.title,
    startdt: isoUtc(e.startMs),
    enddt: isoUtc(e.endMs),
    body: e.details,
  });
  if (e.location) q.set("location", e.location);
  return `https://${host}/calendar/0/action/compose?${q}`;
}

export function calendarLinks(e: CalendarEvent): CalendarLinks {
  const g = new URLSearchParams({
    action: "TEMPLATE",
    text: e.title,
    dates: `${basicUtc(e.startMs)}/${basicUtc(e.endMs)}`,
    details: e.details,
  });
  if (e.location) g.set("location", e.location);
  if (e.repeat) {
    g.set("recur", `RRULE:FREQ=WEEKLY;INTERVAL=${e.repeat.everyWeeks};COUNT=${e.repeat.count}`);
    g.set("ctz", e.repeat.timeZone);
  }
  return {
    google: `https://calendar.google.com/calendar/render?${g}`,
    outlook: outlookLink("outlook.live.com", e),
    office: outlookLink("outlook.office.com", e),
  };
}
