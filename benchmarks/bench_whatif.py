"""Benchmark: a what-if change to indicator judgements, against recomputing the naive way.

The designation review's what-if panel must answer at once (the issue: under 200 ms).
``toolkit.assessment.designation.what_if`` reuses the data already gathered for the school
(inspections, data suggestions, history) and recomputes only the proposal, the exit rule,
the risk and the support package. Two naive ways are timed in the same run:

- *re-read*: read and validate the tracker workbook again, then assess from scratch;
- *from scratch*: assess from the in-memory tracker with nothing reused.

    .venv/bin/python benchmarks/bench_whatif.py [--schools 10] [--repeat 20]

Prints median and worst times for each and the speed-up; exits 1 if the median of a what-if
change plus rendering the panel is over the 200 ms budget. The generated tracker is cached in /tmp by school count.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from sample_trusts import tracker_file  # benchmarks/ is on sys.path when run as a script

from toolkit.assessment.designation import _build_context, _term, assess_school, what_if
from toolkit.reports.interactive import what_if_summary
from toolkit.tracker.reader import read_tracker

BUDGET_MS = 200.0
TERM = "2026/27 Autumn"
# The what-if changes cycled through: each is a different judgement set for the proposal.
CHANGES = [{"qi6": "Stabilise"}, {"qi1": "Sustain", "qi2": "Sustain"}, {"Climate": "Improve", "qi3": "Repair"}, {}]


def timed(fn, repeat: int) -> list[float]:
    out = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def line(name: str, ms: list[float]) -> str:
    return f"{name:<32} median {statistics.median(ms):9.2f} ms   worst {max(ms):9.2f} ms   ({len(ms)} runs)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    path = tracker_file(args.schools)
    tracker = read_tracker(path)
    # The first school (Sustain in the sample, so a what-if change moves its proposal).
    urn = int(tracker.schools["urn"].iloc[0])
    term = _term(TERM)
    start = time.perf_counter()
    base = assess_school(tracker, urn, term)
    print(f"{args.schools} schools; school {urn}; first assessment (fills the cache) {1000 * (time.perf_counter() - start):.1f} ms")

    fast = timed(lambda i: what_if(tracker, urn, term, CHANGES[i % len(CHANGES)]), args.repeat)
    panel = timed(lambda i: what_if_summary(what_if(tracker, urn, term, CHANGES[i % len(CHANGES)]))._repr_html_(), args.repeat)

    def from_scratch(i: int) -> None:
        from toolkit.assessment.designation import _assess

        _assess(_build_context(tracker, urn, term), {k: v for k, v in CHANGES[i % len(CHANGES)].items() if k.startswith("qi")})

    scratch = timed(from_scratch, max(3, args.repeat // 4))

    def reread(i: int) -> None:
        fresh = read_tracker(path)
        what_if(fresh, urn, term, CHANGES[i % len(CHANGES)])

    naive = timed(reread, max(2, args.repeat // 10))

    print(line("what_if (reuses school data)", fast))
    print(line("what_if + render the panel", panel))
    print(line("naive: assess from scratch", scratch))
    print(line("naive: re-read tracker + assess", naive))
    print(f"speed-up vs from scratch: {statistics.median(scratch) / statistics.median(fast):.0f}x; "
          f"vs re-read: {statistics.median(naive) / statistics.median(fast):.0f}x")
    changed = what_if(tracker, urn, term, {"qi6": "Stabilise", "qi3": "Stabilise", "qi4": "Stabilise", "qi5": "Stabilise"})
    print(f"example: proposal {base.proposed} -> {changed.proposed}; SIP days {base.proposed_package.get('sip_days_per_year')} -> {changed.proposed_package.get('sip_days_per_year')}")
    ok = statistics.median(panel) < BUDGET_MS
    print(f"budget {BUDGET_MS:.0f} ms: {'within' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
