"""Benchmark: `toolkit batch` against the naive way of making a term's reports.

Naive way (what a person would script): school by school, serially, for each report run
the papermill CLI, then the nbconvert CLI with the report template, then WeasyPrint's CLI
for the PDF. Each step starts a new Python process (and papermill a new kernel).

The batch: worker processes (one per core), each with a warm kernel re-running the
parameterised notebook, and one PDF engine per worker (Chromium by default, see toolkit.reports.pdf).

Printed for 12 and 100 schools: wall time, time per report, CPU time, peak memory (the
largest single process, from RUSAGE_CHILDREN, and the whole process tree, sampled from
/proc). The naive way at 100 schools would take well over half an hour, so by default it is
run at 12 schools only and its per-report time is extrapolated to 100 (said in the output);
pass --naive-all to run it at every size.

    .venv/bin/python benchmarks/bench_batch.py [--sizes 12 100] [--naive-all]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TERM = "2026/27 Autumn"
AS_OF = "2026-11-23"


# --------------------------------------------------------------------------- measuring a command


def _tree_rss_kb(root_pid: int) -> int:
    """Sum of RSS over ``root_pid`` and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        p = frontier.pop()
        for child, parent in parents.items():
            if parent == p and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0) for p in tree)


def measure_child(cmd: list[str]) -> None:
    """(--measure mode) Run ``cmd``; print wall, CPU and peak memory of it and its descendants."""
    peak = [0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "rc": proc.returncode,
                "wall": wall,
                "cpu": usage.ru_utime + usage.ru_stime,
                "max_process_rss_mb": usage.ru_maxrss / 1024,
                "peak_tree_rss_mb": peak[0] / 1024,
                "stderr": err[-2000:] if proc.returncode else "",
            }
        )
    )


