"""The designation review notebook, executed with papermill for every sample school.

Expected designations come from the sample's planted story and expected support days from
the policy's package table, never from the notebook's own output.
"""

from __future__ import annotations

import html
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from toolkit.policy import default_policy
from toolkit.tracker.sample import generate
from toolkit.tracker.template import write_tracker

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "designation_review.ipynb"
SAMPLE = ROOT / "inputs" / "sample_tracker.xlsx"
TERM = "2026/27 Autumn"
HOSTILE = "<script>alert('x')</script> & <b>bold</b>"

pytestmark = pytest.mark.notebook


def _run(job: tuple[Path, Path, dict]) -> Path:
    import papermill

    src, out, params = job
    papermill.execute_notebook(
        str(src), str(out), parameters=params, kernel_name="python3", progress_bar=False, cwd=str(src.parent), start_timeout=180, execution_timeout=300
    )
    return out


def _summary(nb: nbformat.NotebookNode) -> dict[str, str]:
    """The key/value pairs of the first summary table the notebook displayed."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            markup = out.get("data", {}).get("text/html", "")
            if "summary-box" in markup:
                return {html.unescape(k): html.unescape(v) for k, v in re.findall(r'data-key="([^"]+)">([^<]*)<', markup)}
    raise AssertionError("the notebook showed no summary box")


def _all_html(nb: nbformat.NotebookNode) -> str:
    return "".join(out.get("data", {}).get("text/html", "") for c in nb.cells for out in c.get("outputs", []))


@dataclass
class Executed:
    schools: dict[int, nbformat.NotebookNode]
    hostile: nbformat.NotebookNode
    planted: dict


def execute_all(work: Path) -> Executed:
    """Run the notebook for every sample school (two at a time), plus one on a tracker whose
    evidence text holds markup, and read the results."""
    trust = generate()
    tracker = SAMPLE
    if not tracker.is_file():
        tracker = work / "sample_tracker.xlsx"
        write_tracker(tracker, trust.rows)
    hostile_rows = {k: [dict(r) for r in v] for k, v in trust.rows.items()}
    target = next(r for r in hostile_rows["assessments"] if r["urn"] == 900001 and r["academic_year"] == "2026/27")
    target["qi3_evidence"] = HOSTILE
    hostile = write_tracker(work / "hostile.xlsx", hostile_rows)
    jobs = [(NOTEBOOK, work / f"{urn}.ipynb", {"urn": urn, "term": TERM, "tracker_path": str(tracker)}) for urn in trust.urns]
    jobs.append((NOTEBOOK, work / "hostile.ipynb", {"urn": 900001, "term": TERM, "tracker_path": str(hostile)}))
    with ProcessPoolExecutor(max_workers=2) as pool:
        outs = list(pool.map(_run, jobs))
    schools = {job[2]["urn"]: nbformat.read(out, as_version=4) for job, out in zip(jobs[:-1], outs[:-1], strict=True)}
    return Executed(schools, nbformat.read(outs[-1], as_version=4), trust.planted)


def check_designation_and_support_days(executed: Executed) -> None:
    planted = executed.planted
    policy = default_policy()
    assert set(planted["designations"]) == set(executed.schools)
    for urn, story in planted["designations"].items():
        shown = _summary(executed.schools[urn])
        agreed = story[TERM]
        package = policy.package(agreed)
        assert shown["Agreed designation"] == agreed, urn
        assert shown["Designation in force"] == agreed, urn
        assert shown["Risk"] == policy.risk(agreed), urn
        assert shown["SIP days a year"] == f"{package.sip_days_per_year:g}", urn
        assert shown["SIA days"] == f"{package.sia_days:g} a {package.sia_days_per}", urn


def check_sample_stories(executed: Executed) -> None:
    # Castle Hill: the report card's Urgent improvement limits the proposal.
    castle = _all_html(executed.schools[900006])
    assert _summary(executed.schools[900006])["Proposed designation"] == "Stabilise"
    assert "Ofsted Urgent improvement in Leadership and governance, 3 Feb 2026" in castle
    # Westbury: indicators best-fit to Repair, EIT agreed Improve: flagged.
    assert _summary(executed.schools[900008])["Proposed designation"] == "Repair"
    assert "The agreed designation (Improve) differs from the proposal (Repair)." in _all_html(executed.schools[900008])
    # Hollins Lane: the blank climate judgement is suggested from data.
    assert re.search(r"QI6 Climate for learning</td><td>Improve</td><td>Suggested from data", _all_html(executed.schools[900002]))
    # Millbrook leaves High risk this term.
    assert "Leaves High risk" in _all_html(executed.schools[900009])


def check_charts_have_text_alternatives(executed: Executed) -> None:
    page = _all_html(executed.schools[900006])
    images = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', page)
    assert len(images) >= 3
    assert all(len(alt) > 30 for alt in images)
    assert page.count("Figures in the chart") == len(images)
    assert "http://" not in page and "https://" not in page


def check_free_text_escaped(executed: Executed) -> None:
    page = _all_html(executed.hostile)
    assert html.escape(HOSTILE) in page
    assert "<script>alert" not in page and "<b>bold</b>" not in page


def test_notebook_for_every_sample_school(tmp_path):
    """One test (so parallel test workers run the notebooks once): every sample school's
    review shows its agreed designation and the package's support days; the sample's
    stories show; charts carry text alternatives; tracker free text is escaped."""
    executed = execute_all(tmp_path)
    check_designation_and_support_days(executed)
    check_sample_stories(executed)
    check_charts_have_text_alternatives(executed)
    check_free_text_escaped(executed)
