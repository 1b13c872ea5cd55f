"""WCAG 2.2 AA: every report of the sample term and the run's index page, checked with
axe-core (shipped inside ``axe-playwright-python``: nothing is fetched) in Chromium.
Academy trusts are public sector bodies (Public Sector Bodies Accessibility Regulations
2018): zero violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from report_checks import offline_chromium_page, report_files

pytestmark = pytest.mark.e2e

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


@pytest.fixture(scope="module")
def audit():
    with offline_chromium_page() as page:
        axe = Axe()

        def run(uri: str) -> list[str]:
            page.goto(uri)
            found = axe.run(page, options={**WCAG_AA, "resultTypes": ["violations"]}).response["violations"]
            return [
                f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                for v in found
            ]

        yield run


def test_axe_finds_a_violation_when_there_is_one(audit, tmp_path):
    """The audit can fail: an image without alt text, a page without a language."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><img src="data:,"></body></html>')
    ids = {v.split(" ")[0] for v in audit(bad.as_uri())}
    assert {"image-alt", "html-has-lang"} <= ids


def test_every_report_and_the_index_have_no_wcag_aa_violations(audit, sample_term_reports):
    pages = [*report_files(sample_term_reports), sample_term_reports / "index.html"]
    assert len(pages) == 23
    found = {}
    for path in pages:
        violations = audit(path.as_uri())
        if violations:
            found[str(path.relative_to(sample_term_reports))] = violations
    assert found == {}


def test_reports_declare_their_language_and_label_their_tables(sample_term_reports):
    for path in report_files(sample_term_reports):
        html = path.read_text(encoding="utf-8")
        assert '<html lang="en-GB">' in html, path
        assert "<th>" not in html.split("<main>", 1)[1].split('<section class="provenance">')[0], path
