"""An iCalendar file (RFC 5545) of a plan's sessions: all-day events with the workout outline."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

MAX_LINE_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    date: dt.date
    summary: str
    description: str


def calendar_text(events: list[CalendarEvent], *, name: str, stamp: dt.date) -> str:
    """The calendar as text with CRLF line ends. `stamp` fixes DTSTAMP so that an unchanged
    plan gives byte-identical output."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//pacefit//training plan//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for event in events:
        uid = hashlib.sha1(f"{name}|{event.date}|{event.summary}".encode()).hexdigest()
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@pacefit",
            f"DTSTAMP:{stamp:%Y%m%d}T000000Z",
            f"DTSTART;VALUE=DATE:{event.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.date + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(event.summary)}",
            f"DESCRIPTION:{_escape(event.description)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (never mid-character)."""
    parts: list[str] = []
    current = ""
    for char in line:
        limit = MAX_LINE_OCTETS if not parts else MAX_LINE_OCTETS - 1
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = ""
        current += char
    parts.append(current)
    return "\r\n ".join(parts)
