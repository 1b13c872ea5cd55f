"""notebooks/trust_calendar.ipynb run with papermill on the sample tracker."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def executed(sample_tracker_path, tmp_path_factory):
    import papermill as pm
    from conftest import NOTEBOOKS

    out = tmp_path_factory.mktemp("nb") / "trust_calendar.ipynb"
    return pm.execute_notebook(
        str(NOTEBOOKS / "trust_calendar.ipynb"), str(out), cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False,
        parameters={"tracker_path": str(sample_tracker_path), "year": "2026/27", "as_of": "2026-11-23"},
    )


def _outputs(nb, mime):
    return [o["data"][mime] for c in nb.cells for o in c.get("outputs", []) if mime in o.get("data", {})]


def test_parameters_cell_is_tagged():
    import nbformat
    from conftest import NOTEBOOKS

    nb = nbformat.read(NOTEBOOKS / "trust_calendar.ipynb", 4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("tracker_path", "policy_path", "year", "as_of"):
        assert f"{name} =" in tagged[0].source


def test_notebook_draws_the_year_with_a_text_alternative(executed):
    html = "\n".join(_outputs(executed, "text/html"))
    charts = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', html)
    assert len(charts) == 1
    png, alt = charts[0]
    assert len(png) > 10_000  # the timeline itself, embedded
    assert alt.startswith("Timeline of the 2026/27 academic year")  # the text alternative
    assert "Autumn 2 02 Nov to 18 Dec 2026" in alt
    assert "Figures in the chart" in html and "SIP minimum visits" in html


def test_notebook_lists_upcoming_deadlines(executed):
    html = "\n".join(_outputs(executed, "text/html"))
    # On Mon 23 Nov 2026 the agenda window for January's minimum visits (Autumn 2,
    # 2 Nov - 18 Dec) is open; the Deputy CEO's monthly report to the CEO falls on the last
    # working day of November, Mon 30 Nov; the termly report to Progress Board, Executive
    # Team and Standards Committee on the last day of Autumn 2, Fri 18 Dec 2026 (within 28
    # days). The sample's visits all had their reports due by 20 Nov, so none is listed.
    assert '<th scope="col">Due</th>' in html and '<th scope="col">Send to</th>' in html
    assert "Issue agenda for SIP minimum visit (January)" in html
    assert "<td>Mon 30 Nov 2026</td><td>Trust</td><td>Deputy CEO monthly report to the CEO</td><td>CEO</td>" in html
    assert "<td>Fri 18 Dec 2026</td><td>Brookside Primary School</td><td>Deputy CEO report (termly, Autumn 2)</td>" in html
    assert "Visit report sent late" in html  # the compliance summary
