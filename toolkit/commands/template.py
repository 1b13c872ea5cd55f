"""``toolkit template [PATH]``: write the blank trust tracker with dropdowns and help."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "template"
HELP = "Write the blank trust tracker workbook (default templates/tracker.xlsx)."
DEFAULT_PATH = Path("templates") / "tracker.xlsx"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH, help=f"Where to write the workbook (default {DEFAULT_PATH}).")
    parser.add_argument("--trust-name", default="", help="The trust's name, written in Instructions!B2 (default: left blank to fill in).")


def run(args: argparse.Namespace) -> int:
    from toolkit.tracker.template import write_tracker

    path = write_tracker(args.path, trust_name=args.trust_name.strip())
    print(f"Wrote the tracker template to {path}.")
    return 0
