"""``toolkit compliance TRACKER``: the calendar-rule findings, as a table, CSV or JSON.

Late and missing visit reports (with working days late), late paperwork, missed minimum
visits, on-site minimum visits without the learning walk, SIP/SIA days against the
allocation, visits still Planned after their date, and meetings held off the rule or not
recorded, as of ``--as-of`` (default today). Exit code: 0 (findings are not an error), 2 bad
input (or, with ``--strict``, a tracker with warnings).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from toolkit.commands._common import (
    CommandFailed,
    add_tracker_arguments,
    iso_date,
    open_tracker,
    parsed,
)

NAME = "compliance"
HELP = "List late reports, missed visits and other calendar-rule findings."
DESCRIPTION = __doc__




def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_tracker_arguments(parser)
    parser.add_argument("--year", default=None, help="Only this academic year, e.g. 2026/27 (default: every year to date).")
    parser.add_argument("--as-of", type=iso_date, default=None, help="The date the checks are made on (default: today).")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table", help="Output format (default: table).")
    parser.add_argument("--visits", type=Path, default=None,
                        help="A workbook written by collect-visits: its rows (dates sent from the forms) count as if pasted in.")


def render_table(findings, summary, as_of: dt.date) -> str:
    """Plain text for a terminal: the counts, then one block per finding."""
    lines = [f"Compliance as of {as_of:%a %d %b %Y}: {len(findings)} finding(s)", ""]
    for _, s in summary.iterrows():
        lines.append(f"  {s['count']:>4}  {s['description']}")
    for kind, group in findings.groupby("kind", sort=False):
        lines += ["", f"{summary.set_index('kind').at[kind, 'description']} ({len(group)})"]
        for _, f in group.iterrows():
            who = f["school"] if isinstance(f["school"], str) else "Trust"
            lines.append(f"  - {who} [{f['ref']}]: {f['detail']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from toolkit.calendar.compliance import compliance, compliance_summary
    from toolkit.calendar.terms import AcademicYear
    from toolkit.privacy.text import clean_json, csv_text, strip_control

    year = parsed(AcademicYear.parse, args.year) if args.year else None
    as_of = args.as_of or dt.date.today()
    tracker = open_tracker(args.tracker, args.policy, strict=args.strict)
    if args.visits is not None:
        from toolkit.tracker.problems import UnreadableFile
        from toolkit.visits.merge import merge_collected

        try:
            tracker = merge_collected(tracker, args.visits)
        except UnreadableFile as exc:
            raise CommandFailed(f"error: {exc}") from None
    findings = compliance(tracker, as_of=as_of, year=year)
    from toolkit.calendar.schedule import non_working_visit_problems

    for problem in non_working_visit_problems(tracker):
        print(f"warning: {problem}", file=sys.stderr)
    out = findings.copy()
    for col in ("due", "actual"):
        out[col] = out[col].dt.strftime("%Y-%m-%d").where(out[col].notna(), None)
    if args.format == "csv":
        sys.stdout.write(csv_text(out))  # tracker text neutralised: no cell runs as a formula
    elif args.format == "json":
        records = json.loads(out.to_json(orient="records"))
        print(json.dumps(clean_json({"as_of": as_of.isoformat(), "year": year.label if year else None,
                          "summary": compliance_summary(findings).to_dict(orient="records"), "findings": records,
                          "tracker_warnings": [p.to_dict() for p in tracker.report.warnings]}), indent=2))
    else:
        print(strip_control(render_table(findings, compliance_summary(findings), as_of)))
    return 0
