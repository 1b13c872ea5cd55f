"""``toolkit collect-visits FOLDER --tracker TRACKER --out visits.xlsx``: completed forms in.

Reads every completed visit report form in FOLDER, checks each against the tracker, and
writes a NEW workbook (never the tracker): a Visits sheet with the tracker's columns to
paste in, each report's working days late, and every problem. Problems are printed too,
each naming the file and the field. Exit code: 0 every form good, 1 problems found (the
good forms' rows are still written), 2 the folder or tracker cannot be read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from toolkit.commands._common import CommandFailed, open_tracker

NAME = "collect-visits"
HELP = "Read a folder of completed visit report forms into a checked Visits workbook."
DESCRIPTION = __doc__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, help="The folder of completed forms (.xlsx).")
    parser.add_argument("--tracker", type=Path, required=True, help="The trust tracker the forms were written from.")
    parser.add_argument("--policy", type=Path, default=None, help="A policy.toml (default: the one beside the tracker).")
    parser.add_argument("--out", type=Path, required=True, help="The workbook to write, e.g. visits.xlsx (never the tracker).")


def run(args: argparse.Namespace) -> int:
    from toolkit.visits.collect import (
        UnreadableFolder,
        collect_forms,
        render_problems,
        write_collection,
    )

    if args.out.resolve() == args.tracker.resolve():
        raise CommandFailed("error: --out is the tracker itself; collect-visits never writes into the tracker. Give a new file, e.g. visits.xlsx.")
    started = time.perf_counter()
    try:
        collection = collect_forms(args.folder, open_tracker(args.tracker, args.policy) if args.folder.is_dir() else None)
    except UnreadableFolder as exc:
        raise CommandFailed(str(exc)) from None
    write_collection(collection, args.out)
    late = collection.timeliness["working_days_late"].fillna(0)
    print(f"Read {collection.files} file(s) in {time.perf_counter() - started:.2f} s: {len(collection.rows)} visit row(s) "
          f"written to {args.out}; {int((late > 0).sum())} report(s) sent late.")
    for _, r in collection.timeliness[late > 0].iterrows():
        print(f"  late: {r['visit_id']} {r['school']} ({r['role']}): due {r['report_due']:%d/%m/%Y}, "
              f"sent {r['report_sent']:%d/%m/%Y}, {int(r['working_days_late'])} working day(s) late")
    if collection.report.problems:
        print(render_problems(collection.report), file=sys.stderr)
        return 1
    return 0
