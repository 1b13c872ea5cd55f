"""Benchmark: `toolkit batch` against the naive way of making a term's reports.

Naive way (what a person would script): school by school, serially, for each report run
the papermill CLI, then the nbconvert CLI with the report template, then WeasyPrint's CLI
for the PDF. Each step starts a new Python process (and papermill a new kernel).

The batch: worker processes (one per core), each with a warm kernel re-running the
parameterised notebook, and one PDF engine per worker (Chromium by default, see toolkit.reports.pdf).

Printed for 12 and 100 schools (and 1,000 with ``--sizes 12 100 1000``): wall time, time
per report, CPU time, and the peak memory of the whole process tree (PSS and USS summed over
every process, sampled from ``/proc/<pid>/smaps_rollup``; RSS summed is shown only beside them,
since it counts shared pages once per process), with the largest single process. The naive way at 100 schools would take well over half an hour, so by default it is
run at 12 schools only and its per-report time is extrapolated to 100 (said in the output);
pass --naive-all to run it at every size.

    .venv/bin/python benchmarks/bench_batch.py [--sizes 12 100] [--naive-all]

With ``--baseline REV`` (a git revision, e.g. the last release) it instead times this
checkout's batch against REV's batch in the same run on the same machine, alternating the
two ``--rounds`` times at each size, and prints the time per report of each and the change:
how a release is held to "no slower than N% per report". REV's code runs from a temporary
git worktree with this environment's packages, on the same generated trackers.

    .venv/bin/python benchmarks/bench_batch.py --baseline 1496c12 [--sizes 12 100] [--rounds 2]
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
MARKER = "TOOLKIT_BENCH_MARKER"  # set only for the measured command


# --------------------------------------------------------------------------- measuring a command


def _smaps_kb(pid: int) -> tuple[int, int, int]:
    """(PSS, USS, RSS) of one process in kB, from /proc/<pid>/smaps_rollup (Linux)."""
    pss = uss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key == "Pss":
                    pss = int(rest.split()[0])
                elif key in ("Private_Clean", "Private_Dirty", "Private_Hugetlb"):
                    uss += int(rest.split()[0])
                elif key == "Rss":
                    rss = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return pss, uss, rss


def _command_and_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = [a for a in fh.read().split(b"\0") if a]
        if len(args) == 1:  # Chromium rewrites its command line as one string
            args = args[0].split(b" ")
        name = os.path.basename(args[0].decode(errors="replace"))
        extra = next((a.decode() for a in args[1:] if a.startswith(b"--type=")), "")
        if "python" in name and len(args) > 2:
            name += " " + " ".join(a.decode(errors="replace") for a in args[1:3])[:40]
        return f"{name} {extra}".strip()
    except OSError:
        return "?"


def _tree(root_pid: int, marker: str) -> set[int]:
    """The measured command and every process that is its descendant or carries its marker.

    The marker (an environment variable set only for the measured command) also catches
    processes re-parented away from the tree (e.g. a browser's helpers), and never catches
    other people's processes on a shared machine.
    """
    from toolkit.batch.processes import descendants, marked

    return {root_pid} | descendants(root_pid) | marked(MARKER, marker)


def measure_child(cmd: list[str]) -> None:
    """(--measure mode) Run ``cmd``; print wall, CPU and peak memory of it and its descendants.

    Memory is sampled every half second over the whole process tree: the sum of PSS
    (proportional set size: shared pages divided among the processes sharing them) and the
    sum of USS (pages private to one process), both from ``/proc/<pid>/smaps_rollup``. Summing
    RSS would count each shared page (libraries, Chromium's shared memory) once per process.
    """
    import uuid

    marker = uuid.uuid4().hex
    peak = {"pss": 0, "uss": 0, "rss": 0, "proc_pss": 0, "proc_name": "", "processes": 0}
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, MARKER: marker},
    )
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pss = uss = rss = 0
            pids = _tree(proc.pid, marker)
            for pid in pids:
                p, u, r = _smaps_kb(pid)
                pss, uss, rss = pss + p, uss + u, rss + r
                if p > peak["proc_pss"]:
                    peak["proc_pss"], peak["proc_name"] = p, _command_and_name(pid)
            if pss > peak["pss"]:
                peak.update(pss=pss, uss=uss, rss=rss, processes=len(pids))
            peak["uss_max"] = max(peak.get("uss_max", 0), uss)
            done.wait(0.5)

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
                "peak_tree_pss_mb": peak["pss"] / 1024,
                "peak_tree_uss_mb": peak.get("uss_max", 0) / 1024,
                "tree_rss_sum_mb": peak["rss"] / 1024,
                "processes_at_peak": peak["processes"],
                "largest_process_pss_mb": peak["proc_pss"] / 1024,
                "largest_process": peak["proc_name"],
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


def batch_way(
    tracker: Path, out: Path, urns: list[int] | None = None, code: Path | None = None
) -> dict:
    """The toolkit's batch; ``code``: another checkout's toolkit (a baseline) instead of this one."""
    if code is not None:
        return measure(
            ["env", "--chdir", str(code), f"PYTHONPATH={code}", sys.executable, "-m", "toolkit",
             *_batch_args(tracker, out, urns)]
        )
    return measure([str(BIN / "toolkit"), *_batch_args(tracker, out, urns)])


def _batch_args(tracker: Path, out: Path, urns: list[int] | None) -> list[str]:
    cmd = [
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
    return cmd


def baseline_checkout(rev: str, into: Path) -> Path:
    """A detached git worktree of ``rev`` (removed by ``drop_checkout``)."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(into), rev], check=True
    )
    return into


def drop_checkout(path: Path) -> None:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
        check=False,
        capture_output=True,
    )


