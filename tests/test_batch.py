"""Batch machinery on tiny synthetic notebooks: isolation, time-outs, atomic listing, no overwrite, kill."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from folder_digest import digest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from toolkit import batch

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]

OK_BODY = """
import time
time.sleep(sleep)
# each report starts in a clean namespace, though the kernel is reused
assert "leftover_from_previous_report" not in globals()
leftover_from_previous_report = n
from toolkit.reports import html as reports
import pandas as pd
display(reports.heading(f"School {n} <b>bold</b>"))
display(reports.table(pd.DataFrame({"n": [n]})))
"""


def _notebook(path: Path, body: str) -> str:
    nb = new_notebook(
        cells=[
            new_code_cell("n = 0\nsleep = 0.0", metadata={"tags": ["parameters"]}),
            new_markdown_cell("# A report"),
            new_code_cell(body),
        ]
    )
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return str(path)


@pytest.fixture()
def notebooks(tmp_path: Path) -> dict[str, str]:
    return {
        "ok": _notebook(tmp_path / "ok.ipynb", OK_BODY),
        "bad": _notebook(
            tmp_path / "bad.ipynb", "x = 1\nraise ValueError(f'school {n} has no data')"
        ),
    }


def _jobs(
    nbs: dict[str, str], n: int, bad: set[int] = frozenset(), sleep: float = 0.0, pdf: bool = True
) -> list[batch.Job]:
    return [
        batch.Job(
            key=f"school-{i}",
            notebook=nbs["bad" if i in bad else "ok"],
            parameters={"n": i, "sleep": sleep},
            html=f"reports/school-{i}.html",
            pdf=f"reports/school-{i}.pdf" if pdf else None,
            title=f"Report <{i}>",
            section="Schools",
        )
        for i in range(n)
    ]


def _listed(index_html: str) -> list[str]:
    return re.findall(r'href="(reports/[^"]+)"', index_html)




def test_one_failure_does_not_stop_the_others_and_reruns_never_overwrite(notebooks, tmp_path):
    term_dir = tmp_path / "outputs" / "2026-27-autumn"
    first = batch.execute_run(
        _jobs(notebooks, 4, bad={2}),
        term_dir,
        title="Run one",
        workers=2,
        timeout=60,
        progress=False,
    )

    assert first.run_dir.name.startswith("run-") and not first.run_dir.name.endswith(".incomplete")
    ok = {k for k, r in first.results.items() if r.ok}
    assert ok == {"school-0", "school-1", "school-3"}
    failure = first.results["school-2"]
    assert failure.ename == "ValueError" and "school 2 has no data" in failure.evalue
    assert failure.cell_index is not None
    assert failure.cell_source == "x = 1"  # the failing cell, named so it can be found
    kept = first.run_dir / failure.error_notebook
    assert kept.is_file() and kept.parent.name == "failed"
    err_nb = nbformat.read(str(kept), as_version=4)
    assert any(o.get("output_type") == "error" for c in err_nb.cells for o in c.get("outputs", []))
    index = (first.run_dir / "index.html").read_text()
    assert sorted(_listed(index)) == sorted(
        f"reports/school-{i}.{ext}" for i in (0, 1, 3) for ext in ("html", "pdf")
    )
    assert "Finished" in index and "school 2 has no data" in index
    assert "Report &lt;0&gt;" in index and "<0>" not in index  # titles escaped
    html = (first.run_dir / "reports" / "school-0.html").read_text()
    assert "School 0 &lt;b&gt;bold&lt;/b&gt;" in html
    assert (first.run_dir / "reports" / "school-3.pdf").read_bytes().startswith(b"%PDF")
    assert not (first.run_dir / ".work").exists()
    assert os.readlink(term_dir / "latest") == first.run_dir.name

    before = digest(first.run_dir)
    second = batch.execute_run(
        _jobs(notebooks, 2), term_dir, title="Run two", workers=1, timeout=60, progress=False
    )
    assert second.run_dir != first.run_dir
    assert digest(first.run_dir) == before  # the earlier run is untouched
    assert os.readlink(term_dir / "latest") == second.run_dir.name
    term_index = (term_dir / "index.html").read_text()
    assert first.run_dir.name in term_index and second.run_dir.name in term_index


def test_latest_is_the_newest_complete_run_whichever_finishes_first(tmp_path):
    """Two runs at once: the one started later finishes first; the earlier one must not take
    ``latest`` from it, and ``latest`` and the term's index agree."""
    import datetime as dt

    from toolkit.batch.runfolder import finish_run_dir, newest_complete_run

    term_dir = tmp_path / "term"
    older = batch.new_run_dir(term_dir, dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC))
    newer = batch.new_run_dir(term_dir, dt.datetime(2026, 11, 30, 9, 5, tzinfo=dt.UTC))
    newer_final = finish_run_dir(newer)
    assert os.readlink(term_dir / "latest") == newer_final.name
    older_final = finish_run_dir(older)  # finishes last
    assert os.readlink(term_dir / "latest") == newer_final.name
    assert newest_complete_run(term_dir) == newer_final
    rows = re.findall(r'<a href="([^"/]+)/index.html">[^<]*</a></td><td>([^<]*)</td>',
                      (term_dir / "index.html").read_text())  # fmt: skip
    assert rows == [(newer_final.name, "latest"), (older_final.name, "earlier")]
    # an incomplete run started even later changes neither
    batch.new_run_dir(term_dir, dt.datetime(2026, 11, 30, 9, 10, tzinfo=dt.UTC))
    batch.write_term_index(term_dir)
    assert os.readlink(term_dir / "latest") == newer_final.name
    assert re.search(rf"{newer_final.name}</a></td><td>latest", (term_dir / "index.html").read_text())


