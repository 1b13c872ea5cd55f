"""``toolkit import-performance``: DfE KS2/KS4 performance tables -> a new Outcomes workbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from toolkit.tracker.dfe_import import import_performance

NAME = "import-performance"
HELP = "Read DfE KS2/KS4 performance-table CSVs into a new workbook of Outcomes rows."
DESCRIPTION = (
    "Reads DfE school-level 'final' CSVs (ks2final_2018-2019_850.csv, ks4final_...) and writes "
    "their results as rows in the tracker's Outcomes layout, plus national Benchmarks, to a NEW "
    "workbook. Suppressed figures (SUPP, NE, NP, LOWCOV, NA ...) stay suppressed, never 0. "
    "It never writes into a tracker or an input file: copy the rows into your tracker. "
    "Exit codes: 0 written, 1 problems to fix, 2 a file could not be read."
)
DEFAULT_OUT = Path("outputs") / "imported_outcomes.xlsx"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "csv", nargs="+", type=Path, metavar="CSV", help="DfE KS2 or KS4 school-level CSV file(s)."
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"The new workbook to write (default {DEFAULT_OUT}).",
    )
    parser.add_argument(
        "--urn",
        type=int,
        nargs="+",
        action="extend",
        metavar="URN",
        help="Keep only these schools (repeat or list several), e.g. the trust's own.",
    )
    parser.add_argument(
        "--year",
        metavar="YYYY/YY",
        help="Academic year, e.g. 2018/19, for files whose name does not say.",
    )


def run(args: argparse.Namespace) -> int:
    result = import_performance(args.csv, args.out, urns=args.urn, year=args.year)
    if len(result.report):
        print(result.report.render(), file=sys.stderr if not result.report.ok else sys.stdout)
    if result.written is not None:
        schools = result.outcomes["urn"].nunique()
        print(
            f"Wrote {len(result.outcomes)} Outcomes rows for {schools} school(s)"
            f" and {len(result.benchmarks)} national Benchmarks rows to {result.written}."
        )
        print("Copy the rows you need into your tracker's Outcomes and Benchmarks sheets.")
    else:
        print("Nothing was written.", file=sys.stderr)
    return result.exit_code