def compare_with_baseline(rev: str, sizes: list[int], rounds: int, tmp: Path) -> int:
    """This checkout's batch against ``rev``'s, alternating, at each size; prints the change."""
    from sample_trusts import tracker_file

    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev], capture_output=True, text=True, check=True
    ).stdout.strip()
    here = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True
    ).stdout.strip()
    code = baseline_checkout(rev, tmp / "baseline")
    results: dict[tuple[int, str], list[dict]] = {}
    print(f"{'schools':>7} {'code':<22} {'round':>5} {'wall s':>8} {'s/report':>8} {'CPU s':>8} {'CPU s/report':>12}", flush=True)
    try:
        for n in sizes:
            tracker = tracker_file(n)
            reports = 2 * n + 2
            for r in range(rounds):
                for label, checkout in ((f"baseline {commit}", code), (f"this checkout {here}", None)):
                    m = batch_way(tracker, tmp / f"trust-{n}" / label.split()[0] / str(r), code=checkout)
                    if m["rc"] != 0:
                        print(f"{label} failed at {n} schools:\n{m['stderr']}")
                        return 1
                    results.setdefault((n, label), []).append(m)
                    print(
                        f"{n:>7} {label:<22} {r + 1:>5} {m['wall']:>8.1f} {m['wall'] / reports:>8.3f} "
                        f"{m['cpu']:>8.1f} {m['cpu'] / reports:>12.3f}",
                        flush=True,
                    )
    finally:
        drop_checkout(code)
    print()
    for n in sizes:
        reports = 2 * n + 2
        base = [m for (k, label), ms in results.items() if k == n and label.startswith("baseline") for m in ms]
        mine = [m for (k, label), ms in results.items() if k == n and label.startswith("this") for m in ms]
        bw, mw = (min(m["wall"] for m in ms) / reports for ms in (base, mine))
        bc, mc = (min(m["cpu"] for m in ms) / reports for ms in (base, mine))
        print(
            f"{n} schools ({reports} reports), best of {rounds}: {bw:.3f} s a report at {commit}, "
            f"{mw:.3f} s now ({(mw / bw - 1) * 100:+.0f}% wall); CPU {bc:.3f} -> {mc:.3f} s a report "
            f"({(mc / bc - 1) * 100:+.0f}%)"
        )
    return 0


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


NAN_ROW = {
    "cpu": float("nan"),
    "peak_tree_pss_mb": float("nan"),
    "peak_tree_uss_mb": float("nan"),
    "tree_rss_sum_mb": float("nan"),
    "largest_process_pss_mb": float("nan"),
    "largest_process": "",
}
HEADER = (
    f"{'schools':>7} {'way':<21} {'reports':>7} {'wall s':>8} {'s/report':>8} {'CPU s':>8} "
    f"{'tree PSS MB':>11} {'tree USS MB':>11} {'(RSS sum)':>9} {'largest PSS MB':>14}  largest process"
)


