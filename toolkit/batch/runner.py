"""Running a set of jobs in a process pool with one progress bar; a failure stays with its
job, and the run folder is finished (renamed, ``latest`` updated) when all are done.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from toolkit.batch.jobs import Job, JobResult
from toolkit.batch.runfolder import finish_run_dir, new_run_dir, write_run_index, write_term_index
from toolkit.batch.worker import run_job, worker_init
from toolkit.outputs import atomic_write

# --------------------------------------------------------------------------- running jobs


def default_workers() -> int:
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


def run_jobs(
    jobs: Sequence[Job],
    run_dir: Path,
    *,
    workers: int | None = None,
    timeout: float | None = 600,
    cwd: str | None = None,
    on_result: Callable[[JobResult], None] | None = None,
    progress: bool = True,
    during: Callable[[], None] | None = None,
) -> dict[str, JobResult]:
    """Run ``jobs`` on ``workers`` processes (one warm kernel each); results by job key.

    ``on_result`` is called in this process after each job, once its files are in place
    (the batch uses it to rewrite ``index.html``). ``during`` runs in this process once the
    jobs are queued, so its work (summaries, calendars) overlaps the workers' start-up.
    """
    from tqdm import tqdm

    workers = max(1, min(workers or default_workers(), len(jobs) or 1))
    results: dict[str, JobResult] = {}
    bar = tqdm(
        total=len(jobs),
        unit="report",
        desc="Reports",
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    with ProcessPoolExecutor(
        max_workers=workers, initializer=worker_init, initargs=(cwd,)
    ) as pool:
        pending: dict[Future, Job] = {
            pool.submit(run_job, job, str(run_dir), timeout): job for job in jobs
        }
        try:
            if during is not None:
                during()
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    job = pending.pop(fut)
                    try:
                        res = fut.result()
                    except Exception as exc:  # a worker process died: record it, keep going
                        res = JobResult(
                            key=job.key, ok=False, ename=type(exc).__name__, evalue=str(exc)
                        )
                    results[job.key] = res
                    bar.update(1)
                    if not res.ok:
                        bar.write(f"FAILED {res.describe()}")
                    if on_result is not None:
                        on_result(res)
        finally:
            bar.close()
    return results


def summarise_failures(results: Iterable[JobResult]) -> list[str]:
    return [r.describe() for r in results if not r.ok]


def write_results_json(run_dir: Path, results: Mapping[str, JobResult]) -> Path:
    data = [asdict(r) for r in results.values()]
    return atomic_write(run_dir / "batch-results.json", json.dumps(data, indent=2, default=str))


# Where the run's processes (workers, kernels, Chromium) would otherwise write into the
# user's home: IPython's profile and history database, matplotlib's font cache, Chromium's
# crash-report settings and dconf cache. Each points into one temporary folder for the run,
# removed when it ends, so a batch leaves nothing behind outside its output folder.
SCRATCH_VARIABLES = {
    "IPYTHONDIR": "ipython",
    "MPLCONFIGDIR": "matplotlib",
    "XDG_CACHE_HOME": "cache",
    "XDG_CONFIG_HOME": "config",
    "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
}


@contextmanager
def private_scratch() -> Iterator[Path]:
    """Point ``SCRATCH_VARIABLES`` at a fresh temporary folder (inherited by worker
    processes and kernels) for the duration; restore them and remove the folder after."""
    root = Path(tempfile.mkdtemp(prefix="toolkit-run-"))
    saved = {k: os.environ.get(k) for k in SCRATCH_VARIABLES}
    try:
        for key, sub in SCRATCH_VARIABLES.items():
            (root / sub).mkdir(mode=0o700)
            os.environ[key] = str(root / sub)
        yield root
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class RunOutcome:
    run_dir: Path
    results: dict[str, JobResult]

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in self.results.values() if not r.ok]


def execute_run(
    jobs: Sequence[Job],
    term_dir: Path,
    *,
    title: str,
    workers: int | None = None,
    timeout: float | None = 600,
    cwd: str | None = None,
    before: Callable[[Path], list[tuple[str, str]]] | None = None,
    provenance: Mapping[str, str] | None = None,
    progress: bool = True,
    problems: list[str] | None = None,
) -> RunOutcome:
    """A whole run: new staging folder, reports in parallel, index kept true, then finish.

    ``before(run_dir)`` writes the run's other files (calendars, summaries) while the workers
    start, and returns
    (label, relative path) pairs for the index. If this process is killed part-way, the
    folder stays ``run-<time>.incomplete`` and its index lists only completed reports;
    ``latest`` still points at the previous complete run. ``problems`` (a list ``before``
    may add to) are outputs that failed; the index counts and lists them.
    """
    problems = problems if problems is not None else []
    run_dir = new_run_dir(term_dir)
    write_term_index(term_dir)
    extras: list[tuple[str, str]] = []
    results: dict[str, JobResult] = {}

    def refresh(finished: bool = False) -> None:
        write_run_index(
            run_dir,
            title=title,
            jobs=jobs,
            results=results,
            extras=extras,
            finished=finished,
            provenance=provenance,
            problems=problems,
        )

    refresh()

    def during() -> None:
        if before is not None:
            extras.extend(before(run_dir))
            refresh()

    def on_result(res: JobResult) -> None:
        results[res.key] = res
        refresh()

    with private_scratch():  # IPython, matplotlib, Chromium: nothing left outside run_dir
        run_jobs(
            jobs,
            run_dir,
            workers=workers,
            timeout=timeout,
            cwd=cwd,
            on_result=on_result,
            progress=progress,
            during=during,
        )
    write_results_json(run_dir, results)
    refresh(finished=True)
    final = finish_run_dir(run_dir)
    return RunOutcome(final, results)
