"""Warm Jupyter kernels: one per worker, prepared before each report.

Starting a kernel costs more than running one of our notebooks, so each worker keeps one
alive and papermill re-runs notebooks in it; ``prepare_kernel`` runs first in every report
so reports cannot see each other's variables, and caches the tracker once per kernel.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

KERNEL_NAME = "python3"
STARTUP_TIMEOUT = 120  # seconds; generous because 2 cores may start several kernels at once
START_ATTEMPTS = 3
RESET_TAG = "toolkit-reset"
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)
# The hidden first cell of every report in a warm kernel.
RESET_SOURCE = "import toolkit.batch.kernel as _toolkit_kernel\n_toolkit_kernel.prepare_kernel()\n"

# --------------------------------------------------------------------------- inside the kernel


_KERNEL_PREPARED = False


def prepare_kernel() -> None:
    """Run inside a warm kernel before each report: close figures; cache the tracker once.

    Reading a large tracker workbook costs far more than a report, and every report in a
    batch reads the same file. ``toolkit.tracker.reader.read_tracker`` is wrapped (once per kernel)
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
        import toolkit.tracker.reader as workbook
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
    """A shallow copy of the cached tracker for one report; its tables keep the indexes
    built for the cached ones (``toolkit.tracker.queries.shallow_copy``)."""
    import dataclasses

    from toolkit.tracker.queries import shallow_copy

    if dataclasses.is_dataclass(tracker) and hasattr(tracker, "tables"):
        return dataclasses.replace(
            tracker, tables={k: shallow_copy(v) for k, v in tracker.tables.items()}
        )
    return tracker


# --------------------------------------------------------------------------- the worker's warm kernel


class WarmKernel:
    """One Jupyter kernel kept alive in a worker process, restarted only when it dies."""

    def __init__(
        self, kernel_name: str = KERNEL_NAME, cwd: str | None = None, socket_dir: str | None = None
    ) -> None:
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.km: Any = None
        self.kc: Any = None
        self._dir = _socket_dir(socket_dir)

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
                # No IPython history database: a batch runs thousands of cells that no one
                # will recall, and the history would sit outside the output folder. The
                # profile goes to this kernel's own temporary folder (removed by close()).
                env = {**os.environ, "IPYTHONDIR": os.path.join(self._dir, "ipython")}
                run_sync(km.start_kernel)(
                    cwd=self.cwd,
                    env=env,
                    extra_arguments=list(KERNEL_ARGUMENTS),
                    **_tied_to_this_process(),
                )
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


def _tied_to_this_process() -> dict[str, Any]:
    """Popen arguments that make the kernel die with the process starting it.

    ``PR_SET_PDEATHSIG`` fires when the *thread* that forked the child ends, so it is set only
    when the kernel is started from the main thread (a worker always does). ipykernel also
    polls its parent (``JPY_PARENT_PID``) and exits when it is gone.
    """
    import sys
    import threading

    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return {}
    from toolkit.batch.processes import _prctl, die_with_parent

    if not _prctl():  # looked up here, in the parent, not after the fork
        return {}
    return {"preexec_fn": die_with_parent}


def _socket_dir(parent: str | None) -> str:
    """A private folder for the kernel's IPC sockets, with a path short enough for them.

    A Unix socket's path may not exceed about 107 bytes; under a deep TMPDIR the kernel
    could not start at all, so such a folder is made directly in /tmp instead.
    """
    path = tempfile.mkdtemp(prefix="k" if parent else "toolkit-kernel-", dir=parent)
    if len(path) > 80 and os.path.isdir("/tmp"):
        os.rmdir(path)
        path = tempfile.mkdtemp(prefix="toolkit-kernel-", dir="/tmp")
    return path


def register_engine() -> None:
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
            deadline: float | None = kwargs.pop("deadline", None)
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            if deadline is not None:  # the cells share the report's time: each gets what is left
                kwargs["timeout_func"] = lambda cell: max(1.0, deadline - time.monotonic())
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
