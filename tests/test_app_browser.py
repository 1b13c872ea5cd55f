"""The LSIP's way in, driven in the system Chromium as an LSIP would: the Voilà app
(``make app``) and JupyterLab on working copies. Pick a school and every section changes;
change a what-if and the proposal and package change; try an inspection outcome and the
limiting-judgement line appears and disappears; Reset and Compare; and no tracked file in
the repository changes. One server per module (fixtures), killed with its process group.

Set TOOLKIT_SCREENSHOT_DIR to keep the 1366x768 screenshots to look at."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright

from toolkit.reports.app import command, stop
from toolkit.reports.interactive import SECTIONS
from toolkit.reports.pdf import CHROMIUM_ARGS, chromium_executable

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
VIEWPORT = {"width": 1366, "height": 768}  # a common laptop screen
CASTLE_HILL = "Castle Hill Academy (900006)"  # Urgent improvement in Leadership and governance: Stabilise
BROOKSIDE = "Brookside Primary School (900001)"  # Sustain, no limiting judgement
LIMITS = "the Ofsted category of concern limits the proposal"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}: {log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=2).close()
            return
        time.sleep(0.3)
    raise AssertionError(f"server did not answer at {url}: {log.read_text()[-3000:]}")


@contextlib.contextmanager
def server(argv: list[str], env: dict[str, str], url: str, log: Path, cwd: Path = ROOT) -> Iterator[subprocess.Popen]:
    """Start a server in its own session; end it with its process group and kernels."""
    env = {**env, "PYTHONPATH": str(ROOT)}  # the kernels import this checkout's toolkit
    with log.open("w") as out:
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(url, proc, log)
        yield proc
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def status_before() -> str:
    return git_status()


@pytest.fixture(scope="module")
def browser():
    exe = chromium_executable()
    assert exe, "Chromium is not installed: scripts/system-deps.sh installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=list(CHROMIUM_ARGS))
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_url(status_before, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    argv, env = command(port)
    url = f"http://127.0.0.1:{port}"
    with server(argv, env, url + "/", tmp_path_factory.mktemp("voila") / "voila.log"):
        yield url


@pytest.fixture(scope="module")
def lab_url(status_before, tmp_path_factory) -> Iterator[str]:
    """JupyterLab as `make lab` runs it: on working copies (here a temp copy of notebooks/
    beside a copy of inputs/, so the notebooks' relative paths hold), as root if root."""
    home = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", home / "work")
    shutil.copytree(ROOT / "inputs", home / "inputs")
    port, token = free_port(), "toolkit-test-token"
    argv = [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home / 'work'}", f"--LabApp.workspaces_dir={home / 'workspaces'}"]  # fmt: skip
    if os.geteuid() == 0:
        argv.append("--allow-root")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTER_CONFIG_DIR": str(home / "config")}
    url = f"http://127.0.0.1:{port}"
    with server(argv, env, f"{url}/api/status?token={token}", home / "lab.log", cwd=home):
        yield f"{url}/lab/tree/%s?token={token}"


def sections(page: Page) -> dict[str, str]:
    return {key: page.locator(f'section[data-section="{key}"]').inner_text() for key, _, _ in SECTIONS}


def shot(page: Page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / name))
    keep = os.environ.get("TOOLKIT_SCREENSHOT_DIR")
    if keep:
        shutil.copy(tmp_path / name, Path(keep) / name)


def pick(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).select_option(label=option)


def assert_on_screen(boxes: list, where: str) -> None:
    for box in boxes:
        r = box.bounding_box()
        assert r is not None and r["y"] >= 0 and r["y"] + r["height"] <= VIEWPORT["height"], (where, r)


