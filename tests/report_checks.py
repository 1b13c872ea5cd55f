"""Layout checks run in Chromium on a report page, shared by the layout and accessibility
tests. Each returns the defects it finds (empty when the page is right), so a test can
print them all at once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TRACKER = ROOT / "inputs" / "sample_tracker.xlsx"


def sample_term_batch(inputs: Path, out: Path, *extra: str, timeout: float = 900) -> Path:
    """``toolkit batch`` on a copy of the committed sample tracker (and its policy) in
    ``inputs``, for the term 2026/27 Autumn as of 23 November 2026, writing to ``out``;
    ``extra`` arguments are added (``--schools``, ``--workers``). The run folder."""
    import shutil
    import subprocess
    import sys

    for name in ("sample_tracker.xlsx", "policy.toml"):
        shutil.copy(SAMPLE_TRACKER.parent / name, inputs / name)
    cmd = [sys.executable, "-m", "toolkit", "batch", str(inputs / "sample_tracker.xlsx"),
           "--term", "2026/27 Autumn", "--as-of", "2026-11-23", "--out", str(out),
           "--no-progress", *extra]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return (out / "2026-27-autumn" / "latest").resolve()


#: A4 content widths in CSS px (96/in) for the report's @page margins (15 mm each side):
#: what a table has to fit in print, portrait and landscape.
PORTRAIT_PX = round((210 - 30) / 25.4 * 96)
LANDSCAPE_PX = round((297 - 30) / 25.4 * 96)

# Lays the page out at its printed width (print media, landscape sections at landscape
# width), then, for every table cell: is the cell or its table wider than its box (a word
# overflows), and does any single word take more than one line box (a word broken)?
LAYOUT_JS = """
([portrait, landscape]) => {
  document.body.style.maxWidth = 'none';
  document.body.style.padding = '0';
  document.body.style.width = portrait + 'px';
  for (const el of document.querySelectorAll('.landscape-page')) el.style.width = landscape + 'px';
  const defects = [];
  const name = (cell) => {
    const t = cell.closest('table');
    const cap = t.querySelector('caption');
    const head = t.querySelector('thead th');
    return (cap ? cap.textContent : (head ? head.textContent : 'table')).trim().slice(0, 60);
  };
  for (const table of document.querySelectorAll('table')) {
    const box = table.parentElement.getBoundingClientRect().width;
    const width = table.getBoundingClientRect().width;
    if (width > box + 1) defects.push(`table wider than the page (${Math.round(width)} > ${Math.round(box)} px): ${name(table.querySelector('th, td') || table)}`);
  }
  for (const cell of document.querySelectorAll('th, td')) {
    if (cell.closest('.provenance')) continue;  // the hash breaks on purpose
    if (cell.scrollWidth > cell.clientWidth + 1) {
      defects.push(`cell overflows (${cell.scrollWidth} > ${cell.clientWidth} px): "${cell.textContent.trim().slice(0, 40)}" in ${name(cell)}`);
    }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s-]*-+|[^\\s-]+/g;  // a hyphen is a line-break opportunity: words are the parts between
      let m;
      while ((m = re.exec(node.textContent)) !== null) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) defects.push(`word broken across lines: "${m[0]}" in ${cell.tagName} of ${name(cell)}`);
      }
    }
  }
  return defects;
}
"""


def layout_defects(page, url: str) -> list[str]:
    """Open ``url`` in ``page`` as printed and list every overflowing or broken cell."""
    page.goto(url)
    page.emulate_media(media="print")
    return page.evaluate(LAYOUT_JS, [PORTRAIT_PX, LANDSCAPE_PX])


def report_files(run_dir: Path) -> list[Path]:
    """Every committee report HTML of a run (trust and school reports)."""
    return sorted(p for p in run_dir.rglob("*.html") if p.name != "index.html")


@contextlib.contextmanager
def offline_chromium_page() -> Iterator[Any]:
    """A page in the system Chromium (the project's launch flags), offline: what the layout
    and accessibility tests read the reports in."""
    from playwright.sync_api import sync_playwright

    from toolkit.reports.pdf import CHROMIUM_ARGS, chromium_executable

    exe = chromium_executable()
    assert exe, "Chromium is not installed: scripts/system-deps.sh installs it"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=list(CHROMIUM_ARGS))
        try:
            yield browser.new_context(offline=True).new_page()
        finally:
            browser.close()
