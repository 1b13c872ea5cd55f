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
import os
import sys
from pathlib import Path

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
