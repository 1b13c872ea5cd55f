"""Finding and ending the processes a batch starts, so none outlives it.

Why it is built like this: a batch is a tree of processes (the main process, worker
processes, a Jupyter kernel per worker, a Playwright driver per worker and its Chromium
with a dozen helpers). Killing the main process must not orphan the rest, and the
machine may run other people's kernels and Chromium at the same time, so processes are
never found by name. Two handles are used instead:

- **a marker in the environment.** Every process of a batch inherits
  ``TOOLKIT_BATCH_RUN=<token>`` (and each worker's own ``TOOLKIT_BATCH_WORKER=<token>``),
  so the batch can find all of its processes, even ones that were re-parented when their
  parent died (``marked``);
- **the parent-death signal.** On Linux a child asks the kernel to signal it when its
  parent dies (``prctl(PR_SET_PDEATHSIG)``); ``watch_parent`` adds a thread that polls the
  parent as a fallback (and the only way elsewhere).

Linux is where batches run; on other systems the /proc helpers find nothing and the
parent-alive thread does the work.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

RUN_MARKER = "TOOLKIT_BATCH_RUN"
WORKER_MARKER = "TOOLKIT_BATCH_WORKER"
PR_SET_PDEATHSIG = 1


def _prctl() -> Any:
    """libc's ``prctl``, looked up once in the parent: a child between fork and exec (a
    ``preexec_fn``) should only call it, not load libraries."""
    global _PRCTL
    if _PRCTL is None:
        try:
            import ctypes

            _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):  # not Linux
            _PRCTL = False
    return _PRCTL


_PRCTL: Any = None


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    """Ask Linux to send ``sig`` to this process when the thread that forked it exits.

    The setting survives ``exec``, so set in a ``preexec_fn`` (see ``die_with_parent``) it
    also binds a kernel or browser started that way.
    """
    prctl = _prctl()
    return bool(prctl) and prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def die_with_parent() -> None:
    """``preexec_fn`` for children that must not outlive the process starting them (call
    ``_prctl()`` in the parent first, as ``kernel`` does)."""
    set_parent_death_signal(signal.SIGKILL)


def watch_parent(parent_pid: int, on_death: Callable[[], None], interval: float = 0.5) -> None:
    """Call ``on_death`` (from a daemon thread) as soon as ``parent_pid`` is no longer our parent."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        on_death()

    threading.Thread(target=watch, name="toolkit-parent-watch", daemon=True).start()


def _proc_pids() -> list[int]:
    try:
        return [int(e) for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return []


def parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return int(fh.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def descendants(root: int) -> set[int]:
    """Every live descendant of ``root`` (not ``root`` itself), from /proc."""
    children: dict[int, list[int]] = {}
    for pid in _proc_pids():
        ppid = parent_of(pid)
        if ppid is not None:
            children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    frontier = [root]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def environ_value(pid: int, name: str) -> str | None:
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    prefix = name.encode() + b"="
    for item in data.split(b"\0"):
        if item.startswith(prefix):
            return item[len(prefix) :].decode(errors="replace")
    return None


def marked(name: str, value: str) -> set[int]:
    """Live processes whose environment holds ``name=value`` (this process excluded)."""
    me = os.getpid()
    return {p for p in _proc_pids() if p != me and environ_value(p, name) == value}


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    except IndexError:
        return False


def kill_all(pids: Iterable[int], sig: int = signal.SIGKILL) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, sig)


def wait_gone(pids: Iterable[int], timeout: float) -> set[int]:
    """Wait until none of ``pids`` is alive (reaping our own children); the ones still alive."""
    left = set(pids)
    deadline = time.monotonic() + timeout
    while left:
        for pid in list(left):
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
            if not alive(pid):
                left.discard(pid)
        if not left or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    return left


def end_processes(pids: Iterable[int], grace: float = 0.0) -> set[int]:
    """SIGTERM (if ``grace``), then SIGKILL whatever is left; the ones that would not die."""
    pids = set(pids)
    if grace > 0:
        kill_all(pids, signal.SIGTERM)
        pids = wait_gone(pids, grace)
    kill_all(pids, signal.SIGKILL)
    return wait_gone(pids, 5.0)
