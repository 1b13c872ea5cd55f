"""``toolkit visit-forms TRACKER --from DATE --to DATE --out DIR``: the Appendix D forms.

One prefilled visit report form (.xlsx) per visit the tracker records or the year's
schedule proposes in the range. A form already in ``--out`` is left alone (a visitor may
have started it) unless ``--overwrite``. ``--blank PATH`` writes the blank template
instead; ``--sample`` fills the forms with the sample trust's answers (for demos and
tests; see ``toolkit.visits.sample``). Exit code: 0 written, 2 bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from toolkit.commands._common import CommandFailed, iso_date, open_tracker

NAME = "visit-forms"
HELP = "Write a prefilled visit report form (Appendix D) for each visit in a date range."
DESCRIPTION = __doc__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tracker", type=Path, nargs="?", default=None, help="The trust tracker workbook (.xlsx); not needed with --blank.")
    parser.add_argument("--policy", type=Path, default=None, help="A policy.toml (default: the one beside the tracker).")
    parser.add_argument("--from", dest="start", type=iso_date, default=None, help="First visit date, e.g. 2026-11-02.")
    parser.add_argument("--to", dest="end", type=iso_date, default=None, help="Last visit date, e.g. 2026-12-18.")
    parser.add_argument("--out", type=Path, default=None, help="The folder to write the forms into (created if missing).")
    parser.add_argument("--overwrite", action="store_true", help="Replace forms already in --out.")
    parser.add_argument("--blank", action="store_true", help="Write the blank template to --out (a .xlsx path) and stop.")
    parser.add_argument("--sample", action="store_true",
                        help="Write the sample trust's completed forms for Autumn 2 2026/27 to --out (TRACKER: the sample tracker).")


def run(args: argparse.Namespace) -> int:
    from toolkit.visits.forms import plan_forms, write_form, write_forms

    if args.out is None:
        raise CommandFailed("error: give --out (the folder for the forms, or the .xlsx path for --blank).")
    if args.blank:
        write_form(args.out)
        print(f"Wrote the blank visit report form to {args.out}.")
        return 0
    if args.tracker is None:
        raise CommandFailed("error: give the tracker workbook (.xlsx).")
    tracker = open_tracker(args.tracker, args.policy)
    if args.sample:
        from toolkit.visits.sample import write_sample_forms

        paths = write_sample_forms(tracker, args.out)
        print(f"Wrote {len(paths)} completed sample forms to {args.out}.")
        return 0
    if args.start is None or args.end is None:
        raise CommandFailed("error: give the range with --from DATE and --to DATE, e.g. --from 2026-11-02 --to 2026-12-18.")
    if args.end < args.start:
        raise CommandFailed(f"error: --to {args.end} is before --from {args.start}.")
    batch = write_forms(plan_forms(tracker, args.start, args.end), args.out, overwrite=args.overwrite)
    scheduled = sum(f.kind == "scheduled" for f in batch.forms)
    print(f"{len(batch.forms)} visit(s) from {args.start:%d %b %Y} to {args.end:%d %b %Y} "
          f"({len(batch.forms) - scheduled} recorded, {scheduled} scheduled): wrote {len(batch.written)} form(s) to {args.out}.")
    for path in batch.skipped:
        print(f"  kept {path.name} (already there; --overwrite replaces it)")
    return 0