def test_a_timed_out_report_fails_alone_and_the_kernel_is_replaced(notebooks, tmp_path):
    jobs = _jobs(notebooks, 3, pdf=False)
    # A cell that sleeps 300 s against a 10 s limit. The limit leaves room for a fresh
    # kernel's first cell on a loaded machine; the sleep is far beyond it either way.
    jobs[0] = batch.Job(**{**jobs[0].__dict__, "parameters": {"n": 0, "sleep": 300.0}})
    run_dir = batch.new_run_dir(tmp_path / "t")
    started = time.monotonic()
    results = batch.run_jobs(jobs, run_dir, workers=1, timeout=10, progress=False)
    assert time.monotonic() - started < 120  # the 300 s cell was cut off
    assert not results["school-0"].ok and results["school-0"].ename == "CellTimeoutError"
    assert results["school-1"].ok and results["school-2"].ok


# One 400,000-character word in a table cell: small to render, but a browser lays it out
# for many minutes when printing (a tracker cell of 861k characters did this).
RUNAWAY_BODY = """
from IPython.display import HTML, display
display(HTML("<table><tr><td>" + "x" * 400_000 + "</td></tr></table>"))
"""


# 30,000 table rows: WeasyPrint takes well over a minute to lay them out.
LONG_TABLE_BODY = """
from IPython.display import HTML, display
display(HTML("<table>" + "<tr><td>x</td><td>many words here</td></tr>" * 30_000 + "</table>"))
"""


def _runaway_then_ok(
    tmp_path: Path, notebooks: dict[str, str], body: str = RUNAWAY_BODY
) -> list[batch.Job]:
    """A report that takes minutes to print, then a normal one."""
    runaway = _notebook(tmp_path / "runaway.ipynb", body)
    jobs = _jobs(notebooks, 2)
    return [batch.Job(**{**jobs[0].__dict__, "notebook": runaway}), jobs[1]]


def test_a_runaway_pdf_fails_alone_within_the_time_limit_and_the_browser_is_replaced(
    notebooks, tmp_path, monkeypatch
):
    monkeypatch.setenv("TOOLKIT_PDF_ENGINE", "chromium")
    run_dir = batch.new_run_dir(tmp_path / "t")
    started = time.monotonic()
    results = batch.run_jobs(
        _runaway_then_ok(tmp_path, notebooks), run_dir, workers=1, timeout=20, progress=False
    )
    assert time.monotonic() - started < 120
    runaway = results["school-0"]
    assert not runaway.ok and runaway.ename == "PdfTimeout", runaway
    assert "did not finish" in runaway.evalue and "browser was stopped" in runaway.evalue
    assert runaway.seconds < 20 + 10  # the limit covers execution and printing together
    assert not (run_dir / "reports" / "school-0.pdf").exists()
    assert results["school-1"].ok  # a new browser printed the next report
    assert (run_dir / "reports" / "school-1.pdf").read_bytes().startswith(b"%PDF")


