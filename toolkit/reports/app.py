"""``make app``: serve the LSIP's review and calendar (``notebooks/app/``) with Voilà.

Why a module: ``make app``, the browser tests and the benchmark must start the very same
server. Voilà runs each notebook and shows only its outputs (widgets, no code cells), never
writes the notebook back, and is bound to 127.0.0.1 so the app is on this computer only.
It uses the toolkit's Voilà template (``templates/jupyter/voila/templates/toolkit``): the
stock one fetches web fonts from a CDN, and the app must load nothing from the network.

    python -m toolkit.reports.app [--port 8866]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
APP_NOTEBOOKS = ROOT / "notebooks" / "app"
TEMPLATES = ROOT / "templates" / "jupyter"


def command(port: int, notebooks: Path = APP_NOTEBOOKS) -> tuple[list[str], dict[str, str]]:
    """The Voilà command line and environment for the app on ``port``."""
    argv = [
        str(Path(sys.executable).with_name("voila")),
        str(notebooks),
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        "--no-browser",
        "--template=toolkit",
        "--strip_sources=True",
    ]
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATES), env.get("JUPYTER_PATH", "")) if p)
    return argv, env


def start(port: int, notebooks: Path = APP_NOTEBOOKS, *, log: Any = subprocess.DEVNULL) -> subprocess.Popen:
    """Start the app in a session of its own (for tests and the benchmark); ``stop`` ends it."""
    argv, env = command(port, notebooks)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)  # kernels import this checkout
    return subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def descendants(pid: int) -> list[int]:
    """Every process started under ``pid`` (kernels run in sessions of their own, so a
    process-group signal alone would miss them)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """End the server, its process group and every process under it (kernels included):
    politely first (Voilà shuts its kernels down on SIGTERM), then by force."""
    family = {pid: _cmdline(pid) for pid in descendants(proc.pid)}
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    for pid, cmdline in family.items():
        if cmdline and _cmdline(pid) == cmdline:  # still the same process, not a reused pid
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def main(args: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the designation review and the trust calendar as a no-code app.")
    parser.add_argument("--port", type=int, default=8866)
    port = parser.parse_args(args).port
    argv, env = command(port)
    base = f"http://127.0.0.1:{port}"
    print(
        f"The designation review: {base}/voila/render/designation_review.ipynb\n"
        f"The trust calendar:     {base}/voila/render/trust_calendar.ipynb\n"
        f"(a link can choose, e.g. ?urn=900001&term=2026/27+Autumn; Ctrl-C to stop)",
        flush=True,
    )
    os.execve(argv[0], argv, env)


if __name__ == "__main__":
    main()
