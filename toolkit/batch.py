"""Running many parameterised notebooks in parallel, safely: the machinery behind ``toolkit batch``.

Why it is built like this:

- **Warm kernels.** Starting a Jupyter kernel costs 1-2 s, more than executing one of our
  notebooks. Each worker process keeps one kernel alive and re-runs papermill in it (a
  papermill engine, ``toolkit-warm``, hands papermill the worker's kernel manager and
  client). A first cell that papermill never shows (``%reset -f``) clears the previous
  run's variables and figures, so reports cannot leak into each other.
- **Kernel-start races** (papermill issues about ZMQ port collisions and start-up
  time-outs when many kernels start at once): kernels talk over IPC sockets in a private
  folder (no TCP ports to collide), start-up time-out is generous, and a failed start is
  retried with a random back-off.
- **Failure isolation.** A notebook error is caught per report: the error notebook is
  kept under ``failed/`` with the failing cell named; a dead or timed-out kernel is
  restarted for the next report. Other reports carry on. The exit code says if anything failed.
- **Atomic, listed-when-done outputs.** A run writes into ``run-<UTC time>.incomplete/``.
  Every file goes through ``toolkit.outputs`` (temporary file, then rename). The run's
  ``index.html`` is rewritten (atomically) only after a report's HTML and PDF are both in
  place, so a report listed there is complete. When the run ends the folder is renamed to
  ``run-<UTC time>/`` and ``latest`` / the term's ``index.html`` point at it. Earlier runs are
  never touched, so a re-run never overwrites an earlier run's reports.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.outputs import atomic_write
from toolkit.reports import escape

KERNEL_NAME = "python3"
STARTUP_TIMEOUT = 120  # seconds; generous because 2 cores may start several kernels at once
START_ATTEMPTS = 3
RESET_TAG = "toolkit-reset"
RESET_SOURCE = "import toolkit.batch as _toolkit_batch\n_toolkit_batch.prepare_kernel()\n"
INCOMPLETE_SUFFIX = ".incomplete"


# --------------------------------------------------------------------------- jobs and results


@dataclass(frozen=True)
class Job:
    """One report to make: a notebook, its parameters and where its HTML/PDF go (run-relative)."""

    key: str
    notebook: str
    parameters: dict[str, Any]
    html: str
    pdf: str | None
    title: str
    section: str = "Reports"  # heading in index.html ("Trust reports", a school's name ...)
    overrides: dict[str, Any] = field(default_factory=dict)  # report metadata (school, title ...)


@dataclass
class JobResult:
    key: str
    ok: bool
    seconds: float = 0.0
    html: str | None = None
    pdf: str | None = None
    cell_index: int | None = None
    exec_count: int | None = None
    ename: str | None = None
    evalue: str | None = None
    error_notebook: str | None = None
    message: str | None = None
    cell_source: str | None = None  # the failing cell's first line, to find it in the notebook
    execute_seconds: float = 0.0  # running the notebook in the warm kernel
    render_seconds: float = 0.0  # HTML and PDF

    def describe(self) -> str:
        if self.ok:
            return f"{self.key}: ok"
        where = (
            f"in cell {self.cell_index} (In [{self.exec_count}])"
            if self.cell_index is not None
            else "outside a cell"
        )
        if self.cell_source:
            where += f" `{self.cell_source}`"
        kept = f"; error notebook kept at {self.error_notebook}" if self.error_notebook else ""
        return f"{self.key}: failed {where}: {self.ename}: {self.evalue}{kept}"


# --------------------------------------------------------------------------- inside the kernel


_KERNEL_PREPARED = False


def prepare_kernel() -> None:
    """Run inside a warm kernel before each report: close figures; cache the tracker once.

    Reading a large tracker workbook costs far more than a report, and every report in a
    batch reads the same file. ``toolkit.workbook.read_tracker`` is wrapped (once per kernel)
    with a cache keyed by the file's path, size and modification time, returning a fresh
    shallow copy each time so one report's changes to the tables cannot reach another.
    """
    global _KERNEL_PREPARED
    fresh_namespace()
    with contextlib.suppress(Exception):
        import matplotlib.pyplot as plt

        plt.close("all")
    if _KERNEL_PREPARED:
        return
    _KERNEL_PREPARED = True
    with contextlib.suppress(Exception):
        from IPython import get_ipython

        get_ipython().run_line_magic("matplotlib", "inline")
    try:
        import toolkit.workbook as workbook
    except ImportError:
        return
    original = workbook.read_tracker
    cache: dict[tuple, Any] = {}

    def read_tracker_cached(path: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            st = os.stat(path)
            key = (
                str(Path(path).resolve()),
                st.st_size,
                st.st_mtime_ns,
                repr(args),
                repr(sorted(kwargs.items())),
            )
        except (OSError, TypeError):
            return original(path, *args, **kwargs)
        if key not in cache:
            cache.clear()  # one tracker per batch: keep memory flat
            cache[key] = original(path, *args, **kwargs)
        return _fresh_copy(cache[key])

    read_tracker_cached.__wrapped__ = original  # type: ignore[attr-defined]
    workbook.read_tracker = read_tracker_cached


def fresh_namespace() -> None:
    """Clear the previous report's variables and output history (like ``%reset -f``).

    ``%reset`` also runs a full garbage collection, which with a large tracker cached in the
    kernel costs a third of a report's execution time; deleting the names is enough for
    reports not to see each other's variables.
    """
    import re

    from IPython import get_ipython

    ip = get_ipython()
    if ip is None:
        return
    ns, hidden = ip.user_ns, ip.user_ns_hidden
    for name in [n for n in ns if n not in hidden or re.fullmatch(r"_i?\d+", n)]:
        del ns[name]
    for name in ("_", "__", "___"):
        ns[name] = ""
    for cache in (ns.get("Out"), ns.get("_oh")):
        if isinstance(cache, dict):
            cache.clear()


def _fresh_copy(tracker: Any) -> Any:
    import dataclasses

    if dataclasses.is_dataclass(tracker) and hasattr(tracker, "tables"):
        return dataclasses.replace(
            tracker, tables={k: v.copy(deep=False) for k, v in tracker.tables.items()}
        )
    return tracker


# --------------------------------------------------------------------------- the worker's warm kernel


class WarmKernel:
    """One Jupyter kernel kept alive in a worker process, restarted only when it dies."""

    def __init__(self, kernel_name: str = KERNEL_NAME, cwd: str | None = None) -> None:
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.km: Any = None
        self.kc: Any = None
        self._dir = tempfile.mkdtemp(prefix="toolkit-kernel-")

    def start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        last: Exception | None = None
        for attempt in range(START_ATTEMPTS):
            km = None
            try:
                km = AsyncKernelManager(
                    kernel_name=self.kernel_name,
                    transport="ipc",
                    ip=os.path.join(self._dir, f"k{attempt}"),
                    connection_file=os.path.join(self._dir, f"kernel-{attempt}.json"),
                )
                run_sync(km.start_kernel)(cwd=self.cwd)
                kc = km.client()
                kc.start_channels()
                run_sync(kc.wait_for_ready)(timeout=STARTUP_TIMEOUT)
                self.km, self.kc = km, kc
                return
            except Exception as exc:  # port/socket collision, start time-out: retry with jitter
                last = exc
                if km is not None:
                    with contextlib.suppress(Exception):
                        run_sync(km.shutdown_kernel)(now=True)
                time.sleep(random.uniform(0.2, 1.0) * (attempt + 1))
        raise RuntimeError(
            f"could not start a {self.kernel_name} kernel after {START_ATTEMPTS} attempts: {last}"
        )

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        if self.km is None:
            return False
        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:
            return False

    def ensure(self) -> None:
        if not self.alive():
            self.stop()
            self.start()

    def stop(self) -> None:
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
        if self.km is not None:
            with contextlib.suppress(Exception):
                run_sync(self.km.shutdown_kernel)(now=True)
        self.km = self.kc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


def _register_engine() -> None:
    """Register papermill engine ``toolkit-warm``: papermill's nbclient engine on a given kernel."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            warm: WarmKernel = kwargs.pop("warm_kernel")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, km=warm.km, **final)
            client.kc = warm.kc  # reuse the worker's client: no new sockets per report
            return client.execute(cleanup_kc=False)

    papermill_engines.register("toolkit-warm", WarmEngine)


