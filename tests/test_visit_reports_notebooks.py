"""The LSIP summary and the Progress Board pack show the visits collected from the forms
(notebook parameter ``visits``): the late report the form reveals, and the visitor's line
breaks, escaped."""

from __future__ import annotations

from pathlib import Path

import papermill
import pytest

from toolkit.visits import collect_forms, write_collection

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE_FORMS = ROOT / "inputs" / "visit_forms"

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def collected(sample_tracker, tmp_path_factory):
    return write_collection(collect_forms(SAMPLE_FORMS, sample_tracker), tmp_path_factory.mktemp("collected") / "visits.xlsx")


def _html(nb_name: str, tmp_path: Path, **parameters: object) -> str:
    nb = papermill.execute_notebook(str(NOTEBOOKS / nb_name), str(tmp_path / nb_name), parameters=parameters,
                                    kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOKS))
    return "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))


def test_lsip_summary_lists_the_late_report_from_the_forms(sample_tracker_path, collected, tmp_path):
    base = {"tracker": str(sample_tracker_path), "term": "2026/27 Autumn", "as_of": "2026-11-23"}
    without = _html("lsip_summary.ipynb", tmp_path, **base)
    with_forms = _html("lsip_summary.ipynb", tmp_path, **base, visits=str(collected))
    late = "SIP report on the visit ending Thu 5 Nov 2026 was due Tue 10 Nov 2026 and sent Thu 12 Nov 2026: 2 working day(s) late."
    assert late not in without and late in with_forms
    assert "with measurable success criteria.<br>2. Middle leaders" in with_forms  # the form's line breaks
    assert "&lt; 90%" in with_forms and "< 90%" not in with_forms.replace("&lt; 90%", "")  # escaped


def test_progress_board_pack_shows_the_collected_report(sample_tracker_path, collected, tmp_path):
    html = _html("progress_board_pack.ipynb", tmp_path, tracker=str(sample_tracker_path), urn=900003,
                 term="2026/27 Autumn", as_of="2026-11-23", visits=str(collected))
    from toolkit.visits import read_collected

    v0152 = read_collected(collected).set_index("visit_id").at["V0152", "recommendations"]
    assert "\n" in v0152 and v0152.replace("\n", "<br>") in html
