"""The schedule as iCalendar files that Outlook and Google Calendar import.

One VCALENDAR per school and one for the trust (RFC 5545, written by the ``icalendar``
package: CRLF line endings, lines folded at 75 octets). Each event's UID comes from what
the event *is* (school, kind, rule key; see ``toolkit.calendar.schedule.event_uid``) plus the trust's
domain-like slug, so importing next month's file updates the events rather than
duplicating them. DTSTAMP is derived from the inputs (the latest date the tracker records),
never from the clock, so the same tracker gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
from icalendar import Calendar, vText
from icalendar import Event as IcsEvent

from toolkit import __version__
from toolkit.calendar.schedule import Event, build_schedule, school_events
from toolkit.calendar.terms import AcademicYear
from toolkit.outputs import atomic_write
from toolkit.privacy.text import strip_control
from toolkit.tracker.model import Tracker

PRODID = f"-//School Improvement Toolkit//toolkit {__version__}//EN"
_EPOCH = dt.date(2000, 1, 1)


# A school name can be any length; a file name cannot (255 bytes on most file systems).
SLUG_MAX = 60


def slug(text: str) -> str:
    """Lower-case, hyphenated, ASCII, at most ``SLUG_MAX`` characters: for file names and
    the UID domain (the same cap as the batch's report folders)."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower())[:SLUG_MAX].strip("-")
    return s or "trust"


def _line(text: str) -> str:
    """A one-line calendar text: control characters dropped, line breaks become spaces.
    The icalendar library then escapes and folds it (``vText``); nothing relies on an
    ``assert``, which ``python -O`` removes."""
    return strip_control(str(text), keep_line_breaks=False)


def input_stamp(tracker: Tracker) -> dt.datetime:
    """A DTSTAMP from the inputs: midnight UTC of the latest thing the tracker records as done
    (a report sent, paperwork received, a held visit, an assessment or sign-off).

    Deterministic (same tracker, same stamp) and it moves forward as the tracker is
    updated, which is what calendar clients compare. Planned dates are left out so the
    stamp is never in the future of the data.
    """
    latest: list[pd.Timestamp] = []
    v = tracker.visits
    held = v[v["status"] == "Held"] if len(v) else v
    sources = ((v, ("paperwork_received", "report_sent")), (held, ("visit_end", "visit_start")),
               (tracker.assessments, ("assessment_date", "eit_signoff_date")))
    for df, cols in sources:
        for c in cols:
            if c in df and len(df):
                m = pd.to_datetime(df[c]).max()
                if pd.notna(m):
                    latest.append(m)
    day = max(latest).date() if latest else _EPOCH
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _vevent(e: Event, domain: str, stamp: dt.datetime, school: str | None) -> IcsEvent:
    ev = IcsEvent()
    ev.add("uid", f"{e.uid}@{domain}")
    ev.add("dtstamp", stamp)
    ev.add("last-modified", stamp)
    # SEQUENCE grows with the inputs' stamp, so a re-import is newer than what is held.
    ev.add("sequence", (stamp.date() - _EPOCH).days)
    ev.add("dtstart", e.start)  # a date -> VALUE=DATE (all-day)
    ev.add("dtend", e.end + dt.timedelta(days=1))  # DTEND is exclusive for all-day events
    ev.add("summary", vText(_line(f"[{school}] {e.title}" if school else e.title)))
    lines = [e.description] if e.description else []
    if e.recipients:
        lines.append(f"Send to: {', '.join(e.recipients)}.")
    if e.deadline:
        lines.append("Deadline.")
    if e.proposed:
        lines.append("Date proposed by the calendar rules; update it in the tracker once booked.")
    ev.add("description", vText(strip_control("\n".join(lines))))
    ev.add("categories", [_line(e.kind.replace("_", " "))])
    ev.add("transp", "TRANSPARENT")
    ev.add("status", "TENTATIVE" if e.proposed else "CONFIRMED")
    return ev


def calendar_bytes(events: Iterable[Event], *, name: str, domain: str, stamp: dt.datetime,
                   names: dict[int, str] | None = None, description: str = "") -> bytes:
    """One VCALENDAR (METHOD:PUBLISH) holding ``events``; ``names`` prefixes school names."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # X- properties have no declared type, so icalendar would pass them through raw:
    # vText escapes them like any other text.
    cal.add("x-wr-calname", vText(_line(name)))
    if description:
        cal.add("x-wr-caldesc", vText(strip_control(description)))
    for e in events:
        school = names.get(e.urn) if (names and e.urn is not None) else None
        cal.add_component(_vevent(e, domain, stamp, school))
    return cal.to_ical()


def write_calendars(tracker: Tracker, year: AcademicYear | str, out_dir: str | Path, *,
                    events: list[Event] | None = None, errors: list[str] | None = None) -> list[Path]:
    """Write ``trust.ics`` and one ``<urn>-<school>.ics`` per school into ``out_dir``.

    Each file is written atomically (``toolkit.outputs``); file names are capped and
    unique. One file failing does not stop the others: its problem is appended to
    ``errors`` if given, else an ``OSError`` naming every failed file is raised once all
    the others are written. Returns the paths written.
    """
    year = year if isinstance(year, AcademicYear) else AcademicYear.parse(str(year))
    events = events if events is not None else build_schedule(tracker, year)
    out = Path(out_dir)
    trust = tracker.policy.trust.name
    domain = slug(trust)
    stamp = input_stamp(tracker)
    names = {int(u): str(n) for u, n in zip(tracker.schools["urn"], tracker.schools["name"], strict=True)}
    failed: list[str] = []
    written: list[Path] = []
    used: set[str] = set()

    def write(file_name: str, make: Callable[[], bytes]) -> None:
        stem, n = file_name, 2
        while f"{stem}.ics" in used:
            stem, n = f"{file_name}-{n}", n + 1
        used.add(f"{stem}.ics")
        try:
            written.append(atomic_write(out / f"{stem}.ics", make()))
        except (OSError, ValueError) as exc:
            failed.append(f"calendar {stem}.ics: {type(exc).__name__}: {exc}")

    write("trust", lambda: calendar_bytes(
        events, name=f"{trust} {year.label}", domain=domain, stamp=stamp, names=names,
        description=f"School improvement calendar {year.label}: every school and trust meeting."))
    for urn, school in names.items():
        write(f"{urn}-{slug(school)}", lambda urn=urn, school=school: calendar_bytes(
            school_events(events, urn), name=f"{school} {year.label}", domain=domain, stamp=stamp,
            description=f"{trust}: school improvement calendar {year.label} for {school} (URN {urn})."))
    if failed:
        if errors is None:
            raise OSError(f"{len(failed)} calendar file(s) not written: " + "; ".join(failed))
        errors.extend(failed)
    return written
