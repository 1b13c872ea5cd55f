"""``toolkit batch TRACKER --term TERM``: every report of the term, in parallel (``make reports``).

Each run writes a new folder ``<out>/<term-slug>/run-<UTC time>/`` (staged as
``run-<time>.incomplete/`` until it ends), so a re-run never overwrites an earlier run's
reports; ``<out>/<term-slug>/latest`` and ``<out>/<term-slug>/index.html`` point at the
newest complete run. Exit code: 0 all made, 1 something failed (listed), 2 bad input,
130 / 143 interrupted by SIGINT (Ctrl-C) / SIGTERM: the workers, kernels and browsers are
ended within seconds and the run stays ``run-<time>.incomplete`` with its finished reports.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from toolkit.commands._common import add_tracker_arguments, iso_date, open_tracker, parsed
from toolkit.reports.pdf import ENGINES

NAME = "batch"
HELP = "Make every report of a term (HTML + PDF), calendars and a summary, in parallel."
DESCRIPTION = __doc__




@contextlib.contextmanager
def stage(what: str, show: bool = True) -> Iterator[None]:
    """Say what the batch is doing from its first second; in a terminal, count the seconds.

    Reading a 1,000-school tracker takes a while: without this the batch showed nothing at all.
    """
    if not show:
        yield
        return
    started = time.perf_counter()
    done = threading.Event()
    tty = sys.stderr.isatty()
    print(f"{what} ...", end="" if tty else "\n", file=sys.stderr, flush=True)

    def tick() -> None:
        while not done.wait(1.0):
            print(f"\r{what} ... {time.perf_counter() - started:.0f} s", end="", file=sys.stderr, flush=True)

    ticker = threading.Thread(target=tick, daemon=True) if tty else None
    if ticker is not None:
        ticker.start()
    try:
        yield
    finally:
        done.set()
        if ticker is not None:
            ticker.join()
        end = f"\r{what} ... " if tty else f"{what}: "
        print(f"{end}done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_tracker_arguments(parser)
    parser.add_argument(
        "--term", required=True, help="The term, e.g. '2026/27 Autumn' or 2026-27-autumn."
    )
    parser.add_argument(
        "--out", type=Path, default=Path("outputs"), help="Output folder (default: outputs)."
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="Worker processes (default: one per core)."
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="Seconds one report may take, running its notebook and printing its PDF (default 600). "
        "A report that takes longer fails alone; its kernel and browser are replaced.",
    )
    parser.add_argument(
        "--schools", type=int, nargs="+", metavar="URN", help="Only these schools' reports."
    )
    parser.add_argument(
        "--as-of", type=iso_date, default=None, help="The date reports are 'as of' (default: today)."
    )
    parser.add_argument(
        "--pdf-engine",
        choices=sorted(ENGINES),
        default=None,
        help="How PDFs are printed (default: chromium if installed, else weasyprint).",
    )
    parser.add_argument(
        "--visits", type=Path, default=None,
        help="A workbook written by collect-visits: the LSIP summary and Progress Board packs use its visit reports.",
    )
    parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bar.")


# The run index lists this many warnings one by one, then one line per kind for the rest.
INDEX_WARNINGS_LISTED = 50


def data_quality_text(tracker) -> str:  # noqa: ANN001
    """The run index's "Data quality" section: the count, then every warning on its own line."""
    warnings = tracker.report.warnings
    if not warnings:
        return "The tracker passed validation with no warnings."
    head = (f"The tracker has {len(warnings)} warning(s); the reports use the data as it is "
            "and each report lists the ones that touch it.")
    return "\n".join([head, *tracker.report.summary_lines(warnings, first=INDEX_WARNINGS_LISTED)])


def run(args: argparse.Namespace) -> int:
    from toolkit import batch
    from toolkit.batch.imports import skip_unused_imports

    skip_unused_imports()

    try:
        with batch.interruptible():
            return _run(args)
    except batch.Interrupted as stop:  # outside the pool (reading, planning): nothing to clean up
        print(f"Interrupted ({stop}).", file=sys.stderr)
        return stop.exit_code


def _run(args: argparse.Namespace) -> int:
    from toolkit import __version__, batch
    from toolkit.calendar.terms import Term
    from toolkit.outputs import sha256_file

    term = parsed(Term.parse, args.term)
    if args.pdf_engine:  # read by every worker process
        os.environ["TOOLKIT_PDF_ENGINE"] = args.pdf_engine
    as_of = args.as_of or dt.date.today()
    with stage(f"Reading {args.tracker.name}", not args.no_progress):
        tracker = open_tracker(args.tracker, args.policy, strict=args.strict)
    if args.visits is not None and not args.visits.is_file():
        print(f"error: the collected visits workbook {args.visits} does not exist.", file=sys.stderr)
        return 2
    try:
        with stage("Planning the term's reports", not args.no_progress):
            plan = batch.plan_term(
                tracker, args.tracker, term, as_of, urns=args.schools, policy_path=args.policy,
                visits_path=args.visits,
            )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    term_dir = args.out / term.slug
    sha = getattr(tracker, "sha256", None) or sha256_file(args.tracker)
    provenance = {
        "Tracker file": args.tracker.name,
        "Tracker SHA-256": sha,
        "Term": term.label,
        "As of": as_of.isoformat(),
        "Schools": ", ".join(map(str, args.schools)) if args.schools else "all",
        **({"Collected visit reports": args.visits.name} if args.visits else {}),
        "Toolkit version": __version__,
        "Started (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    from toolkit.batch.runfolder import DATA_QUALITY

    provenance[DATA_QUALITY] = data_quality_text(tracker)
    data_problems: list[str] = []

    def before(run_dir: Path) -> list[tuple[str, str]]:
        links, problems = batch.write_term_data(run_dir, tracker, term, as_of)
        data_problems.extend(problems)
        return links

    started = time.perf_counter()
    print(f"Making {len(plan.jobs)} reports for {term.label} in {term_dir} ...", file=sys.stderr)
    outcome = batch.execute_run(
        plan.jobs,
        term_dir,
        title=f"{tracker.policy.trust.name}: reports for {term.label}",
        workers=args.workers,
        timeout=args.timeout,
        cwd=str(batch.NOTEBOOKS_DIR),
        before=before,
        provenance=provenance,
        progress=not args.no_progress,
        problems=data_problems,
    )
    elapsed = time.perf_counter() - started
    if outcome.interrupted is not None:
        print(
            f"Interrupted ({outcome.interrupted}): {outcome.made} of {len(plan.jobs)} reports made "
            f"in {elapsed:.1f} s, kept in {outcome.run_dir} (marked incomplete; `latest` is unchanged).",
            file=sys.stderr,
        )
        return outcome.interrupted.exit_code
    ok = outcome.made
    print(
        f"{ok} of {len(plan.jobs)} reports made in {elapsed:.1f} s: {outcome.run_dir / 'index.html'}"
    )
    problems = [
        f"notebook {nb} is missing from {batch.NOTEBOOKS_DIR}" for nb in plan.missing
    ] + data_problems
    problems += [r.describe() for r in outcome.failures]
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    return 0
