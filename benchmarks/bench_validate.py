"""Benchmark: validating a 1,000-school tracker, calamine + vectorised parsing vs the naive way.

The toolkit's way (``toolkit.tracker.reader.read_tracker``) reads cell values with python-calamine
and parses each column at once with pandas. The naive way loads the workbook with openpyxl
and parses every cell with a Python function. Both run here on the same file; the script
prints the rows, the seconds and the speed-up.

    .venv/bin/python benchmarks/bench_validate.py [--schools 1000] [--repeat 3]

The generated tracker is cached in /tmp (by school count) so reruns skip generation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import openpyxl
import pandas as pd
from sample_trusts import tracker_file  # benchmarks/ is on sys.path when run as a script

from toolkit.tracker.reader import validate_tracker
from toolkit.tracker.schema import SHEETS, SUPPRESSION_CODES, VOCABULARIES, Column, Kind

# --------------------------------------------------------------------------- the naive way


def naive_cell(col: Column, value: object) -> object:
    """Parse one cell the obvious way: a Python branch per kind, per cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().lower() in SUPPRESSION_CODES:
        return None
    if col.kind in (Kind.NUMBER, Kind.INT, Kind.PERCENT, Kind.URN):
        try:
            number = float(str(value).strip().rstrip("%"))
        except ValueError:
            return None
        return number * 100 if col.kind is Kind.PERCENT and number <= 1 else number
    if col.kind is Kind.DATE:
        if isinstance(value, dt.datetime | dt.date):
            return pd.Timestamp(value)
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d %b %Y"):
            try:
                return pd.Timestamp(dt.datetime.strptime(str(value).strip(), fmt))
            except ValueError:
                continue
        return None
    if col.kind in (Kind.CHOICE, Kind.YESNO):
        lookup = {v.casefold(): v for v in VOCABULARIES[col.vocab or "yesno"]}
        return lookup.get(str(value).strip().casefold())
    return str(value).strip()


def naive_read(path: Path) -> dict[str, pd.DataFrame]:
    wb = openpyxl.load_workbook(path, data_only=True)
    tables = {}
    for spec in SHEETS:
        ws = wb[spec.title]
        rows = ws.iter_rows()
        header = [c.value for c in next(rows)]
        where = {c.key: header.index(c.header) for c in spec.columns if c.header in header}
        records = []
        for cells in rows:
            if all(c.value is None for c in cells):
                continue
            records.append({c.key: naive_cell(c, cells[where[c.key]].value) for c in spec.columns if c.key in where})
        tables[spec.key] = pd.DataFrame(records)
    return tables


# --------------------------------------------------------------------------- run


def best_of(repeat: int, fn):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = tracker_file(args.schools)
    fast, (tracker, report) = best_of(args.repeat, lambda: validate_tracker(path))
    rows = sum(len(t) for t in tracker.tables.values())
    print(f"tracker: {path.name}, {path.stat().st_size / 1e6:.1f} MB, {rows:,} data rows, "
          f"{len(report.errors)} errors, {len(report.warnings)} warnings")
    print(f"toolkit (calamine + vectorised, full validation): {fast:.2f} s  (best of {args.repeat})")
    slow, naive = best_of(1, lambda: naive_read(path))
    naive_rows = sum(len(t) for t in naive.values())
    print(f"naive (openpyxl cell by cell, parsing only):     {slow:.2f} s  ({naive_rows:,} rows)")
    print(f"speed-up: {slow / fast:.1f}x")
    assert naive_rows == rows, "both readers must see the same rows"


if __name__ == "__main__":
    main()