def lsip_journey(page: Page, tmp_path: Path, where: str) -> None:
    """What an LSIP does: the same in the app and in JupyterLab."""
    proposal = page.locator('[data-key="proposal"]')
    why = page.locator('[data-key="why"]')
    package = page.locator('[data-key="package"]')
    expect(proposal).to_have_text("Proposal: Stabilise", timeout=60_000)
    header = page.locator('header[data-section="header"] h1')
    expect(header).to_have_text("Designation review: Castle Hill Academy")
    # the first what-if says why nothing moves: the limiting judgement holds
    labels = page.locator(".widget-dropdown label").all_inner_texts()
    qi_labels = [x for x in labels if x.startswith("QI")]
    assert qi_labels[:2] == ["QI1 Ofsted categorisation", "QI2 Outcomes and current progress measures"]
    for label in qi_labels:
        pick(page, label, "Sustain")
    expect(why).to_contain_text(f"Stabilise stays: {LIMITS}")
    expect(proposal).to_have_text("Proposal: Stabilise")
    # a hypothetical report card with every area at Expected standard lifts the limit ...
    pick(page, "What-if inspection", "Report card (from Nov 2025)")
    expect(why).not_to_contain_text(LIMITS)
    expect(why).to_contain_text("Stabilise stays: the rule for leaving High risk holds it")  # all Sustain, one term
    # ... and Urgent improvement in the chosen area brings it back
    pick(page, "Grade", "Urgent improvement")
    expect(why).to_contain_text(LIMITS)
    pick(page, "Grade", "Strong standard")
    expect(why).not_to_contain_text(LIMITS)
    # read at a glance in the app: pickers, proposal, package and why on one 1366x768 screen
    on_screen = [page.get_by_label("School", exact=True), page.get_by_label("What-if inspection", exact=True), proposal, package, why]
    assert_on_screen(on_screen if where == "app" else [], where)
    # Compare: recorded and what-if side by side, also on the same screen
    page.get_by_role("button", name="Compare").click()
    compare = page.locator('table[data-key="compare"]')
    expect(compare).to_contain_text("Recorded")
    expect(compare.locator("tr", has_text="Proposal")).to_contain_text("Stabilise")
    assert_on_screen([compare, why] if where == "app" else [], where)
    shot(page, tmp_path, f"{where}-what-if.png")
    # Reset returns to the recorded judgements and inspection
    page.get_by_role("button", name="Reset").click()
    expect(why).to_contain_text(f"Stabilise stays: {LIMITS}")
    expect(page.get_by_label("QI6 Climate for learning", exact=True)).to_have_value("as recorded: Stabilise")  # the option value is its label
    # pick another school: the header and every section change, the what-if starts afresh
    before = sections(page)
    pick(page, "School", BROOKSIDE)
    expect(header).to_have_text("Designation review: Brookside Primary School", timeout=20_000)
    expect(proposal).to_have_text("Proposal: Sustain")
    after = sections(page)
    unchanged = [k for k in before if before[k] == after[k]]
    assert unchanged == [], f"sections that did not follow the school picker: {unchanged}"
    old_package = package.inner_text()
    pick(page, "QI6 Climate for learning", "Stabilise")
    expect(proposal).to_have_text("Proposal: Repair")
    expect(package).not_to_have_text(old_package)
    expect(why).to_contain_text("Sustain -> Repair: no more than 1 step(s) above the worst indicator")


def test_app_lsip_journey_without_code(browser, app_url, status_before, tmp_path):
    page = browser.new_page(viewport=VIEWPORT)
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((app_url, "data:", "blob:", "ws://127.0.0.1")) else outside.append(r.url))
    page.goto(app_url + "/voila/render/designation_review.ipynb")
    shot_after = page.locator('[data-key="proposal"]')
    expect(shot_after).to_be_visible(timeout=90_000)
    shot(page, tmp_path, "app-first-screen.png")
    body = page.inner_text("body")
    assert "from toolkit" not in body and "tracker_path" not in body, "the app shows no code"
    # WCAG 2.2 AA on the toolkit's part of the page (pickers, result, the whole review)
    wcag = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
    violations = Axe().run(page, context=".tk-interactive-review", options=wcag).response["violations"]
    assert [(v["id"], v["nodes"][0]["target"]) for v in violations] == []
    lsip_journey(page, tmp_path, "app")
    # a link chooses the school and term
    page.goto(app_url + "/voila/render/designation_review.ipynb?urn=900009&term=2025/26+Summer")
    expect(page.locator('header[data-section="header"] h1')).to_have_text("Designation review: Millbrook Academy", timeout=90_000)
    expect(page.get_by_label("Term", exact=True)).to_have_value("2025/26 Summer")
    page.close()
    assert outside == [], f"the app loaded from a network: {outside}"
    assert git_status() == status_before


def test_app_calendar_follows_its_pickers(browser, app_url, status_before, tmp_path):
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(app_url + "/voila/render/trust_calendar.ipynb?as_of=2026-10-01")
    header = page.locator('header[data-section="header"]')
    expect(header).to_contain_text("as of 01 October 2026", timeout=90_000)
    deadlines = page.locator('section[data-section="deadlines"]').inner_text()
    page.get_by_label("As of", exact=True).fill("2027-03-01")
    page.get_by_label("As of", exact=True).press("Enter")
    expect(header).to_contain_text("as of 01 March 2027")
    expect(page.locator('section[data-section="deadlines"]')).not_to_have_text(deadlines)
    assert page.locator('section[data-section="overview"] img').get_attribute("alt")
    shot(page, tmp_path, "app-calendar.png")
    page.close()
    assert git_status() == status_before


def test_lab_working_copy_journey(browser, lab_url, status_before, tmp_path):
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(lab_url % "app/designation_review.ipynb")
    tab = page.locator(".jp-Notebook")
    expect(tab).to_be_visible(timeout=90_000)
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=60_000)
    time.sleep(1)  # JupyterLab marks a notebook dirty only after its models settle
    assert page.locator(".jp-mod-dirty").count() == 0, "opening the notebook marked it modified"
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator('li[data-command="runmenu:run-all"]').click()
    lsip_journey(page, tmp_path, "lab")
    page.keyboard.press("Control+s")
    page.close()
    assert git_status() == status_before, "JupyterLab changed a tracked file"
