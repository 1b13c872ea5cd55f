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

Public API: ``plan_term`` (the term's jobs), ``execute_run`` (run them into a new run
folder, giving a ``RunOutcome``), ``run_jobs``, ``interruptible`` / ``Interrupted``
(SIGINT and SIGTERM stop a batch cleanly), ``write_term_data`` (the CSV/JSON summary and calendars), ``Job``,
``JobResult``, ``new_run_dir``, ``write_term_index``, ``write_calendars``, ``slugify``, ``NOTEBOOKS_DIR``; inside a kernel, ``prepare_kernel``.

- **Nothing outlives the batch.** Ctrl-C or SIGTERM stops scheduling at once and ends every
  worker, kernel and browser within seconds (exit 130 / 143), the run staying
  ``run-<time>.incomplete`` with an index counting the reports on disk. If the main process
  is killed outright, each worker notices (``PR_SET_PDEATHSIG`` and a parent-alive thread)
  and ends its kernel and browser, all found by an environment marker (``processes``).
- **Bounded reports.** ``--timeout`` covers running a report's notebook and printing its
  PDF; a runaway report fails alone and its worker, kernel and browser are replaced.

Modules: ``jobs``, ``kernel`` (warm kernels), ``worker`` (the worker process), ``processes``
(finding and ending a batch's processes),
``runfolder`` (run folders and index pages), ``runner`` (the pool and progress),
``planning`` (a term's reports and data files).
"""

from toolkit import lazy_api

_API = {
    "Job": "toolkit.batch.jobs:Job",
    "JobResult": "toolkit.batch.jobs:JobResult",
    "prepare_kernel": "toolkit.batch.kernel:prepare_kernel",
    "new_run_dir": "toolkit.batch.runfolder:new_run_dir",
    "write_term_index": "toolkit.batch.runfolder:write_term_index",
    "run_jobs": "toolkit.batch.runner:run_jobs",
    "execute_run": "toolkit.batch.runner:execute_run",
    "RunOutcome": "toolkit.batch.runner:RunOutcome",
    "Interrupted": "toolkit.batch.runner:Interrupted",
    "interruptible": "toolkit.batch.runner:interruptible",
    "plan_term": "toolkit.batch.planning:plan_term",
    "write_term_data": "toolkit.batch.planning:write_term_data",
    "write_calendars": "toolkit.batch.planning:write_calendars",
    "slugify": "toolkit.batch.planning:slugify",
    "NOTEBOOKS_DIR": "toolkit.batch.planning:NOTEBOOKS_DIR",
}
__all__ = sorted(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
