"""Benchmark, in the browser: the LSIP's app (``make app``) as Chromium sees it.

Measured against the Voilà app served exactly as ``make app`` serves it
(``toolkit.reports.app.command``), driven by Playwright in the system Chromium:

- *app start to first render*: from starting the server to the proposal on screen (server
  start, kernel start, reading the tracker, every section drawn);
- *what-if update*: pick a judgement, until the result beside the pickers has changed
  (target p95 under 200 ms);
- *school switch*: pick a school, until the header of the re-rendered review names it and
  every section is redrawn (target under 1 s).

The naive ways, timed in the same run:

- for a school: re-run the whole notebook for it (open the app's link for that school,
  ``?urn=...``, which starts a kernel, reads the tracker and draws everything);
- for a what-if: re-read the tracker and recompute (what a panel that kept nothing would do),
  timed in this process without the browser's share.

Also the memory of the app's whole process tree (server and kernel), PSS and USS.

    .venv/bin/python benchmarks/bench_interactive.py [--repeat 20]

Exits 1 if the what-if p95 or the school-switch p95 (after the app has settled) is over
its target. The what-if straight after start, while the other schools are drawn in the
background, and a school drawn from nothing are reported beside them.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.reports.app import descendants, start, stop  # noqa: E402
from toolkit.reports.interactive import result_card  # noqa: E402
from toolkit.reports.pdf import CHROMIUM_ARGS, chromium_executable  # noqa: E402

WHAT_IF_BUDGET_MS = 200.0
SWITCH_BUDGET_MS = 1000.0
SAMPLE = ROOT / "inputs" / "sample_tracker.xlsx"
TERM = "2026/27 Autumn"
SCHOOLS = ["Brookside Primary School (900001)", "Castle Hill Academy (900006)", "Millbrook Academy (900009)", "Ridgeway High School and Sixth Form (900005)"]
QI6 = "QI6 Climate for learning"
STEPS = ["Stabilise", "Repair", "Improve", "Sustain"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def p95(ms: list[float]) -> float:
    return statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) >= 2 else ms[0]


def line(name: str, ms: list[float]) -> str:
    return f"{name:<46} median {statistics.median(ms):8.1f} ms   p95 {p95(ms):8.1f} ms   worst {max(ms):8.1f} ms   ({len(ms)} runs)"


def tree_memory(pid: int) -> tuple[float, float]:
    """PSS and USS in MB of the server and every process under it (the kernel)."""
    pss = uss = 0
    for p in (pid, *descendants(pid)):
        with contextlib.suppress(OSError):
            for row in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                name, _, rest = row.partition(":")
                kb = int(rest.split()[0]) if rest.split() and rest.split()[0].isdigit() else 0
                if name == "Pss":
                    pss += kb
                elif name in ("Private_Clean", "Private_Dirty"):
                    uss += kb
    return pss / 1024, uss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--settle", type=float, default=20.0, help="seconds to let the app pre-render the other schools")
    args = ap.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}/voila/render/designation_review.ipynb"
    exe = chromium_executable()
    assert exe, "Chromium is not installed: scripts/system-deps.sh installs it"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        started = time.perf_counter()
        proc = start(port)
        try:
            while True:
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
                    break
                if proc.poll() is not None:
                    raise SystemExit(f"voila exited with {proc.returncode}")
                time.sleep(0.05)
            server_up = time.perf_counter()
            page.goto(url)
            proposal = page.locator('[data-key="proposal"]')
            proposal.wait_for(timeout=120_000)
            first = time.perf_counter()
            print(f"app start to first render {1000 * (first - started):.0f} ms (server up {1000 * (server_up - started):.0f} ms, page to first render {1000 * (first - server_up):.0f} ms)")

            header = page.locator('header[data-section="header"] h1')
            result = page.locator(".tk-result")
            school = page.get_by_label("School", exact=True)

            # what-if: each change alters the result beside the pickers
            page.get_by_label("School", exact=True).select_option(label=SCHOOLS[0])
            page.wait_for_function("() => document.querySelector('header[data-section=header] h1').innerText.includes('Brookside')")
            qi6 = page.get_by_label(QI6, exact=True)

            def what_if_changes(n: int) -> list[float]:
                out = []
                for i in range(n):
                    before = result.inner_text()
                    t0 = time.perf_counter()
                    qi6.select_option(label=STEPS[i % len(STEPS)] if i % 5 != 4 else "as recorded: Sustain")
                    page.wait_for_function("b => document.querySelector('.tk-result').innerText !== b", arg=before, polling="raf")
                    out.append(1000 * (time.perf_counter() - t0))
                return out

            # straight away, while the app draws the other schools in the background ...
            early = what_if_changes(max(5, args.repeat // 2))
            # ... and once it has settled (an LSIP reads the first page for a while)
            time.sleep(args.settle)
            what_ifs = what_if_changes(args.repeat)

            # school switch: the whole review is re-rendered for the new school
            switches = []
            for i in range(args.repeat):
                name = SCHOOLS[(i + 1) % len(SCHOOLS)]
                t0 = time.perf_counter()
                school.select_option(label=name)
                short = name.split(" (")[0]
                page.wait_for_function("n => document.querySelector('header[data-section=header] h1').innerText.endsWith(n)", arg=short, polling="raf")
                switches.append(1000 * (time.perf_counter() - t0))
            assert header.inner_text().endswith(SCHOOLS[args.repeat % len(SCHOOLS)].split(" (")[0])
            pss, uss = tree_memory(proc.pid)

            # naive school switch: re-run the whole notebook for the school (the app's link)
            naive_switch = []
            for i in range(max(2, args.repeat // 10)):
                urn = SCHOOLS[i % len(SCHOOLS)].split("(")[1].rstrip(")")
                t0 = time.perf_counter()
                page.goto(f"{url}?urn={urn}")
                page.locator('[data-key="proposal"]').wait_for(timeout=120_000)
                naive_switch.append(1000 * (time.perf_counter() - t0))
        finally:
            browser.close()
            stop(proc)

    # naive what-if: re-read the tracker and recompute, in this process (no browser share)
    from toolkit.assessment.designation import assess_school, what_if
    from toolkit.tracker.reader import read_tracker

    naive_what_if = []
    for i in range(max(3, args.repeat // 4)):
        t0 = time.perf_counter()
        t = read_tracker(SAMPLE)
        result_card(assess_school(t, 900001, TERM), what_if(t, 900001, TERM, {"qi6": STEPS[i % 4]}))
        naive_what_if.append(1000 * (time.perf_counter() - t0))

    # a school drawn from nothing (no page kept), in this process: what a first visit costs
    from toolkit.reports.interactive import full_review
    from toolkit.reports.review import review_for

    cold = []
    for i in range(4):
        t0 = time.perf_counter()
        full_review(review_for(t, int(SCHOOLS[i].split("(")[1].rstrip(")")), TERM))
        cold.append(1000 * (time.perf_counter() - t0))

    print(line("what-if update in the browser", what_ifs))
    print(line("  ... while the app pre-renders", early))
    print(line("naive what-if: re-read tracker + recompute", naive_what_if))
    print(line("school switch, every section re-rendered", switches))
    print(line("  a school drawn from nothing (in process)", cold))
    print(line("naive school switch: re-run the notebook", naive_switch))
    print(f"speed-up: what-if {statistics.median(naive_what_if) / statistics.median(what_ifs):.1f}x, school switch {statistics.median(naive_switch) / statistics.median(switches):.1f}x")
    print(f"app process tree (server + kernel): PSS {pss:.0f} MB, USS {uss:.0f} MB")
    ok = p95(what_ifs) < WHAT_IF_BUDGET_MS and p95(switches) < SWITCH_BUDGET_MS
    print(f"targets: what-if p95 < {WHAT_IF_BUDGET_MS:.0f} ms, school switch p95 < {SWITCH_BUDGET_MS:.0f} ms: {'met' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
