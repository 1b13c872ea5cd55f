"""``toolkit calendar TRACKER --year 2026/27``: the year's calendar files (iCalendar).

Writes ``trust.ics`` and one ``<urn>-<school>.ics`` per school, each written atomically,
into ``outputs/calendar-2026-27/`` (or ``--out``). Import them into Outlook or Google
Calendar; importing a newer file updates the events (stable UIDs) rather than duplicating
them. Exit code: 0 written, 1 a calendar file could not be written, 2 bad input (the problems
are listed with their fix).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from toolkit.commands._common import add_tracker_arguments, open_tracker, parsed

NAME = "calendar"
HELP = "Write the year's calendar (.ics) for the trust and each school."
DESCRIPTION = __doc__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_tracker_arguments(parser)
    parser.add_argument("--year", default=None, help="Academic year, e.g. 2026/27 (default: the current one).")
    parser.add_argument("--out", type=Path, default=None, help="Output folder (default: outputs/calendar-<year>/).")


def run(args: argparse.Namespace) -> int:
    from toolkit.calendar.ics import write_calendars
    from toolkit.calendar.schedule import build_schedule, non_working_visit_problems
    from toolkit.calendar.terms import AcademicYear

    year = parsed(AcademicYear.parse, args.year) if args.year else AcademicYear.of(dt.date.today())
    out = args.out or Path("outputs") / f"calendar-{year.start_year}-{(year.start_year + 1) % 100:02d}"
    tracker = open_tracker(args.tracker, args.policy, strict=args.strict)
    events = build_schedule(tracker, year)
    for problem in non_working_visit_problems(tracker):
        print(f"warning: {problem}", file=sys.stderr)
    errors: list[str] = []
    paths = write_calendars(tracker, year, out, events=events, errors=errors)
    proposed = sum(e.proposed for e in events)
    print(f"{len(paths)} calendar files for {year.label} ({len(events)} events, {proposed} on proposed dates) in {out}")
    for problem in errors:  # a file that could not be written fails the run
        print(f"error: {problem}", file=sys.stderr)
    return 1 if errors else 0
