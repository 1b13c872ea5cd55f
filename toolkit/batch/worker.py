"""The worker process: runs one job at a time in its warm kernel, isolates a failure, keeps
the error notebook, and never outlives the batch.

A worker is started by ``toolkit.batch.runner`` and talks to it over a pipe: it says when
its kernel is ready, then takes one job at a time and sends its result back. Why it is
built like this:

- **Nothing outlives it.** The worker carries its own marker in its environment
  (``TOOLKIT_BATCH_WORKER``), inherited by its kernel, the Playwright driver and Chromium,
  so on the way out it can end all of them even if they were re-parented. It asks Linux for
  SIGTERM when the batch's main process dies (``PR_SET_PDEATHSIG``) and a thread checks its
  parent as well; either way it ends its processes, removes its temporary folder and exits.
  Its kernel is started with ``PR_SET_PDEATHSIG`` too (and ipykernel polls its parent), and
  the Playwright driver exits when its stdin (a pipe from this process) closes, closing its
  Chromium.
- **Ctrl-C belongs to the batch.** SIGINT is ignored here (the terminal sends it to the whole
  process group); the main process decides, and ends the worker with SIGTERM. Once stopping,
  a report that fails is not kept as an error notebook: it failed because of the stop.
- **Bounded reports.** A job's time limit covers executing the notebook (each cell may run
  for what is left of it) and printing the PDF (``toolkit.reports.pdf.time_limit``); the main
  process kills a worker that overruns it anyway.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from toolkit.batch import processes
from toolkit.batch.imports import skip_unused_imports
from toolkit.batch.jobs import Job, JobResult
from toolkit.batch.kernel import (
    RESET_SOURCE,
    RESET_TAG,
    STARTUP_TIMEOUT,
    WarmKernel,
    register_engine,
)
from toolkit.batch.runfolder import start_thumbnail

# --------------------------------------------------------------------------- worker process

_WORKER: dict[str, Any] = {}
_STOPPING = threading.Event()  # set once the batch is being interrupted
_EXIT_LOCK = threading.Lock()


def worker_main(conn: Any, parent_pid: int, token: str, tmp_root: str, cwd: str | None) -> None:
    """Entry point of a worker process (``multiprocessing`` spawn target)."""
    signal.signal(signal.SIGINT, _on_sigint)
    skip_unused_imports()
    os.environ[processes.WORKER_MARKER] = token
    processes.set_parent_death_signal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: _stop_now(143))
    if os.getppid() != parent_pid:  # the batch died before we could ask to follow it
        _stop_now(1)
    processes.watch_parent(parent_pid, lambda: _stop_now(1))
    # Everything temporary (kernel sockets, the browser's profile) goes in one folder the
    # worker removes on the way out; the main process removes the batch's folder.
    tmp = tempfile.mkdtemp(prefix=f"w{os.getpid()}-", dir=tmp_root)
    _WORKER["tmp"] = tmp
    os.environ["TMPDIR"] = tmp
    tempfile.tempdir = None
    worker_init(cwd, socket_dir=tmp)
    started = time.perf_counter()
    problem = None
    try:
        _WORKER["kernel"].start()
    except Exception as exc:  # each job retries; the job then fails with the reason
        problem = f"{type(exc).__name__}: {exc}"
    conn.send(("ready", time.perf_counter() - started, problem))
    while not _STOPPING.is_set():
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the main process is gone
            _stop_now(1)
        if message is None:
            break
        job, run_dir, timeout = message
        result = run_job(job, run_dir, timeout)
        if _STOPPING.is_set():
            break
        conn.send(("result", result))
    _worker_shutdown()
    sys.exit(0)


def _on_sigint(*_: Any) -> None:
    _STOPPING.set()


def _stop_now(code: int) -> None:
    """End this worker's kernel and browser (and anything they started), clean up, exit."""
    if not _EXIT_LOCK.acquire(blocking=False):
        return
    _STOPPING.set()
    token = os.environ.get(processes.WORKER_MARKER)
    if token:
        processes.end_processes(processes.marked(processes.WORKER_MARKER, token))
    tmp = _WORKER.get("tmp")
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(OSError):  # the batch's folder, if the main process is gone
            os.rmdir(os.path.dirname(tmp))
    os._exit(code)


def worker_init(cwd: str | None, socket_dir: str | None = None) -> None:
    import logging

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    register_engine()
    _WORKER["kernel"] = WarmKernel(cwd=cwd, socket_dir=socket_dir)
    _WORKER["notebooks"] = {}


