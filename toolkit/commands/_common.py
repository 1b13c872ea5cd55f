"""What every command that reads a tracker shares: its arguments, and one way to open it.

Bad input ends the command with exit code 2 and the problem report on stderr, the same
wording whichever command met it.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from toolkit.tracker.model import Tracker


class CommandFailed(Exception):
    """Ends a command with ``exit_code`` after printing ``message`` to stderr (see toolkit.cli)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def add_tracker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tracker", type=Path, help="The trust tracker workbook (.xlsx).")
    parser.add_argument("--policy", type=Path, default=None, help="A policy.toml (default: the one beside the tracker).")


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


def open_tracker(path: Path, policy: Path | None = None) -> Tracker:
    """Read and validate the tracker, or fail with its problem report."""
    from toolkit.tracker.problems import InvalidInput, UnreadableFile
    from toolkit.tracker.reader import read_tracker

    if not Path(path).is_file():
        raise CommandFailed(f"error: the tracker {path} does not exist. Check the path.")
    try:
        return read_tracker(path, policy_path=policy)
    except InvalidInput as exc:
        raise CommandFailed(exc.report.render()) from None
    except UnreadableFile as exc:
        raise CommandFailed(f"error: {exc}") from None
