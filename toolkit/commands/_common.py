"""What every command that reads a tracker shares: its arguments, and one way to open it.

Bad input ends the command with exit code 2 and the problem report on stderr, the same
wording whichever command met it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from toolkit.tracker.model import Tracker


class CommandFailed(Exception):
    """Ends a command with ``exit_code`` after printing ``message`` to stderr (see toolkit.cli)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def add_tracker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tracker", type=Path, help="The trust tracker workbook (.xlsx or .ods).")
    parser.add_argument("--policy", type=Path, default=None, help="A policy.toml (default: the one beside the tracker).")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="Treat the tracker's warnings as failures (exit 2), for unattended runs "
        "(also the policy setting data_quality.strict).",
    )


def iso_date(text: str) -> dt.date:
    """An argparse type for dates written 2026-11-23."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it like 2026-11-23") from None


def parsed(parse, text: str):
    """``parse(text)``, with a ValueError turned into a clean command failure."""
    try:
        return parse(text)
    except ValueError as exc:
        raise CommandFailed(f"error: {exc}") from None


def warning_summary(tracker: Tracker, path: Path) -> str:
    """What a command prints to stderr about the tracker's warnings: the count, the first
    few (policy ``data_quality.warnings_shown``) and how to see them all; "" when none.

    Why: warnings must travel with the data; a command that used the tracker silently
    would let a renamed sheet or a dropped column pass unnoticed.
    """
    report = tracker.report
    warnings = report.warnings
    if not warnings:
        return ""
    shown = tracker.policy.data_quality.warnings_shown
    lines = [f"warning: the tracker {Path(path).name} has {len(warnings)} warning(s); the results use it as it is."]
    lines += [f"  {line}" for line in report.summary_lines(warnings, first=shown)]
    lines.append(f"  Run `toolkit validate {path}` to see every warning with its fix.")
    return "\n".join(lines)


def open_tracker(path: Path, policy: Path | None = None, *, strict: bool = False) -> Tracker:
    """Read and validate the tracker, or fail with its problem report.

    The tracker's warnings are printed to stderr (see ``warning_summary``). With ``strict``
    (or the policy's ``data_quality.strict``) any warning fails the command with exit 2.
    """
    from toolkit.tracker.problems import InvalidInput, UnreadableFile
    from toolkit.tracker.reader import read_tracker

    if not Path(path).is_file():
        raise CommandFailed(f"error: the tracker {path} does not exist. Check the path.")
    try:
        tracker = read_tracker(path, policy_path=policy)
    except InvalidInput as exc:
        raise CommandFailed(exc.report.render()) from None
    except UnreadableFile as exc:
        raise CommandFailed(f"error: {exc}") from None
    note = warning_summary(tracker, path)
    if note and (strict or tracker.policy.data_quality.strict):
        raise CommandFailed(
            note.replace("warning:", "error:", 1).replace("; the results use it as it is.", ".", 1)
            + "\nStrict mode (--strict or data_quality.strict in the policy) treats warnings as failures: "
            "fix them, or run without --strict.",
            exit_code=2,
        )
    if note:
        print(note, file=sys.stderr)
    return tracker
