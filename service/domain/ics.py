"""iCalendar invitations (RFC 5545): one VEVENT a meeting, with a UID that stays the same for that meeting, so a
calendar updates the event it has instead of adding another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PRODID = "-//review-cycles//one-to-ones//EN"
LINE_OCTETS = 75  # RFC 5545 3.1: lines longer than this are folded


@dataclass(frozen=True)
class Attendee:
    """A person invited: their name and address."""

    name: str
    email: str


@dataclass(frozen=True)
class Event:
    """One meeting to put in a calendar (times are UTC)."""

    uid: str
    start: datetime
    minutes: int
    summary: str
    description: str
    organizer: Attendee
    attendees: tuple[Attendee, ...]
    stamp: datetime
    url: str = ""
    sequence: int = 0


def escape_text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks."""
    out = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return out.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _param(value: str) -> str:
    """A parameter value (a CN): quoted, without the characters a quoted value cannot hold."""
    return '"' + "".join(ch for ch in value if ch not in '"\r\n' and (ch >= " " or ch == "\t")) + '"'


def fold(line: str) -> str:
    """A content line folded at 75 octets (never inside a UTF-8 sequence), continuation lines starting with a
    space."""
    parts: list[str] = []
    current, size = "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > (LINE_OCTETS if not parts else LINE_OCTETS - 1):
            parts.append(current)
            current, size = "", 0
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def calendar(event: Event) -> str:
    """The VCALENDAR text (METHOD:REQUEST) inviting the attendees to the event, CRLF line ends."""
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{_utc(event.stamp)}",
        f"DTSTART:{_utc(event.start)}",
        f"DTEND:{_utc(event.start + timedelta(minutes=event.minutes))}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"DESCRIPTION:{escape_text(event.description)}",
        f"ORGANIZER;CN={_param(event.organizer.name)}:mailto:{event.organizer.email}",
        *(
            f"ATTENDEE;CN={_param(a.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{a.email}"
            for a in event.attendees
        ),
        *([f"URL:{event.url}"] if event.url else []),
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