def test_a_report_stuck_beyond_its_time_limit_has_its_worker_replaced(
    notebooks, tmp_path, monkeypatch
):
    """WeasyPrint cannot be cut off inside the worker: the pool kills the worker instead."""
    from toolkit.batch import runner

    monkeypatch.setenv("TOOLKIT_PDF_ENGINE", "weasyprint")
    monkeypatch.setattr(runner, "OVERRUN_GRACE", 2.0)
    run_dir = batch.new_run_dir(tmp_path / "t")
    started = time.monotonic()
    results = batch.run_jobs(
        _runaway_then_ok(tmp_path, notebooks, LONG_TABLE_BODY),
        run_dir,
        workers=1,
        timeout=30,
        progress=False,
    )
    assert time.monotonic() - started < 150
    stuck = results["school-0"]
    assert not stuck.ok and stuck.ename == "TimeoutError", stuck
    assert 30 < stuck.seconds < 30 + 2 + 10
    assert "time limit of 30 s" in stuck.evalue and "worker was stopped" in stuck.evalue
    assert results["school-1"].ok  # on a new worker, with a new kernel


DRIVER = textwrap.dedent(
    """
    import sys, json
    from pathlib import Path
    from toolkit import batch
    jobs = [batch.Job(**j) for j in json.loads(Path(sys.argv[1]).read_text())]
    batch.execute_run(jobs, Path(sys.argv[2]), title="Killed run", workers=2, timeout=60, progress=False)
    """
)


def test_killing_the_batch_midway_leaves_earlier_outputs_intact_and_lists_only_complete_reports(
    notebooks, tmp_path
):
    import json

    term_dir = tmp_path / "outputs" / "2026-27-autumn"
    earlier = batch.execute_run(
        _jobs(notebooks, 1), term_dir, title="Earlier", workers=1, timeout=60, progress=False
    )
    before = digest(earlier.run_dir)
    before_term_index = (term_dir / "index.html").read_text()

    jobs_file = tmp_path / "jobs.json"
    jobs_file.write_text(json.dumps([j.__dict__ for j in _jobs(notebooks, 12, sleep=0.6)]))
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(jobs_file), str(term_dir)],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        staging: Path | None = None
        while time.monotonic() < deadline:
            found = list(term_dir.glob("run-*.incomplete/index.html"))
            if found and _listed(found[0].read_text()):
                staging = found[0].parent
                break
            time.sleep(0.05)
        assert staging is not None, "the batch never listed a finished report"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch, its workers and their kernels
        proc.wait(timeout=30)

    # earlier outputs intact, and still the latest complete run
    assert digest(earlier.run_dir) == before
    assert os.readlink(term_dir / "latest") == earlier.run_dir.name
    assert staging.exists() and staging.name.endswith(".incomplete")
    assert "incomplete (in progress, or stopped" in (term_dir / "index.html").read_text()
    assert earlier.run_dir.name in before_term_index
    # every report the killed run lists is complete; it does not claim to have finished
    index = (staging / "index.html").read_text()
    assert "Finished" not in index
    listed = _listed(index)
    assert 0 < len(listed) < 24
    for rel in listed:
        data = (staging / rel).read_bytes()
        if rel.endswith(".pdf"):
            assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
        else:
            assert data.rstrip().endswith(b"</html>")
    # a report whose PDF never landed is not listed as done
    for rel in listed:
        twin = rel[:-4] + "pdf" if rel.endswith(".html") else rel[:-3] + "html"
        assert twin in listed


def test_batch_processes_validate_notebooks_without_the_slow_iri_checker(tmp_path):
    """``skip_unused_imports`` (called by ``toolkit batch`` and each worker) leaves jsonschema's
    optional IRI checker unimported, and papermill and nbformat still read, validate and
    parameterise a report notebook; JupyterLab's processes never call it."""
    code = textwrap.dedent(
        f"""
        import sys
        from toolkit.batch.imports import skip_unused_imports
        skip_unused_imports()
        import nbformat, papermill
        nb = nbformat.read({str(batch.NOTEBOOKS_DIR / "designation_review.ipynb")!r}, as_version=4)
        nbformat.validate(nb)
        assert "urn" in papermill.inspect_notebook({str(batch.NOTEBOOKS_DIR / "designation_review.ipynb")!r})
        assert sys.modules.get("rfc3987_syntax") is None and "lark" not in sys.modules
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
    # without it, the module is there to be imported (the skip is what removes it)
    plain = subprocess.run(
        [sys.executable, "-c", "import jsonschema, sys; print('rfc3987_syntax' in sys.modules)"],
        capture_output=True, text=True, timeout=120,
    )
    assert plain.stdout.strip() == "True"
