"""``toolkit designations TRACKER --term TERM``: every school's designation assessment.

Per school: each quality indicator's judgement and its source (reviewer, data or none),
the proposal and its chain of reasons, the agreed designation and whether it differs, the
risk, the movement since last term and the support package. ``--format`` table (for a
terminal), csv or json (machine-readable: the whole assessment, trust support totals and
flags). ``--output FILE`` writes the result atomically instead of printing it. Exit code:
0, or 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from toolkit.commands._common import add_tracker_arguments, open_tracker, parsed

NAME = "designations"
HELP = "Propose each school's designation for a term, with reasons, risk, movement and support."
DESCRIPTION = __doc__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_tracker_arguments(parser)
    parser.add_argument("--term", required=True, help="The term, e.g. '2026/27 Autumn' or 2026-27-autumn.")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table", help="Output format (default: table).")
    parser.add_argument("--output", type=Path, default=None, help="Write to this file (atomically) instead of standard output.")


def _word(value: object, blank: str) -> str:
    """A table cell as text: pandas turns None into NaN in a column with text, so test for str."""
    return value if isinstance(value, str) and value else blank


def render_table(frame, flags: list[str], term: str) -> str:
    """Plain text: one block per school, then the support flags."""
    from toolkit.assessment.indicators import indicators

    lines = [f"Designations for {term}: {len(frame)} school(s)", ""]
    for r in frame.to_dict("records"):
        agreed = r["agreed"] if isinstance(r["agreed"], str) else "not yet agreed"
        differs = "  (agreed differs from proposal)" if r["differs"] else ""
        lines.append(f"{r['name']} ({r['urn']})")
        proposal = r["proposed"] if isinstance(r["proposed"], str) else r.get("proposal") or "no evidence"
        lines.append(f"  proposed {proposal}; agreed {agreed}{differs}")
        lines.append(f"  risk {r['risk'] if isinstance(r['risk'], str) else '-'}; movement {r['movement']} (previous {r['previous_designation'] or '-'})")
        judged = ", ".join(f"QI{i.number} {_word(r[f'{i.key}_judgement'], 'no evidence')} [{r[f'{i.key}_source']}]" for i in indicators())
        lines.append(f"  {judged}")
        lines.append(f"  reasons: {r['reasons']}")
        lines.append(f"  support: {r['support_package']}")
        lines.append("")
    lines.append(f"Support flags ({len(flags)})" if flags else "Support flags: none")
    lines += [f"  - {f}" for f in flags]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from toolkit.assessment.designation import assess_trust, designations_frame
    from toolkit.assessment.support import capacity_check, support_flags, trust_support
    from toolkit.calendar.terms import Term
    from toolkit.outputs import atomic_write
    from toolkit.privacy.text import clean_json, csv_text, strip_control

    term = parsed(Term.parse, args.term)
    tracker = open_tracker(args.tracker, args.policy, strict=args.strict)
    assessments = assess_trust(tracker, term)
    frame = designations_frame(assessments)
    support = trust_support(tracker, term, assessments)
    capacity = capacity_check(tracker.policy, support)
    flags = support_flags(support, capacity)
    if args.format == "csv":
        text = csv_text(frame)  # tracker text neutralised: no cell runs as a formula
    elif args.format == "json":
        text = json.dumps(
            clean_json({
                "term": term.label,
                "tracker": tracker.file_name,
                "tracker_sha256": tracker.sha256,
                "policy": tracker.policy.source,
                "schools": [a.to_dict() for a in assessments],
                "support": json.loads(support.to_json(orient="records")),
                "capacity": json.loads(capacity.to_json(orient="records")),
                "flags": flags,
                "tracker_warnings": [p.to_dict() for p in tracker.report.warnings],
            }),
            indent=2,
        ) + "\n"
    else:
        text = strip_control(render_table(frame, flags, term.label)) + "\n"
    if args.output:
        atomic_write(args.output, text)
        print(f"Wrote {len(frame)} school(s) to {args.output}.")
    else:
        sys.stdout.write(text)
    return 0