# --------------------------------------------------------------------------- worker process

_WORKER: dict[str, Any] = {}


def _worker_init(cwd: str | None) -> None:
    import logging
    from multiprocessing import util

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    _register_engine()
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

    from toolkit import reports

    if "kernel" not in _WORKER:
        _worker_init(None)
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
    from toolkit.pdf import close_all

    warm = _WORKER.get("kernel")
    if warm is not None:
        warm.close()
    close_all()  # the worker's browser, if it printed with Chromium


# --------------------------------------------------------------------------- the run folder


def new_run_dir(term_dir: Path, now: dt.datetime | None = None) -> Path:
    """Create ``<term_dir>/run-<UTC time>.incomplete/`` (never an existing folder)."""
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    term_dir.mkdir(parents=True, exist_ok=True)
    for n in range(1000):
        name = f"run-{stamp}" + (f"-{n}" if n else "")
        if (term_dir / name).exists():
            continue
        try:
            (term_dir / (name + INCOMPLETE_SUFFIX)).mkdir()
        except FileExistsError:
            continue
        return term_dir / (name + INCOMPLETE_SUFFIX)
    raise RuntimeError(f"could not create a new run folder in {term_dir}")


def finish_run_dir(run_dir: Path) -> Path:
    """Rename the staging folder to its final name and point ``latest`` at it (atomically)."""
    final = run_dir.with_name(run_dir.name.removesuffix(INCOMPLETE_SUFFIX))
    shutil.rmtree(run_dir / ".work", ignore_errors=True)
    os.replace(run_dir, final)
    latest = final.parent / "latest"
    tmp = final.parent / f".latest.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        tmp.symlink_to(final.name, target_is_directory=True)
        os.replace(tmp, latest)
    except OSError:  # file systems without symlinks: the term index still names the latest run
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    write_term_index(final.parent)
    return final