def measure(cmd: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", "--", *cmd],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_many(cmds: list[list[str]]) -> dict:
    """Run commands one after another (the naive way) in one measured shell script."""
    script = Path(tempfile.mkstemp(suffix=".sh")[1])
    script.write_text(
        "set -e\n"
        + "\n".join(" ".join(_quote(c) for c in cmd) + " >/dev/null 2>&1" for cmd in cmds)
        + "\n"
    )
    try:
        return measure(["bash", str(script)])
    finally:
        script.unlink()


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


# --------------------------------------------------------------------------- the two ways


def batch_way(tracker: Path, out: Path, urns: list[int] | None = None) -> dict:
    cmd = [
        str(BIN / "toolkit"),
        "batch",
        str(tracker),
        "--term",
        TERM,
        "--out",
        str(out),
        "--as-of",
        AS_OF,
        "--no-progress",
    ]
    if urns:
        cmd += ["--schools", *map(str, urns)]
    return measure(cmd)


def naive_commands(tracker: Path, out: Path, urns: list[int]) -> list[list[str]]:
    """The same reports as the batch, one CLI process per step, school by school."""
    out.mkdir(parents=True, exist_ok=True)
    nbdir = ROOT / "notebooks"
    plan: list[tuple[str, str, dict[str, str]]] = [
        (
            "standards_committee",
            "standards-committee",
            {"tracker": str(tracker), "term": TERM, "as_of": AS_OF},
        ),
        ("lsip_summary", "lsip-summary", {"tracker": str(tracker), "term": TERM, "as_of": AS_OF}),
    ]
    for urn in urns:
        plan.append(
            (
                "designation_review",
                f"{urn}-designation-review",
                {"tracker_path": str(tracker), "urn": str(urn), "term": TERM, "as_of": AS_OF},
            )
        )
        plan.append(
            (
                "progress_board_pack",
                f"{urn}-progress-board-pack",
                {"tracker": str(tracker), "urn": str(urn), "term": TERM, "as_of": AS_OF},
            )
        )
    cmds = []
    for nb, stem, params in plan:
        executed = out / f"{stem}.ipynb"
        pm = [
            str(BIN / "papermill"),
            str(nbdir / f"{nb}.ipynb"),
            str(executed),
            "-k",
            "python3",
            "--cwd",
            str(nbdir),
            "--no-progress-bar",
        ]
        for k, v in params.items():
            pm += ["-r" if k != "urn" else "-p", k, v]
        cmds.append(pm)
        cmds.append(
            [
                str(BIN / "jupyter"),
                "nbconvert",
                "--to",
                "html",
                "--no-input",
                f"--TemplateExporter.extra_template_basedirs={ROOT / 'templates'}",
                "--template",
                "report",
                str(executed),
                "--output",
                str(out / f"{stem}.html"),
            ]
        )
        cmds.append([str(BIN / "weasyprint"), str(out / f"{stem}.html"), str(out / f"{stem}.pdf")])
    return cmds


def naive_way(tracker: Path, out: Path, urns: list[int]) -> dict:
    return measure_many(naive_commands(tracker, out, urns))


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[12, 100])
    ap.add_argument(
        "--naive-all", action="store_true", help="run the naive way at every size (slow)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT))
    from toolkit.tracker.sample import write_sample

    tmp = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    rows: list[dict] = []
    naive_per_report: float | None = None
    print(
        f"cores: {os.cpu_count()}  (load average now {os.getloadavg()[0]:.1f}: other work on the machine slows both ways)"
    )
    try:
        for n in args.sizes:
            tracker = tmp / f"trust-{n}" / "tracker.xlsx"
            tracker.parent.mkdir(parents=True)
            write_sample(tracker, n_schools=n)
            reports = 2 * n + 2
            b = batch_way(tracker, tmp / f"trust-{n}" / "batch")
            if b["rc"] != 0:
                print(f"batch failed at {n} schools:\n{b['stderr']}")
            rows.append({"schools": n, "way": "batch", "reports": reports, **b})
            if n == max(args.sizes) and n > min(args.sizes):
                # Same (large) tracker, only the smallest size's schools: separates the cost per
                # school's reports from the cost of a bigger tracker (read, summary, calendars).
                from toolkit.tracker.reader import read_tracker

                k = min(args.sizes)
                some = sorted(int(u) for u in read_tracker(tracker).schools["urn"])[:k]
                sb = batch_way(tracker, tmp / f"trust-{n}" / "batch-subset", some)
                rows.append({"schools": k, "way": f"batch, {k} of {n}", "reports": 2 * k + 2, **sb})
            if naive_per_report is None or args.naive_all:
                from toolkit.tracker.reader import read_tracker

                urns = sorted(int(u) for u in read_tracker(tracker).schools["urn"])
                nv = naive_way(tracker, tmp / f"trust-{n}" / "naive", urns)
                if nv["rc"] != 0:
                    print(f"naive way failed at {n} schools:\n{nv['stderr']}")
                naive_per_report = nv["wall"] / reports
                rows.append({"schools": n, "way": "naive", "reports": reports, **nv})
            else:
                rows.append(
                    {
                        "schools": n,
                        "way": "naive (extrapolated)",
                        "reports": reports,
                        "wall": naive_per_report * reports,
                        "cpu": float("nan"),
                        "max_process_rss_mb": float("nan"),
                        "peak_tree_rss_mb": float("nan"),
                    }
                )
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(
        f"{'schools':>7} {'way':<21} {'reports':>7} {'wall s':>8} {'s/report':>8} {'CPU s':>8} {'max proc MB':>11} {'tree MB':>8}"
    )
    for r in rows:
        print(
            f"{r['schools']:>7} {r['way']:<21} {r['reports']:>7} {r['wall']:>8.1f} {r['wall'] / r['reports']:>8.2f} "
            f"{r['cpu']:>8.1f} {r['max_process_rss_mb']:>11.0f} {r['peak_tree_rss_mb']:>8.0f}"
        )
    by = {(r["schools"], r["way"].split(" ")[0]): r for r in rows if " of " not in r["way"]}
    subset = next((r for r in rows if " of " in r["way"]), None)
    sizes = sorted(args.sizes)
    if (sizes[0], "naive") in by and (sizes[0], "batch") in by:
        speed = by[(sizes[0], "naive")]["wall"] / by[(sizes[0], "batch")]["wall"]
        print(f"\nspeed-up at {sizes[0]} schools: {speed:.1f}x (target: at least 4x)")
    if len(sizes) >= 2:
        lo, hi = by[(sizes[0], "batch")], by[(sizes[-1], "batch")]
        marginal = (hi["wall"] - lo["wall"]) / (sizes[-1] - sizes[0])
        print(
            f"marginal wall time per school (both reports, HTML and PDF), {sizes[0]} -> {sizes[-1]} schools: "
            f"{marginal:.2f} s (target: at most 1 s)"
        )
        print(
            f"largest process: {lo['max_process_rss_mb']:.0f} MB at {sizes[0]} schools, {hi['max_process_rss_mb']:.0f} MB at {sizes[-1]}; "
            f"process tree: {lo['peak_tree_rss_mb']:.0f} MB and {hi['peak_tree_rss_mb']:.0f} MB"
        )
        cores = os.cpu_count() or 1
        cpu_marginal = (hi["cpu"] - (subset or lo)["cpu"]) / (sizes[-1] - sizes[0])
        print(
            f"marginal CPU per school: {cpu_marginal:.2f} CPU-s, i.e. {cpu_marginal / cores:.2f} s of wall time "
            f"on {cores} otherwise idle cores (wall times above include other load on the machine)"
        )
        if subset is not None:
            same = (hi["wall"] - subset["wall"]) / (sizes[-1] - sizes[0])
            print(
                f"marginal wall time per school on the same {sizes[-1]}-school tracker "
                f"({sizes[0]} vs {sizes[-1]} schools' reports): {same:.2f} s; largest process "
                f"{subset['max_process_rss_mb']:.0f} MB vs {hi['max_process_rss_mb']:.0f} MB "
                "(memory follows the tracker's size, not the number of reports)"
            )
        if not args.naive_all:
            print(
                f"(naive way at {sizes[-1]} schools extrapolated from its {sizes[0]}-school time per report, not run)"
            )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        measure_child(sys.argv[3:])
        raise SystemExit(0)
    raise SystemExit(main())
