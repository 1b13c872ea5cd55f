"""The worker process: runs one job in its warm kernel, isolates its failure, keeps the
error notebook, and shuts the kernel and browser down when the pool ends.
"""

from __future__ import annotations

import copy
import os
import time
import traceback
from pathlib import Path
from typing import Any

from toolkit.batch.jobs import Job, JobResult
from toolkit.batch.kernel import (
    RESET_SOURCE,
    RESET_TAG,
    STARTUP_TIMEOUT,
    WarmKernel,
    register_engine,
)

# --------------------------------------------------------------------------- worker process

_WORKER: dict[str, Any] = {}


def worker_init(cwd: str | None) -> None:
    import logging
    from multiprocessing import util

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    register_engine()
    _WORKER["kernel"] = WarmKernel(cwd=cwd)
    _WORKER["notebooks"] = {}
    util.Finalize(None, _worker_shutdown, exitpriority=10)  # stop the kernel when the worker exits


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
    """Execute one job in this worker's warm kernel and write its HTML/PDF atomically."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from toolkit.reports import html as reports

    if "kernel" not in _WORKER:
        worker_init(None)
    warm: WarmKernel = _WORKER["kernel"]
    started = time.perf_counter()
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
        )
        nb.metadata.setdefault("papermill", {})["input_path"] = job.notebook
        result.execute_seconds = time.perf_counter() - started
        reports.write_report(
            nb, root / job.html, root / job.pdf if job.pdf else None, job.overrides
        )
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
    if not scratch.exists():
        return None
    target = root / "failed" / f"{key}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(scratch, target)
    return str(target.relative_to(root))


def _worker_shutdown() -> None:
    from toolkit.reports.pdf import close_all

    warm = _WORKER.get("kernel")
    if warm is not None:
        warm.close()
    close_all()  # the worker's browser, if it printed with Chromium