def write_term_index(term_dir: Path) -> Path:
    """``<term>/index.html``: every finished run, newest first; incomplete runs marked as such."""
    runs = sorted(
        (p for p in term_dir.iterdir() if p.is_dir() and p.name.startswith("run-")), reverse=True
    )
    rows = []
    for i, run in enumerate(runs):
        done = not run.name.endswith(INCOMPLETE_SUFFIX)
        status = (
            (
                "latest"
                if i == 0 or all(r.name.endswith(INCOMPLETE_SUFFIX) for r in runs[:i])
                else "earlier"
            )
            if done
            else "incomplete (in progress, or stopped before it finished)"
        )
        rows.append(
            f'<tr><td><a href="{escape(run.name)}/index.html">{escape(run.name)}</a></td><td>{escape(status)}</td></tr>'
        )
    body = (
        "<table><thead><tr><th>Run</th><th>Status</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    return atomic_write(term_dir / "index.html", _page(f"Reports for {term_dir.name}", body))


def _page(title: str, body: str) -> str:
    css = (
        "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#1b1f24}"
        "table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #c9d1da;padding:.2em .5em;text-align:left}"
        "th{background:#eef2f6}.failed{color:#8a1c1c}.status{font-weight:bold}"
    )
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{css}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def write_run_index(
    run_dir: Path,
    *,
    title: str,
    jobs: Sequence[Job],
    results: Mapping[str, JobResult],
    extras: Sequence[tuple[str, str]] = (),
    finished: bool = False,
    provenance: Mapping[str, str] | None = None,
) -> Path:
    """The run's ``index.html``: links only to reports whose files are complete.

    Called after every finished report, so it is always true: a report listed here has its
    HTML and PDF in place.
    """
    done = [j for j in jobs if j.key in results and results[j.key].ok]
    failed = [results[j.key] for j in jobs if j.key in results and not results[j.key].ok]
    pending = len(jobs) - len(done) - len(failed)
    state = "Finished" if finished else "In progress (reports appear here as they are completed)"
    parts = [
        f'<p class="status">{escape(state)}: {len(done)} of {len(jobs)} reports done, {len(failed)} failed, {pending} to do.</p>'
    ]
    by_section: dict[str, list[Job]] = {}
    for j in done:
        by_section.setdefault(j.section, []).append(j)
    for section, items in by_section.items():
        parts.append(f"<h2>{escape(section)}</h2><table><tbody>")
        for j in items:
            pdf = f' &middot; <a href="{escape(j.pdf)}">PDF</a>' if j.pdf else ""
            parts.append(
                f'<tr><td>{escape(j.title)}</td><td><a href="{escape(j.html)}">HTML</a>{pdf}</td></tr>'
            )
        parts.append("</tbody></table>")
    if extras:
        parts.append("<h2>Calendars and data</h2><ul>")
        parts.extend(
            f'<li><a href="{escape(path)}">{escape(label)}</a></li>' for label, path in extras
        )
        parts.append("</ul>")
    if failed:
        parts.append('<h2 class="failed">Failed</h2><ul>')
        for r in failed:
            link = (
                f' (<a href="{escape(r.error_notebook)}">error notebook</a>)'
                if r.error_notebook
                else ""
            )
            parts.append(f'<li class="failed">{escape(r.describe())}{link}</li>')
        parts.append("</ul>")
    if provenance:
        parts.append("<h2>Provenance</h2><table><tbody>")
        parts.extend(
            f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in provenance.items()
        )
        parts.append("</tbody></table>")
    return atomic_write(run_dir / "index.html", _page(title, "".join(parts)))


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
        max_workers=workers, initializer=_worker_init, initargs=(cwd,)
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
) -> RunOutcome:
    """A whole run: new staging folder, reports in parallel, index kept true, then finish.

    ``before(run_dir)`` writes the run's other files (calendars, summaries) while the workers
    start, and returns
    (label, relative path) pairs for the index. If this process is killed part-way, the
    folder stays ``run-<time>.incomplete`` and its index lists only completed reports;
    ``latest`` still points at the previous complete run.
    """
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
        )

    refresh()

    def during() -> None:
        if before is not None:
            extras.extend(before(run_dir))
            refresh()

    def on_result(res: JobResult) -> None:
        results[res.key] = res
        refresh()

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


