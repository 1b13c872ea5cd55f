"""End to end, as a committee member would: `toolkit batch` makes a term's reports, then a
real browser (Debian's Chromium, driven by Playwright) opens the index from disk, follows the
link to a school's designation review, reads it, and prints it. The browser is left online
but every request is recorded: a committee report must load nothing from any network."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from report_checks import sample_term_batch

from toolkit.reports.pdf import CHROMIUM_ARGS, chromium_executable

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return sample_term_batch(
        tmp_path_factory.mktemp("inputs"), tmp_path_factory.mktemp("outputs"),
        "--schools", "900006", "--workers", "1", timeout=600,
    )


def test_committee_member_opens_index_follows_link_and_prints(run_dir, tmp_path):
    exe = chromium_executable()
    assert exe, "Chromium is not installed: scripts/system-deps.sh installs it"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=list(CHROMIUM_ARGS))
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))

        page.goto((run_dir / "index.html").as_uri())
        assert "Severn Vale Academy Trust" in page.title()
        school = page.locator("h2", has_text="Castle Hill Academy (900006)")
        assert school.count() == 1
        # the first table after the school's heading lists its designation review
        school.locator("xpath=following-sibling::*[1]").get_by_role("link", name="HTML").first.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("designation-review.html")

        body = page.inner_text("body")
        assert "Castle Hill Academy" in body and "Stabilise" in body
        assert "Urgent improvement in Leadership and governance" in body
        assert "from toolkit" not in body and "In [" not in body  # no code, no prompts
        assert page.locator("img").count() >= 1
        widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
        assert all(w > 0 for w in widths), "every chart image decodes (embedded, not fetched)"
        assert all(img.get_attribute("alt") for img in page.locator("img").all()), "charts have alt text"

        page.emulate_media(media="print")
        pdf_bytes = page.pdf(prefer_css_page_size=True)
        page.screenshot(path=str(tmp_path / "review.png"), full_page=False)
        browser.close()

    assert pdf_bytes.startswith(b"%PDF")
    offline = [u for u in requests if not u.startswith(("file:", "data:", "about:"))]
    assert offline == [], f"the report loaded from a network: {offline}"
