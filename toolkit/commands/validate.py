"""``toolkit validate TRACKER``: check a tracker and list every problem, with where and the fix.

Exit codes: 0 no errors (warnings allowed), 1 errors, 2 the file cannot be read at all
(missing, not a workbook, corrupt or password-protected).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from toolkit.tracker.model import Tracker
from toolkit.tracker.problems import Problem, ProblemReport, UnreadableFile
from toolkit.tracker.reader import summary, validate_tracker

NAME = "validate"
HELP = "Check a tracker: every problem at once, with the sheet, cell and fix."
DESCRIPTION = (
    "Read a tracker workbook and check every sheet, column and cell against the template, "
    "then check the sheets against each other. Errors must be fixed before the other "
    "commands use the tracker; warnings are worth a look. Exit code 0 = no errors, "
    "1 = errors, 2 = the file cannot be read."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tracker", type=Path, help="the tracker workbook (.xlsx, or .ods from LibreOffice)")
    parser.add_argument("--policy", type=Path, default=None, help="a policy.toml overriding the default")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument(
        "--strict", action="store_true",
        help="exit 1 on warnings as well as errors (also the policy setting data_quality.strict)",
    )


def _lines(title: str, items: list[Problem]) -> list[str]:
    if not items:
        return []
    out = [f"{title}: {len(items)}"]
    for p in items:
        out.append(f"  {p.where}: {p.message}")
        out.append(f"      Fix: {p.fix}")
    return out


def trust_line(tracker: Tracker | None) -> str:
    """Where the trust's name on the reports comes from, said plainly."""
    if tracker is None:
        return ""
    return f"Trust name on reports: '{tracker.policy.trust.name}', from {tracker.trust_name_source}."


def render_text(
    path: Path, report: ProblemReport, rows: dict[str, int] | None, tracker: Tracker | None = None
) -> str:
    """Errors (stop) then warnings (go on), each with its place and fix, then a summary."""
    lines = [f"Tracker: {path}"]
    if tracker is not None:
        lines.append(trust_line(tracker))
    lines += _lines("Errors - stop: fix these before using the tracker", report.errors)
    lines += _lines("Warnings - go on: check these", report.warnings)
    if not report.problems:
        lines.append("No problems found.")
    if rows is not None:
        counts = ", ".join(f"{title} {n}" for title, n in rows.items() if n)
        lines.append(
            f"Summary: {rows.get('Schools', 0)} schools; rows: {counts or 'none'}; "
            f"{len(report.errors)} errors, {len(report.warnings)} warnings."
        )
    else:
        lines.append(f"Summary: {len(report.errors)} errors, {len(report.warnings)} warnings.")
    return "\n".join(lines)


# A bar appears only if reading takes longer than this (small trackers read in well under it).
PROGRESS_DELAY_SECONDS = 1.0


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[str], None] | None]:
    """A progress bar on stderr, sheet by sheet, when stderr is a terminal (never when piped
    or redirected, where it would only litter a log). Why: a 5,000-school tracker takes
    many seconds to validate, and a silent terminal looks hung."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    from toolkit.tracker.reader import STEPS

    with tqdm(total=STEPS, desc="Reading", unit="sheet", delay=PROGRESS_DELAY_SECONDS, file=sys.stderr, leave=False) as bar:
        started = [False]

        def step(label: str) -> None:  # called as each step starts: the previous one is done
            if started[0]:
                bar.update(1)
            started[0] = True
            bar.set_postfix_str(label, refresh=False)

        yield step


def run(args: argparse.Namespace) -> int:
    path: Path = args.tracker
    try:
        with _progress_bar() as progress:
            tracker, report = validate_tracker(path, policy_path=args.policy, progress=progress)
    except UnreadableFile as exc:
        if args.format == "json":
            print(json.dumps({"file": str(path), "ok": False, "unreadable": str(exc)}, indent=2))
        else:
            print(f"Cannot read the tracker: {exc}", file=sys.stderr)
        return 2
    rows = summary(tracker) if tracker is not None else None
    if args.format == "json":
        doc = {
            "file": str(path),
            "ok": report.ok,
            "schools": rows.get("Schools", 0) if rows else None,
            "trust_name": tracker.policy.trust.name if tracker is not None else None,
            "trust_name_source": tracker.trust_name_source if tracker is not None else None,
            "rows": rows,
            "errors": [p.to_dict() for p in report.errors],
            "warnings": [p.to_dict() for p in report.warnings],
        }
        print(json.dumps(doc, indent=2))
    else:
        print(render_text(path, report, rows, tracker))
    strict = args.strict or (tracker is not None and tracker.policy.data_quality.strict)
    if strict and report.ok and report.warnings:
        print(f"Strict: {len(report.warnings)} warning(s) count as failures (exit 1).", file=sys.stderr)
        return 1
    return 0 if report.ok else 1
