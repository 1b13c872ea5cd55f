"""Running a set of jobs on worker processes with one progress display; a failure stays
with its job, an interruption stops everything, and the run folder is finished (renamed,
``latest`` updated) only when every job is done.

Why not ``concurrent.futures.ProcessPoolExecutor``: it cannot stop a job that is running
(on Ctrl-C it waits for every queued job), cannot kill a worker stuck in a runaway report,
and hides its worker processes, so their kernels and browsers could outlive it. The pool
here is small: each worker (``toolkit.batch.worker``) gets one job at a time over a pipe,
so the main process always knows which report each worker is on, for how long, and can
end it.

Interruptions: inside ``interruptible()`` SIGINT and SIGTERM raise ``Interrupted`` in the
main thread. The pool then stops scheduling, sends SIGTERM to every worker (each ends its
kernel and browser and removes its temporary folder), kills whatever is left after a few
seconds (found by the batch's environment marker), and the run is left marked incomplete
with an index that counts the reports actually on disk.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import wait as wait_for
from pathlib import Path
from typing import Any

from toolkit.batch import processes
from toolkit.batch.jobs import Job, JobResult
from toolkit.batch.runfolder import (
    finish_run_dir,
    interrupted_run_dir,
    new_run_dir,
    record_plan,
    recount_abandoned_runs,
    write_run_index,
    write_term_index,
)
from toolkit.batch.worker import worker_main
from toolkit.outputs import atomic_write

STOP_GRACE = 4.0  # seconds a worker has to end its kernel and browser before it is killed
OVERRUN_GRACE = 15.0  # beyond a report's own time limit, before its worker is killed
TEMP_PREFIX = "toolkit-batch-"

# --------------------------------------------------------------------------- interruptions


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: the batch stops. ``exit_code`` is 130 or 143."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise ``Interrupted`` in the main thread while inside the block.

    Raised once: a second Ctrl-C while the batch is already stopping is ignored, so the
    clean-up itself is not cut short.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = threading.Event()

    def handler(signum: int, _frame: Any) -> None:
        if not raised.is_set():
            raised.set()
            raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


# --------------------------------------------------------------------------- temporary folders


def sweep_stale_temp_dirs(root: str | None = None) -> list[str]:
    """Remove the temporary folders of batches whose main process is gone (killed outright)."""
    root = root or tempfile.gettempdir()
    removed = []
    with contextlib.suppress(OSError):
        for name in os.listdir(root):
            m = re.fullmatch(rf"{re.escape(TEMP_PREFIX)}(\d+)-\w+", name)
            if m and not processes.alive(int(m.group(1))):
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
                removed.append(name)
    return removed


# --------------------------------------------------------------------------- the pool


#: The run's index.html is rewritten after a report at most this often (and at the end).
INDEX_REFRESH_SECONDS = 1.0


def default_workers() -> int:
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


@dataclass
class _Worker:
    process: Any
    conn: Any
    token: str
    ready: bool = False
    job: Job | None = None
    job_started: float = 0.0


@dataclass
class _Pool:
    """Worker processes, each with a pipe; spawned, watched and ended by the main process."""

    size: int
    cwd: str | None
    tmp_root: str
    run_token: str
    workers: list[_Worker] = field(default_factory=list)
    failed_starts: int = 0

    def spawn(self) -> _Worker:
        ctx = multiprocessing.get_context("spawn")  # a clean interpreter: no inherited threads or locks
        ours, theirs = ctx.Pipe()
        token = uuid.uuid4().hex
        proc = ctx.Process(
            target=worker_main,
            args=(theirs, os.getpid(), token, self.tmp_root, self.cwd),
            name=f"toolkit-worker-{len(self.workers)}",
            daemon=True,
        )
        proc.start()
        theirs.close()
        worker = _Worker(proc, ours, token)
        self.workers.append(worker)
        return worker

    def end(self, worker: _Worker, grace: float = 0.0) -> None:
        """End one worker and everything it started (found by its marker)."""
        if grace > 0 and worker.process.is_alive():
            with contextlib.suppress(OSError):
                os.kill(worker.process.pid, signal.SIGTERM)
            worker.process.join(grace)
        leftovers = processes.marked(processes.WORKER_MARKER, worker.token)
        if worker.process.is_alive():
            leftovers.add(worker.process.pid)
        processes.end_processes(leftovers)
        worker.process.join(1)
        with contextlib.suppress(OSError):
            worker.conn.close()
        if worker in self.workers:
            self.workers.remove(worker)

    def stop_all(self, *, now: bool) -> None:
        """End every worker: at once (an interruption) or after its current job (the end)."""
        if now:
            for w in self.workers:
                with contextlib.suppress(OSError):
                    os.kill(w.process.pid, signal.SIGTERM)
        else:
            for w in self.workers:
                with contextlib.suppress(OSError, BrokenPipeError):
                    w.conn.send(None)
        deadline = time.monotonic() + (STOP_GRACE if now else 30.0)
        for w in list(self.workers):
            w.process.join(max(0.0, deadline - time.monotonic()))
        for w in list(self.workers):
            self.end(w)
        # Anything of this run still alive (a browser helper that escaped its worker); this
        # process's own children (multiprocessing's resource tracker) are not the run's.
        me = os.getpid()
        stray = processes.marked(processes.RUN_MARKER, self.run_token)
        processes.end_processes({p for p in stray if processes.parent_of(p) != me})


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

    ``timeout`` bounds each report (execution and PDF); a worker that overruns it by
    ``OVERRUN_GRACE`` is killed with its kernel and browser, the report is failed and a new
    worker takes its place. ``on_result`` is called in this process after each job, once its
    files are in place (the batch uses it to rewrite ``index.html``). ``during`` runs on a
    thread of this process while the workers start (summaries, calendars). Raises
    ``Interrupted`` (inside ``interruptible()``) after every worker and its processes ended.
    """
    from tqdm import tqdm

    live = progress and sys.stderr.isatty()
    size = max(1, min(workers or default_workers(), len(jobs) or 1))
    results: dict[str, JobResult] = {}
    queue = deque(jobs)
    sweep_stale_temp_dirs()
    tmp_root = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")
    run_token = uuid.uuid4().hex
    with contextlib.suppress(Exception):  # started before the marker is set: it is not ours to end
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    previous_marker = os.environ.get(processes.RUN_MARKER)
    os.environ[processes.RUN_MARKER] = run_token  # inherited by every process of the run
    pool = _Pool(size, cwd, tmp_root, run_token)
    bar = tqdm(
        total=len(jobs),
        unit="report",
        desc="Reports",
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
        # In a terminal the bar ticks every half second (kernels starting, elapsed time); in
        # a log file a line every half minute is enough.
        mininterval=0.5 if live else 30,
    )
    background: list[BaseException] = []
    clean = False

    def record(res: JobResult) -> None:
        results[res.key] = res
        bar.update(1)
        if not res.ok:
            bar.write(f"FAILED {res.describe()}")
        if on_result is not None:
            on_result(res)

    def show_workers() -> None:
        ready = sum(w.ready for w in pool.workers)
        if ready < len(pool.workers):
            bar.set_postfix_str(f"starting workers and kernels: {ready} of {len(pool.workers)} ready")
        else:
            bar.set_postfix_str(f"{ready} workers")

    try:
        for _ in range(size):
            pool.spawn()
        show_workers()
        extra: threading.Thread | None = None
        if during is not None:

            def run_during() -> None:
                try:
                    during()
                except BaseException as exc:  # reported in the main thread
                    background.append(exc)

            extra = threading.Thread(target=run_during, name="toolkit-batch-during", daemon=True)
            extra.start()

        def dispatch(w: _Worker) -> None:
            if w.ready and w.job is None and queue:
                job = queue.popleft()
                try:
                    w.conn.send((job, str(run_dir), timeout))
                except (OSError, BrokenPipeError):
                    queue.appendleft(job)
                    return
                w.job, w.job_started = job, time.monotonic()

        while queue or any(w.job for w in pool.workers):
            for w in pool.workers:
                dispatch(w)
            handles = {w.conn: w for w in pool.workers} | {w.process.sentinel: w for w in pool.workers}
            for ready in wait_for(list(handles), timeout=0.5):
                w = handles[ready]
                if w not in pool.workers:
                    continue
                if ready is w.conn:
                    try:
                        kind, *payload = w.conn.recv()
                    except (EOFError, OSError):
                        kind, payload = "dead", []
                    if kind == "ready":
                        w.ready = True
                        show_workers()
                        continue
                    if kind == "result":
                        # the worker's next report first: recording (the index) must not
                        # keep it waiting
                        w.job = None
                        dispatch(w)
                        record(payload[0])
                        continue
                # the worker died (crash, out of memory, killed from outside)
                job, code = w.job, w.process.exitcode
                pool.end(w)
                if job is not None:
                    record(
                        JobResult(
                            key=job.key,
                            ok=False,
                            ename="WorkerDied",
                            evalue=f"the worker process making this report died (exit code {code})",
                        )
                    )
                elif not w.ready:
                    pool.failed_starts += 1
                if queue and pool.failed_starts < 3 * size:
                    pool.spawn()
                    show_workers()
            if timeout:
                now = time.monotonic()
                for w in list(pool.workers):
                    if w.job is not None and now - w.job_started > timeout + OVERRUN_GRACE:
                        job = w.job
                        pool.end(w)
                        record(
                            JobResult(
                                key=job.key,
                                ok=False,
                                ename="TimeoutError",
                                evalue=f"the report took longer than its time limit of {timeout:g} s "
                                "(--timeout: execution and PDF printing), so its worker was stopped",
                                seconds=now - w.job_started,
                            )
                        )
                        if queue:
                            pool.spawn()
            if not pool.workers and queue:  # workers keep dying before they start
                for job in list(queue):
                    record(
                        JobResult(
                            key=job.key,
                            ok=False,
                            ename="WorkerDied",
                            evalue="no worker process could be started",
                        )
                    )
                queue.clear()
            if live:
                bar.refresh()
        if extra is not None:
            extra.join()
        if background:
            raise background[0]
        clean = True
    finally:
        with interruptible_suppressed():
            bar.close()
            pool.stop_all(now=not clean)
            shutil.rmtree(tmp_root, ignore_errors=True)
            if previous_marker is None:
                os.environ.pop(processes.RUN_MARKER, None)
            else:
                os.environ[processes.RUN_MARKER] = previous_marker
    return results