def _load_notebook(path: str) -> Any:
    import nbformat
    from nbformat.v4 import new_code_cell

    cache = _WORKER.setdefault("notebooks", {})
    if path not in cache:
        nb = nbformat.read(path, as_version=4)
        reset = new_code_cell(RESET_SOURCE, metadata={"tags": [RESET_TAG]})
        nb.cells.insert(0, reset)
        cache[path] = nb
    return copy.deepcopy(cache[path])


def run_job(job: Job, run_dir: str, timeout: float | None) -> JobResult:
    """Execute one job in this worker's warm kernel and write its HTML/PDF atomically.

    ``timeout`` bounds the whole report: the notebook's cells share it, and printing the
    PDF gets what is left.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from toolkit.reports import html as reports
    from toolkit.reports import pdf

    if "kernel" not in _WORKER:
        worker_init(None)
    finish_thumbnails(wait=False)
    warm: WarmKernel = _WORKER["kernel"]
    started = time.perf_counter()
    deadline = None if not timeout else time.monotonic() + timeout
    root = Path(run_dir)
    work = root / ".work"
    work.mkdir(parents=True, exist_ok=True)
    scratch = work / f"{job.key}.ipynb"
    result = JobResult(key=job.key, ok=False)
    try:
        warm.ensure()
        nb = papermill.execute_notebook(
            _load_notebook(job.notebook),
            str(scratch),
            parameters=job.parameters,
            engine_name="toolkit-warm",
            kernel_name=warm.kernel_name,
            request_save_on_cell_execute=False,
            progress_bar=False,
            execution_timeout=timeout,
            start_timeout=STARTUP_TIMEOUT,
            warm_kernel=warm,
            deadline=deadline,
        )
        nb.metadata.setdefault("papermill", {})["input_path"] = job.notebook
        result.execute_seconds = time.perf_counter() - started
        left = None if deadline is None else deadline - time.monotonic()
        with pdf.time_limit(left):
            reports.write_report(
                nb, root / job.html, root / job.pdf if job.pdf else None, job.overrides
            )
        if job.pdf:  # the index's thumbnail: drawn while this worker goes on with its next report
            drawing = start_thumbnail(root, job)
            if drawing is not None:
                _WORKER.setdefault("thumbnails", []).append(drawing)
        result.render_seconds = time.perf_counter() - started - result.execute_seconds
        result.ok, result.html, result.pdf = True, job.html, job.pdf
        scratch.unlink(missing_ok=True)
    except PapermillExecutionError as exc:
        result.cell_index, result.exec_count = exc.cell_index, exc.exec_count
        result.ename, result.evalue = exc.ename, exc.evalue
        result.cell_source = next((ln for ln in str(exc.source).splitlines() if ln.strip()), "")[
            :120
        ]
        result.error_notebook = _keep_error_notebook(root, scratch, job.key)
    except Exception as exc:  # time-out, dead kernel, rendering error: isolate it
        lines = [ln for ln in str(exc).splitlines() if ln.strip() and not ln.startswith("---")]
        result.ename, result.evalue = type(exc).__name__, (lines[0][:500] if lines else "")
        result.message = traceback.format_exc(limit=5)
        result.error_notebook = _keep_error_notebook(root, scratch, job.key)
        warm.stop()  # a timed-out or broken kernel is not reused
    result.seconds = time.perf_counter() - started
    return result


def _keep_error_notebook(root: Path, scratch: Path, key: str) -> str | None:
    if _STOPPING.is_set() or not scratch.exists():  # failed because the batch is stopping
        return None
    target = root / "failed" / f"{key}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(scratch, target)
    return str(target.relative_to(root))


def finish_thumbnails(*, wait: bool) -> None:
    """Put in place the thumbnails drawn so far (all of them, waiting, when ``wait``)."""
    pending = _WORKER.get("thumbnails", [])
    for drawing in [d for d in pending if wait or d.done()]:
        drawing.finish()
        pending.remove(drawing)


def _worker_shutdown() -> None:
    from toolkit.reports.pdf import close_all

    finish_thumbnails(wait=True)

    warm = _WORKER.get("kernel")
    if warm is not None:
        warm.close()
    with contextlib.suppress(Exception):
        close_all()  # the worker's browser, if it printed with Chromium
    token = os.environ.get(processes.WORKER_MARKER)
    if token:  # anything that did not close cleanly
        processes.end_processes(processes.marked(processes.WORKER_MARKER, token), grace=2.0)
    tmp = _WORKER.get("tmp")
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
