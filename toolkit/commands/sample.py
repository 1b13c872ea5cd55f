"""``toolkit sample PATH``: write the fictional sample trust's tracker (deterministic)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

NAME = "sample"
HELP = "Write the fictional sample trust's tracker workbook (same arguments, same bytes)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="Where to write the workbook, e.g. inputs/sample_tracker.xlsx.")
    parser.add_argument("--schools", type=int, default=10, metavar="N", help="Number of schools (default 10: the documented sample trust).")
    parser.add_argument("--seed", type=int, default=2026, metavar="S", help="Random seed (default 2026).")


def run(args: argparse.Namespace) -> int:
    from toolkit.tracker.sample import write_sample

    if args.schools < 1:
        print("--schools must be at least 1.")
        return 2
    started = time.perf_counter()
    trust = write_sample(args.path, n_schools=args.schools, seed=args.seed)
    rows = sum(len(v) for v in trust.rows.values())
    print(f"Wrote {args.schools} schools ({rows} rows) to {args.path} in {time.perf_counter() - started:.1f} s.")
    return 0