def _row_text(r: dict) -> str:
    return (
        f"{r['schools']:>7} {r['way']:<21} {r['reports']:>7} {r['wall']:>8.1f} {r['wall'] / r['reports']:>8.2f} "
        f"{r['cpu']:>8.1f} {r['peak_tree_pss_mb']:>11.0f} {r['peak_tree_uss_mb']:>11.0f} "
        f"{r['tree_rss_sum_mb']:>9.0f} {r['largest_process_pss_mb']:>14.0f}  {r['largest_process']}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[12, 100])
    ap.add_argument(
        "--naive-all", action="store_true", help="run the naive way at every size (slow)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--baseline", metavar="REV", help="compare with this git revision's batch instead")
    ap.add_argument("--rounds", type=int, default=2, help="with --baseline: runs of each, alternating")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from sample_trusts import tracker_file

    from toolkit.tracker.reader import read_tracker

    tmp = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    if args.baseline:
        try:
            print(f"cores: {os.cpu_count()}  (load average now {os.getloadavg()[0]:.1f})")
            return compare_with_baseline(args.baseline, args.sizes, args.rounds, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    rows: list[dict] = []
    naive_per_report: float | None = None
    print(
        f"cores: {os.cpu_count()}  (load average now {os.getloadavg()[0]:.1f}: other work on the machine slows both ways)"
    )
    print(HEADER, flush=True)

    def add(row: dict) -> None:
        rows.append(row)
        print(_row_text(row), flush=True)  # as soon as measured: a long run can be read part-way

    try:
        for n in args.sizes:
            tracker = tracker_file(n)
            reports = 2 * n + 2
            b = batch_way(tracker, tmp / f"trust-{n}" / "batch")
            if b["rc"] != 0:
                print(f"batch failed at {n} schools:\n{b['stderr']}")
            add({"schools": n, "way": "batch", "reports": reports, **b})
            if n == max(args.sizes) and n > min(args.sizes):
                # Same (large) tracker, only the smallest size's schools: separates the cost per
                # school's reports from the cost of a bigger tracker (read, summary, calendars).
                k = min(args.sizes)
                some = sorted(int(u) for u in read_tracker(tracker).schools["urn"])[:k]
                sb = batch_way(tracker, tmp / f"trust-{n}" / "batch-subset", some)
                add({"schools": k, "way": f"batch, {k} of {n}", "reports": 2 * k + 2, **sb})
            if naive_per_report is None or args.naive_all:
                urns = sorted(int(u) for u in read_tracker(tracker).schools["urn"])
                nv = naive_way(tracker, tmp / f"trust-{n}" / "naive", urns)
                if nv["rc"] != 0:
                    print(f"naive way failed at {n} schools:\n{nv['stderr']}")
                naive_per_report = nv["wall"] / reports
                add({"schools": n, "way": "naive", "reports": reports, **nv})
            else:
                add(
                    {
                        "schools": n,
                        "way": "naive (extrapolated)",
                        "reports": reports,
                        "wall": naive_per_report * reports,
                        **NAN_ROW,
                    }
                )
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(HEADER)
    for r in rows:
        print(_row_text(r))
    print(
        "tree PSS/USS: peak over the run of the sum over every process of the run (sampled every "
        "0.5 s from /proc/<pid>/smaps_rollup); RSS sum shown only to compare (it counts shared "
        "pages once per process); largest PSS: the single largest process seen."
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
        for r in (by[(n, "batch")] for n in sizes):
            print(
                f"{r['schools']} schools: whole tree peak {r['peak_tree_pss_mb']:.0f} MB PSS / "
                f"{r['peak_tree_uss_mb']:.0f} MB USS over {r['processes_at_peak']} processes; largest "
                f"process {r['largest_process_pss_mb']:.0f} MB PSS ({r['largest_process']})"
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
                f"({sizes[0]} vs {sizes[-1]} schools' reports): {same:.2f} s; tree PSS "
                f"{subset['peak_tree_pss_mb']:.0f} MB vs {hi['peak_tree_pss_mb']:.0f} MB"
            )
        if not args.naive_all:
            print(
                f"(naive way at {sizes[-1]} schools extrapolated from its {sizes[0]}-school time per report, not run)"
            )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        sys.path.insert(0, str(ROOT))
        measure_child(sys.argv[3:])
        raise SystemExit(0)
    raise SystemExit(main())
