"""Calendar rules at trust scale: schedule + compliance for a 1,000-school sample trust.

Compares the toolkit's column-wise working-day arithmetic (numpy business-day calendar,
one call per column) with the naive way (a Python loop stepping one day at a time and
looking each day up in the bank-holiday set), on the same visits, and checks both give
the same deadlines. Run: .venv/bin/python benchmarks/bench_calendar.py [N_SCHOOLS]
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import holidays
import pandas as pd

from toolkit.calendar.compliance import compliance
from toolkit.calendar.schedule import build_schedule, visit_deadlines
from toolkit.calendar.workingdays import TrustCalendar
from toolkit.policy import default_policy
from toolkit.tracker.model import Tracker
from toolkit.tracker.sample import generate
from toolkit.tracker.schema import SHEETS, Kind

AS_OF = dt.date(2026, 11, 23)


def tracker_from_rows(rows: dict[str, list[dict]]) -> Tracker:
    """Typed tables straight from the generator's rows (no Excel round trip)."""
    tables = {}
    for spec in SHEETS:
        df = pd.DataFrame(rows.get(spec.key, []), columns=spec.keys)
        for c in spec.columns:
            if c.kind is Kind.DATE:
                df[c.key] = pd.to_datetime(df[c.key])
            elif c.kind is Kind.YESNO:
                df[c.key] = df[c.key].map({"Yes": True, "No": False, True: True, False: False}).astype(object)
        df.insert(0, "_row", range(2, len(df) + 2))
        tables[spec.key] = df
    return Tracker(tables, policy=default_policy())


def naive_deadlines(visits: pd.DataFrame, after: int, before: int) -> tuple[list, list]:
    """Step day by day, checking weekday and the bank-holiday set, one visit at a time."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2029))
    report, paper = [], []
    for start, end in zip(visits["visit_start"], visits["visit_end"].fillna(visits["visit_start"]), strict=True):
        d, n = end.date(), 0
        while n < after:
            d += dt.timedelta(days=1)
            if d.weekday() < 5 and d not in bank:
                n += 1
        report.append(d)
        d, n = start.date(), 0
        while n < before:
            d -= dt.timedelta(days=1)
            if d.weekday() < 5 and d not in bank:
                n += 1
        paper.append(d)
    return report, paper


def timed(label: str, fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    print(f"  {label:<46} {time.perf_counter() - t0:8.2f} s")
    return out


def main(n_schools: int = 1000) -> None:
    print(f"Calendar benchmark: {n_schools} schools")
    trust = timed("generate sample rows", generate, n_schools)
    tracker = tracker_from_rows(trust.rows)
    visits = tracker.visits
    print(f"  {len(visits):,} visits, {len(tracker.meetings):,} meetings")
    policy = tracker.policy.calendar

    cal = TrustCalendar.from_tracker(tracker)
    cal.working_days(None).after(dt.date(2026, 1, 1), 1)  # load the bank holidays once, outside the timing
    fast = timed("deadlines, column-wise (toolkit)", visit_deadlines, cal, visits)
    report, paper = timed("deadlines, per-day loop (naive)", naive_deadlines, visits,
                          policy.report_working_days_after, policy.paperwork_working_days_before)
    same = (list(fast["report_due"].dt.date) == report) and (list(fast["paperwork_due"].dt.date) == paper)
    print(f"  same deadlines both ways: {same}")

    events = timed("schedule 2026/27 (all schools + trust)", build_schedule, tracker, "2026/27")
    print(f"  {len(events):,} events")
    findings = timed("compliance, every year to 23 Nov 2026", compliance, tracker, as_of=AS_OF)
    print(f"  {len(findings):,} findings: " + ", ".join(f"{k} {v}" for k, v in findings["kind"].value_counts().items()))
    if not same:
        raise SystemExit("deadlines differ between the toolkit and the naive loop")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