# --------------------------------------------------------------------------- a term's reports

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
SCHOOL_REPORTS = (
    # (notebook, file stem, title)
    ("designation_review.ipynb", "designation-review", "Designation review"),
    ("progress_board_pack.ipynb", "progress-board-pack", "Progress Board pack"),
)
TRUST_REPORTS = (
    ("standards_committee.ipynb", "standards-committee", "Standards Committee report"),
    ("lsip_summary.ipynb", "lsip-summary", "LSIP summary for EIT"),
)
# Names a notebook's parameters cell may use for each value the batch supplies.
PARAMETER_ALIASES = {
    "tracker": ("tracker", "tracker_path"),
    "term": ("term", "term_label"),
    "urn": ("urn", "school_urn"),
    "as_of": ("as_of", "as_at", "today"),
    "policy": ("policy_path", "policy"),
}


def slugify(text: str) -> str:
    """A file-name-safe slug of a school name (ASCII letters, digits and hyphens)."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "school"


def notebook_parameters(path: Path) -> set[str]:
    """The parameter names a notebook's ``parameters`` cell declares."""
    import papermill

    return set(papermill.inspect_notebook(str(path)))


def bind_parameters(declared: set[str], values: Mapping[str, Any]) -> dict[str, Any]:
    """Map the batch's values onto the names a notebook declares (see PARAMETER_ALIASES)."""
    bound: dict[str, Any] = {}
    for key, value in values.items():
        for name in PARAMETER_ALIASES.get(key, (key,)):
            if name in declared:
                bound[name] = value
                break
    return bound


@dataclass
class TermPlan:
    jobs: list[Job]
    missing: list[str]  # notebooks the plan needed but could not find