@contextlib.contextmanager
def interruptible_suppressed() -> Iterator[None]:
    """Clean-up that a further Ctrl-C or SIGTERM must not cut short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


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


@contextlib.contextmanager
def private_scratch() -> Iterator[Path]:
    """Point ``SCRATCH_VARIABLES`` at a fresh temporary folder (inherited by worker
    processes and kernels) for the duration; restore them and remove the folder after."""
    # named like the pool's folder, so a later batch removes it if this one is killed
    root = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
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
    interrupted: Interrupted | None = None

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in self.results.values() if not r.ok]

    @property
    def made(self) -> int:
        return sum(r.ok for r in self.results.values())


def _made_on_disk(run_dir: Path, job: Job) -> bool:
    """A report is made when its files are there (each written atomically, the HTML last)."""
    return (run_dir / job.html).is_file() and (job.pdf is None or (run_dir / job.pdf).is_file())


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
    start, and returns (label, relative path) pairs for the index. If the run is interrupted
    (SIGINT/SIGTERM, see ``interruptible``) the workers are ended, the folder stays
    ``run-<time>.incomplete`` with an index counting the reports on disk, and the outcome
    carries the interruption; if this process is killed outright, the folder stays
    incomplete and its index lists only completed reports. Either way ``latest`` still
    points at the newest complete run. ``problems`` (a list ``before`` may add to) are
    outputs that failed; the index counts and lists them.
    """
    problems = problems if problems is not None else []
    recount_abandoned_runs(term_dir)
    run_dir = new_run_dir(term_dir)
    record_plan(run_dir, jobs, title, provenance)
    write_term_index(term_dir)
    extras: list[tuple[str, str]] = []
    results: dict[str, JobResult] = {}
    last_refresh = [0.0]
    lock = threading.Lock()  # the index is written from the main thread and ``before``'s

    closed = False  # set (under the lock) before the run's last index: no late rewrite after it

    def refresh(finished: bool = False, interrupted: str | None = None, *, late: bool = False) -> None:
        with lock:
            if late and closed:
                return
            last_refresh[0] = time.monotonic()
            write_run_index(
                run_dir,
                title=title,
                jobs=jobs,
                results=dict(results),
                extras=extras,
                finished=finished,
                interrupted=interrupted,
                provenance=provenance,
                problems=problems,
                # the workers draw thumbnails; at the end, any still missing is drawn here
                make_thumbnails=finished or interrupted is not None,
            )

    refresh()

    def during() -> None:
        if before is not None:
            extras.extend(before(run_dir))
            refresh()

    timers: list[threading.Timer] = []

    def on_result(res: JobResult) -> None:
        # At most one rewrite a second: the index lists every report done so far, and
        # rewriting it after each of a thousand reports would cost more than it tells. A
        # report done within the second is listed a second later at the latest.
        results[res.key] = res
        if time.monotonic() - last_refresh[0] >= INDEX_REFRESH_SECONDS:
            refresh()
        elif not any(t.is_alive() for t in timers):
            timer = threading.Timer(INDEX_REFRESH_SECONDS, refresh, kwargs={"late": True})
            timer.daemon = True
            timers.append(timer)
            timer.start()

    def close_index() -> None:
        nonlocal closed
        with lock:
            closed = True
        for timer in timers:
            timer.cancel()
            timer.join()

    try:
        try:
            with interruptible(), private_scratch():  # IPython, matplotlib, Chromium: nothing left outside
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
        finally:
            close_index()
    except Interrupted as stop:
        with interruptible_suppressed():
            # Count what is on disk: a worker may have finished a report the pool never heard of.
            # One stopped between writing a report's PDF and its HTML (written last) leaves
            # a PDF of an unfinished report: removed, so every file kept is listed.
            for job in jobs:
                if job.key not in results and _made_on_disk(run_dir, job):
                    results[job.key] = JobResult(key=job.key, ok=True, html=job.html, pdf=job.pdf)
                elif job.pdf and not (run_dir / job.html).is_file():
                    with contextlib.suppress(OSError):
                        (run_dir / job.pdf).unlink()
            write_results_json(run_dir, results)
            refresh(interrupted=stop.args[0] if stop.args else "interrupted")
            interrupted_run_dir(run_dir)
        return RunOutcome(run_dir, results, stop)
    write_results_json(run_dir, results)
    refresh(finished=True)
    final = finish_run_dir(run_dir)
    return RunOutcome(final, results)
