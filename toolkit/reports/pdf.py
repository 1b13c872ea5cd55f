"""PDF engines: committee HTML to an A4 PDF, without LaTeX. Engines are pluggable.

Two engines ship, registered by name (papermill's registry pattern):

- ``chromium``: the system's Chromium (installed by ``scripts/system-deps.sh``) driven by
  Playwright. It prints exactly what a committee member sees in a browser, honours the
  report's CSS paged media (``@page`` margin boxes: running header, "Page N of M") and is
  about four times faster than WeasyPrint on our reports, which is what lets a batch stay
  within a second per school. One browser is kept per process and reused.
- ``weasyprint``: pure Python plus Pango; no browser needed.

Both are offline: only ``data:`` URIs (the embedded charts) may load; any other request is
refused, so a report can never fetch from the network while it is printed.

``default_engine()`` is ``$TOOLKIT_PDF_ENGINE`` if set, else ``chromium`` when a Chromium
executable is found, else ``weasyprint``.

Printing is bounded: inside ``with time_limit(seconds):`` a Chromium print that runs past
the limit (a runaway report: megabytes of text can keep Chromium printing for many minutes)
raises ``PdfTimeout``, and that browser (driver, Chromium and its helpers) is killed, so the
next report gets a fresh one. WeasyPrint runs in the calling thread and cannot be cut off
here; the batch's worker watchdog bounds it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Protocol

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
)


class PdfEngine(Protocol):
    name: str

    def render(self, html: str) -> bytes: ...

    def close(self) -> None: ...


class EngineUnavailable(RuntimeError):
    """The chosen engine cannot run here; the message says how to fix that."""


class PdfTimeout(TimeoutError):
    """Printing took longer than the time left (``time_limit``); the browser was killed."""


_LIMIT = threading.local()


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Bound every PDF printed in this block (this thread) to ``seconds`` in all."""
    previous = getattr(_LIMIT, "deadline", None)
    _LIMIT.deadline = None if seconds is None else time.monotonic() + max(0.0, seconds)
    try:
        yield
    finally:
        _LIMIT.deadline = previous


def _seconds_left() -> float | None:
    deadline = getattr(_LIMIT, "deadline", None)
    return None if deadline is None else deadline - time.monotonic()


def _child_pids() -> set[int]:
    me = os.getpid()
    try:
        from toolkit.batch.processes import descendants, parent_of

        return {p for p in descendants(me) if parent_of(p) == me}
    except ImportError:
        return set()


def chromium_executable() -> str | None:
    explicit = os.environ.get("TOOLKIT_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


class ChromiumEngine:
    """Chromium driven by Playwright on a thread of its own.

    Playwright's sync API refuses a thread that already runs an asyncio loop (a Jupyter
    kernel) or another Playwright; its own thread keeps the engine usable from anywhere.
    """

    name = "chromium"

    def __init__(self) -> None:
        exe = chromium_executable()
        if exe is None:
            raise EngineUnavailable(
                "Chromium is not installed, so PDFs cannot be printed with it. "
                "Run `make system-deps` (installs Debian's chromium), or choose the WeasyPrint "
                "engine with TOOLKIT_PDF_ENGINE=weasyprint."
            )
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="toolkit-chromium")
        self._driver: set[int] = set()
        self._thread.submit(self._start, exe).result()

    def _start(self, exe: str) -> None:
        from playwright.sync_api import sync_playwright

        before = _child_pids()
        self._playwright = sync_playwright().start()
        # The Playwright driver (node) is the child that appeared: killing it and its
        # descendants is how a runaway print is stopped. The driver exits when its stdin
        # closes, i.e. when this process dies, and takes its Chromium with it.
        self._driver = _child_pids() - before
        self._browser = self._playwright.chromium.launch(
            executable_path=exe,
            args=list(CHROMIUM_ARGS),
            # Ctrl-C and SIGTERM are the batch's to handle: a browser that closed itself on
            # the terminal's Ctrl-C would turn the report being printed into a failure.
            handle_sigint=False,
            handle_sigterm=False,
            handle_sighup=False,
        )
        self._context = self._browser.new_context(java_script_enabled=False, offline=True)
        self._context.route("**/*", _offline_only)
        self._page = self._context.new_page()  # reused: a new page per report costs twice as much

    def _print(self, html: str, seconds: float | None) -> bytes:
        limit = {} if seconds is None else {"timeout": max(1.0, seconds) * 1000}
        self._page.set_content(html, wait_until="load", **limit)
        # tagged: a structure tree for screen readers (PDF/UA-style); outline: bookmarks
        # from the headings, so a long report can be navigated in any PDF reader.
        return self._page.pdf(
            prefer_css_page_size=True, print_background=True, format="A4", tagged=True, outline=True
        )

    def render(self, html: str) -> bytes:
        left = _seconds_left()
        if left is not None and left <= 0:
            raise PdfTimeout("no time was left to print the PDF")
        job = self._thread.submit(self._print, html, left)
        try:
            return job.result(timeout=left)
        except FutureTimeout:
            self.kill()
            raise PdfTimeout(
                f"printing the PDF did not finish in the {left:.0f} s left of the report's time limit; "
                "the browser was stopped"
            ) from None

    def kill(self) -> None:
        """End this engine's driver and browser at once (a print that will not finish)."""
        from toolkit.batch.processes import descendants, end_processes

        doomed = set(self._driver)
        for pid in self._driver:
            doomed |= descendants(pid)
        end_processes(doomed)
        _forget(self)
        self._thread.shutdown(wait=False)

    def _stop(self) -> None:
        for step in (self._page.close, self._context.close, self._browser.close, self._playwright.stop):
            with contextlib.suppress(Exception):  # best effort: the process is ending anyway
                step()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._thread.submit(self._stop).result()
        self._thread.shutdown(wait=True)


def _offline_only(route) -> None:
    if route.request.url.startswith("data:"):
        route.continue_()
    else:
        route.abort("blockedbyclient")


class WeasyPrintEngine:
    name = "weasyprint"

    def __init__(self) -> None:
        from weasyprint.urls import URLFetcher

        self._fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)

    def render(self, html: str) -> bytes:
        from weasyprint import HTML

        return HTML(string=html, url_fetcher=self._fetcher, base_url=None).write_pdf()

    def close(self) -> None:
        pass


ENGINES: dict[str, Callable[[], PdfEngine]] = {}
_RUNNING: dict[str, PdfEngine] = {}


def register(name: str, factory: Callable[[], PdfEngine]) -> None:
    ENGINES[name] = factory


register("chromium", ChromiumEngine)
register("weasyprint", WeasyPrintEngine)


def default_engine() -> str:
    chosen = os.environ.get("TOOLKIT_PDF_ENGINE")
    if chosen:
        return chosen
    return "chromium" if chromium_executable() else "weasyprint"


def engine(name: str | None = None) -> PdfEngine:
    """The running engine of that name in this process (started on first use)."""
    name = name or default_engine()
    if name not in ENGINES:
        raise EngineUnavailable(f"Unknown PDF engine {name!r}; choose one of {', '.join(sorted(ENGINES))}.")
    if name not in _RUNNING:
        _RUNNING[name] = ENGINES[name]()
    return _RUNNING[name]


def html_to_pdf(html: str, engine_name: str | None = None) -> bytes:
    return engine(engine_name).render(html)


def _forget(instance: PdfEngine) -> None:
    for name, running in list(_RUNNING.items()):
        if running is instance:
            del _RUNNING[name]


def close_all() -> None:
    while _RUNNING:
        _RUNNING.popitem()[1].close()


atexit.register(close_all)