def plan_term(
    tracker: Any,
    tracker_path: Path,
    term: Any,
    as_of: dt.date,
    *,
    urns: Sequence[int] | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    policy_path: Path | None = None,
) -> TermPlan:
    """Every report of the term: trust reports first (the longest), then each school's two."""
    schools = tracker.schools.sort_values("urn")
    if urns:
        unknown = sorted(set(urns) - set(int(u) for u in schools["urn"]))
        if unknown:
            raise ValueError(
                f"URN(s) {', '.join(map(str, unknown))} are not in the Schools sheet of {tracker_path.name}"
            )
        schools = schools[schools["urn"].isin(list(urns))]
    common: dict[str, Any] = {
        "tracker": str(tracker_path.resolve()),
        "term": term.label,
        "as_of": as_of.isoformat(),
    }
    if policy_path is not None:
        common["policy"] = str(Path(policy_path).resolve())
    jobs: list[Job] = []
    missing: list[str] = []
    declared: dict[str, set[str]] = {}

    def params_for(nb: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        path = notebooks_dir / nb
        if not path.is_file():
            if nb not in missing:
                missing.append(nb)
            return None
        if nb not in declared:
            declared[nb] = notebook_parameters(path)
        return bind_parameters(declared[nb], values)

    def add(nb: str, stem: str, title: str, values: Mapping[str, Any], *, key: str,
            folder: str, section: str, overrides: dict[str, str]) -> None:
        params = params_for(nb, values)
        if params is not None:
            jobs.append(
                Job(
                    key=key,
                    notebook=str(notebooks_dir / nb),
                    parameters=params,
                    html=f"{folder}/{stem}.html",
                    pdf=f"{folder}/{stem}.pdf",
                    title=title,
                    section=section,
                    overrides={"title": title, **overrides},
                )
            )

    for nb, stem, title in TRUST_REPORTS:
        add(nb, stem, title, common, key=f"trust-{stem}", folder="trust",
            section="Trust reports", overrides={})
    for urn, name in zip(schools["urn"], schools["name"], strict=True):
        urn = int(urn)
        for nb, stem, title in SCHOOL_REPORTS:
            add(nb, stem, title, {**common, "urn": urn}, key=f"{urn}-{stem}",
                folder=f"schools/{urn}-{slugify(name)}", section=f"{name} ({urn})",
                overrides={"school": str(name)})
    return TermPlan(jobs, missing)


def write_term_data(
    run_dir: Path, tracker: Any, term: Any, as_of: dt.date
) -> tuple[list[tuple[str, str]], list[str]]:
    """The machine-readable summary (CSV, JSON) and the calendar files; (index links, problems)."""
    links: list[tuple[str, str]] = []
    problems: list[str] = []
    try:
        from toolkit.committee import school_summary

        frame = school_summary(tracker, term, as_of)
        atomic_write(run_dir / "data" / "schools-summary.csv", frame.to_csv(index=False))
        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        payload = {
            "term": term.label,
            "as_of": as_of.isoformat(),
            "tracker": tracker.file_name,
            "tracker_sha256": tracker.sha256,
            "schools": records,
        }
        atomic_write(
            run_dir / "data" / "schools-summary.json", json.dumps(payload, indent=2, default=str)
        )
        links += [
            ("Schools summary (CSV)", "data/schools-summary.csv"),
            ("Schools summary (JSON)", "data/schools-summary.json"),
        ]
    except Exception as exc:
        problems.append(f"summary: {type(exc).__name__}: {exc}")
    try:
        links += write_calendars(run_dir, tracker, term)
    except Exception as exc:
        problems.append(f"calendars: {type(exc).__name__}: {exc}")
    return links, problems


def write_calendars(run_dir: Path, tracker: Any, term: Any) -> list[tuple[str, str]]:
    """Calendar files for the academic year, through the calendar engineer's ``toolkit.ics``."""
    import importlib

    try:
        ics = importlib.import_module("toolkit.ics")
    except ImportError as exc:
        raise RuntimeError(
            "toolkit.ics is not available, so no calendar files were written"
        ) from exc
    written = ics.write_calendars(tracker, term.year.label, run_dir / "calendars")
    return [
        (f"Calendar: {Path(p).name}", str(Path(p).resolve().relative_to(run_dir.resolve())))
        for p in written
    ]
