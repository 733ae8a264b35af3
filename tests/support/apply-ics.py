#!/usr/bin/python3
"""Applies iCalendar documents in order, as a calendar app does, with python3-icalendar (an
independent parser). Reads a JSON list of .ics texts on stdin; prints the events kept, by UID.

Rules (RFC 5546 2.1.5): a REQUEST or PUBLISH replaces the stored event when its SEQUENCE is
higher, or equal with a DTSTAMP at least as late; a CANCEL removes it on the same terms (and is
remembered, so an older invitation arriving late does not bring the event back)."""
import json
import re
import sys

import icalendar


def rfc6868(value):
    """Parameter values escape ^' (a double quote), ^n and ^^ (RFC 6868); icalendar 4.0 predates it."""
    if value is None:
        return None
    return re.sub(r"\^(['n^])", lambda m: {"'": '"', "n": "\n", "^": "^"}[m.group(1)], str(value))


events = {}
for text in json.load(sys.stdin):
    cal = icalendar.Calendar.from_ical(text)
    method = str(cal.get("METHOD", "PUBLISH")).upper()
    for ev in cal.walk("VEVENT"):
        uid = str(ev["UID"])
        seq = int(ev.get("SEQUENCE", 0))
        stamp = ev["DTSTAMP"].dt.timestamp()
        cur = events.get(uid)
        if cur is not None and (seq, stamp) < (cur["sequence"], cur["stamp"]):
            continue
        if method == "CANCEL":
            events[uid] = {"sequence": seq, "stamp": stamp, "cancelled": True}
            continue
        # The first attendee, as ical.js's getFirstProperty (several come as a list).
        attendee = ev["ATTENDEE"]
        if isinstance(attendee, list):
            attendee = attendee[0]
        events[uid] = {
            "sequence": seq,
            "stamp": stamp,
            "start": ev["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end": ev["DTEND"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": str(ev.get("STATUS", "CONFIRMED")),
            "summary": str(ev["SUMMARY"]),
            "description": str(ev.get("DESCRIPTION", "")),
            "attendee": rfc6868(attendee.params.get("CN")),
        }
json.dump(
    {
        uid: {k: v for k, v in e.items() if k != "stamp"}
        for uid, e in sorted(events.items())
        if not e.get("cancelled")
    },
    sys.stdout,
    sort_keys=True,
)
