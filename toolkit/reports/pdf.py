"""PDF engines: committee HTML to an A4 PDF, without LaTeX. Engines are pluggable.

Two engines ship, registered by name (papermill's registry pattern):

- ``chromium``: the system's Chromium (installed by ``scripts/system-deps.sh``) driven by
  Playwright. It prints exactly what a committee member sees in a browser, honours the
  report's CSS paged media (``@page`` margin boxes: running header, "Page N of M") and is
  about four times faster than WeasyPrint on our reports, which is what lets a batch stay
  within a second per school. One browser is kept per process and reused. It prefers
  Debian's ``chromium-headless-shell``: the same Blink and the same Skia PDF backend
  (pages print pixel-identical, tagged, with the same bookmarks) without the full
  browser's machinery, so loading and printing a report takes about a third less time.
  Without it, the full ``chromium`` prints.
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
#: Headless-only builds of the same Chromium, preferred for printing (see the module's docstring).
PRINT_CHROMIUM_NAMES = ("chromium-headless-shell", "chrome-headless-shell")
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

    def render(self, html: str, *, draft: bool = False) -> bytes: ...

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
    """The browser: ``$TOOLKIT_CHROMIUM`` if set, else the system's full Chromium."""
    explicit = os.environ.get("TOOLKIT_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def print_executable() -> str | None:
    """The Chromium that prints PDFs: ``$TOOLKIT_CHROMIUM`` if set, else the headless shell
    if installed, else the full browser (``chromium_executable``)."""
    if os.environ.get("TOOLKIT_CHROMIUM"):
        return chromium_executable()
    return next((p for p in map(shutil.which, PRINT_CHROMIUM_NAMES) if p), None) or chromium_executable()


class ChromiumEngine:
    """Chromium driven by Playwright on a thread of its own.

    Playwright's sync API refuses a thread that already runs an asyncio loop (a Jupyter
    kernel) or another Playwright; its own thread keeps the engine usable from anywhere.
    """

    name = "chromium"

    def __init__(self) -> None:
        exe = print_executable()
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

    def _print(self, html: str | None, seconds: float | None, draft: bool, texts: tuple[str, list[str]] | None = None) -> bytes:
        limit = {} if seconds is None else {"timeout": max(1.0, seconds) * 1000}
        if html is not None:
            self._page.set_content(html, wait_until="load", **limit)
        if texts is not None:  # DevTools evaluation works with the page's own scripts off
            self._page.evaluate(
                "([sel, texts]) => document.querySelectorAll(sel).forEach((e, i) => { if (i < texts.length) e.textContent = texts[i]; })",
                list(texts),
            )
        # tagged: a structure tree for screen readers (PDF/UA-style); outline: bookmarks
        # from the headings, so a long report can be navigated in any PDF reader. A draft
        # (printed only to learn which page each section starts on) needs neither, and
        # printing untagged costs about a third less; its page breaks are the same.
        final = not draft
        return self._page.pdf(
            prefer_css_page_size=True, print_background=True, format="A4", tagged=final, outline=final
        )

    def render(self, html: str, *, draft: bool = False) -> bytes:
        return self._submit(html, draft, None)

    def reprint(self, selector: str, texts: list[str]) -> bytes:
        """The page of the last ``render`` printed again (final, tagged) after setting the
        text of each element matching ``selector``, in order, to ``texts``.

        The contents list's page numbers go in this way: reloading a long report to change
        a few digits would cost as much again as the draft print.
        """
        return self._submit(None, False, (selector, list(texts)))

    def _submit(self, html: str | None, draft: bool, texts: tuple[str, list[str]] | None) -> bytes:
        left = _seconds_left()
        if left is not None and left <= 0:
            raise PdfTimeout("no time was left to print the PDF")
        job = self._thread.submit(self._print, html, left, draft, texts)
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

    def render(self, html: str, *, draft: bool = False) -> bytes:
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
    return "chromium" if print_executable() else "weasyprint"


def engine(name: str | None = None) -> PdfEngine:
    """The running engine of that name in this process (started on first use)."""
    name = name or default_engine()
    if name not in ENGINES:
        raise EngineUnavailable(f"Unknown PDF engine {name!r}; choose one of {', '.join(sorted(ENGINES))}.")
    if name not in _RUNNING:
        _RUNNING[name] = ENGINES[name]()
    return _RUNNING[name]


def numbered_pdf(
    html: str, number: Callable[[str, bytes], tuple[str, str, list[str]]], engine_name: str | None = None
) -> tuple[str, bytes]:
    """Print ``html`` whose text depends on its own page breaks (a contents list's page numbers).

    A draft is printed first; ``number(html, draft_pdf)`` returns the final HTML plus what
    changed in it (a CSS selector and the new text of each element it matches). An engine
    that can (``reprint``) sets those texts in the page it already has and prints again;
    another prints the final HTML afresh. Returns (final HTML, final PDF).
    """
    eng = engine(engine_name)
    final, selector, texts = number(html, eng.render(html, draft=True))
    reprint = getattr(eng, "reprint", None)
    return final, (reprint(selector, texts) if reprint is not None else eng.render(final))


def html_to_pdf(html: str, engine_name: str | None = None, *, draft: bool = False) -> bytes:
    """``html`` printed by the named (else the default) engine; ``draft``: only to read its
    page breaks (an engine may then skip the structure tree and bookmarks)."""
    return engine(engine_name).render(html, draft=draft)


def _forget(instance: PdfEngine) -> None:
    for name, running in list(_RUNNING.items()):
        if running is instance:
            del _RUNNING[name]


def close_all() -> None:
    while _RUNNING:
        _RUNNING.popitem()[1].close()


atexit.register(close_all)
