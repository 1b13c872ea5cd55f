"""Benchmark: collecting 500 completed visit report forms, calamine vs the naive way.

The toolkit's way (``toolkit.visits.collect_forms``) reads each form's two small sheets
with python-calamine and checks every form against the tracker. The naive way opens each
form in full with openpyxl (every cell, style and data validation object) and reads the
same cells. Each way runs in its own fresh process on the same folder; the script prints
seconds (total and per form) and the process's memory (peak RSS, and PSS/USS at the end,
from /proc: each run is one process, so this is its whole process tree).

    .venv/bin/python benchmarks/bench_collect_visits.py [--forms 500] [--schools 100]

The completed forms are generated once from the 100-school sample trust and cached in /tmp.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from sample_trusts import (  # benchmarks/ is on sys.path when run as a script
    CACHE,
    generator_digest,
    tracker_file,
)


def forms_folder(n_forms: int, n_schools: int) -> Path:
    """``n_forms`` completed forms for the generated trust's held visits (cached)."""
    from toolkit.tracker.reader import read_tracker
    from toolkit.visits.forms import plan_forms, write_form
    from toolkit.visits.sample import sample_answers

    folder = CACHE / f"visit-forms-{n_schools}-{n_forms}-{generator_digest('visits')}"
    if folder.is_dir() and len(list(folder.glob("*.xlsx"))) == n_forms:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    tracker = read_tracker(tracker_file(n_schools))
    starts = tracker.visits["visit_start"].dropna()
    written = 0
    for form in plan_forms(tracker, starts.min().date(), starts.max().date()):
        answers = sample_answers(tracker, form)
        if answers is None:
            continue
        write_form(folder / form.file_name, form, answers)
        written += 1
        if written == n_forms:
            break
    if written < n_forms:
        raise SystemExit(f"only {written} held visits in the {n_schools}-school trust; use more --schools")
    return folder


def memory() -> dict[str, float]:
    """This process's peak RSS, and its PSS and USS now, in MB."""
    out = {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        fields[key] = float(rest.split()[0]) / 1024
    out["pss_mb"] = fields.get("Pss", 0.0)
    out["uss_mb"] = fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0)
    return out


def run_toolkit(folder: Path, tracker_path: Path) -> dict:
    from toolkit.tracker.reader import read_tracker
    from toolkit.visits.collect import collect_forms

    start = time.perf_counter()
    tracker = read_tracker(tracker_path)
    read = time.perf_counter() - start
    start = time.perf_counter()
    got = collect_forms(folder, tracker)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "tracker_seconds": read, "rows": len(got.rows), "problems": len(got.report.problems), **memory()}


def run_naive(folder: Path) -> dict:
    import openpyxl

    from toolkit.visits.layout import ANSWERS, FORM_SHEET, META_SHEET

    start = time.perf_counter()
    rows = 0
    for path in sorted(folder.glob("*.xlsx")):
        wb = openpyxl.load_workbook(path)  # the whole workbook: every cell, style and validation
        meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows(max_col=2)}
        ws = wb[FORM_SHEET]
        values = {f.key: ws[f.cell].value for f in ANSWERS}
        rows += bool(meta.get("reference") and values.get("report_sent"))
    return {"seconds": time.perf_counter() - start, "rows": rows, **memory()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=500)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--child", choices=("toolkit", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_toolkit(args.folder, tracker_file(args.schools)) if args.child == "toolkit" else run_naive(args.folder)
        print(json.dumps(result))
        return
    folder = forms_folder(args.forms, args.schools)
    results = {}
    for way in ("toolkit", "naive"):
        proc = subprocess.run([sys.executable, __file__, "--child", way, "--folder", str(folder), "--schools", str(args.schools)],
                              capture_output=True, text=True, check=True)
        results[way] = json.loads(proc.stdout.strip().splitlines()[-1])
    t, n = results["toolkit"], results["naive"]
    print(f"{args.forms} completed forms ({args.schools}-school sample trust), each way in a fresh process:")
    print(f"toolkit (calamine, two sheets, every check): {t['seconds']:.2f} s = {1000 * t['seconds'] / args.forms:.1f} ms a form "
          f"(+ {t['tracker_seconds']:.2f} s reading the tracker once); {t['rows']} rows, {t['problems']} problems; "
          f"peak RSS {t['peak_rss_mb']:.0f} MB, PSS {t['pss_mb']:.0f} MB, USS {t['uss_mb']:.0f} MB")
    print(f"naive (openpyxl, whole workbook, no checks): {n['seconds']:.2f} s = {1000 * n['seconds'] / args.forms:.1f} ms a form; "
          f"peak RSS {n['peak_rss_mb']:.0f} MB, PSS {n['pss_mb']:.0f} MB, USS {n['uss_mb']:.0f} MB")
    print(f"speed-up: {n['seconds'] / t['seconds']:.1f}x")
    assert t["rows"] == n["rows"] == args.forms, "both ways must read every form"


if __name__ == "__main__":
    main()
