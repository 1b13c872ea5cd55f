"""Interrupting a real ``toolkit batch``: SIGINT, SIGTERM (to the main process and to its
process group) and SIGKILL, on the sample trust.

Each test starts the batch in a session of its own with a private TMPDIR and a unique
marker in its environment, records every process of its tree while it runs (workers,
kernels, the Playwright driver, Chromium and its helpers), waits until at least one report
is listed, sends the signal and checks: the batch exits as it should (130 / 143) within
10 s, no process of it survives (by recorded PID and by marker; other people's kernels and
browsers on the machine are never looked at), no temporary folder is left, the previous
run is intact and still ``latest``, no error notebook was written, and the interrupted
run's index counts exactly the reports on disk.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from folder_digest import digest

from toolkit.batch import processes

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
TRACKER = ROOT / "inputs" / "sample_tracker.xlsx"
SCHOOLS = (900001, 900002, 900003, 900004, 900005)  # 12 reports: enough to stop midway
REPORTS = 2 + 2 * len(SCHOOLS)
MARKER = "TOOLKIT_SIGNAL_TEST"
EARLIER = "run-20260101T000000Z"


def _previous_run(term_dir: Path) -> Path:
    """A complete earlier run (made by hand: what matters is that it is left alone)."""
    run = term_dir / EARLIER
    (run / "trust").mkdir(parents=True)
    (run / "trust" / "lsip-summary.html").write_text("<html>earlier</html>")
    (run / "index.html").write_text('<a href="trust/lsip-summary.html">LSIP</a>')
    (term_dir / "latest").symlink_to(EARLIER, target_is_directory=True)
    return run


class Batch:
    """A ``toolkit batch`` subprocess, with every process of its tree recorded as it runs."""

    def __init__(self, tmp_path: Path) -> None:
        self.out = tmp_path / "outputs"
        self.term_dir = self.out / "2026-27-autumn"
        self.term_dir.mkdir(parents=True)
        self.earlier = _previous_run(self.term_dir)
        self.earlier_digest = digest(self.earlier)
        # The batch's own TMPDIR (anything left in it is a stray), short: kernels' sockets live there.
        self.tmp = Path(tempfile.mkdtemp(prefix="sig-", dir="/tmp"))
        self.marker = uuid.uuid4().hex
        self.stderr = tmp_path / "stderr.txt"
        cmd = [
            sys.executable, "-m", "toolkit", "batch", str(TRACKER), "--term", "2026/27 Autumn",
            "--out", str(self.out), "--as-of", "2026-11-23", "--workers", "2", "--no-progress",
            "--schools", *map(str, SCHOOLS),
        ]  # fmt: skip
        env = {**os.environ, "TMPDIR": str(self.tmp), MARKER: self.marker}
        with open(self.stderr, "w") as err:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, start_new_session=True,
                stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        self.seen: set[int] = set()

    def record(self) -> None:
        self.seen |= processes.descendants(self.proc.pid) | processes.marked(MARKER, self.marker)

    def staging(self) -> Path | None:
        found = list(self.term_dir.glob("run-*.incomplete"))
        return found[0] if found else None

    def wait_until_reports_listed(self, timeout: float = 120) -> Path:
        """Wait until the run lists a finished report (workers, kernels, browsers all up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.record()
            staging = self.staging()
            if staging is not None and _listed(staging):
                self.record()
                return staging
            assert self.proc.poll() is None, self.stderr.read_text()[-3000:]
            time.sleep(0.1)
        raise AssertionError("the batch never listed a finished report")

    def survivors(self) -> set[int]:
        """Processes of this batch still alive: recorded ones still carrying the marker, or any
        process carrying it (a PID reused by someone else's process does not count)."""
        recorded = {p for p in self.seen if processes.environ_value(p, MARKER) == self.marker}
        return {p for p in recorded | processes.marked(MARKER, self.marker) if processes.alive(p)}

    def wait_for_no_survivors(self, timeout: float) -> set[int]:
        deadline = time.monotonic() + timeout
        while (left := self.survivors()) and time.monotonic() < deadline:
            time.sleep(0.1)
        return left

    def kill_everything(self) -> None:
        """Test clean-up whatever happened: nothing of this test may outlive it."""
        processes.end_processes(self.survivors() | {self.proc.pid})
        self.proc.wait(timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _listed(staging: Path) -> set[str]:
    index = staging / "index.html"
    if not index.is_file():
        return set()
    return set(re.findall(r'href="((?:trust|schools)/[^"]+)"', index.read_text()))


def _on_disk(staging: Path) -> set[str]:
    return {
        str(p.relative_to(staging))
        for p in list(staging.glob("trust/*")) + list(staging.glob("schools/*/*"))
        if p.suffix in (".html", ".pdf")
    }


def _describe(pids: set[int]) -> str:
    lines = []
    for pid in sorted(pids):
        try:
            lines.append(f"{pid}: {Path(f'/proc/{pid}/cmdline').read_bytes()[:120]!r}")
        except OSError:
            lines.append(f"{pid}: (gone)")
    return "\n".join(lines)


@pytest.fixture()
def run_batch(tmp_path):
    batches: list[Batch] = []

    def start() -> Batch:
        batches.append(Batch(tmp_path))
        return batches[-1]

    yield start
    for b in batches:
        b.kill_everything()


def _check_previous_run_intact(b: Batch) -> None:
    assert digest(b.earlier) == b.earlier_digest
    assert os.readlink(b.term_dir / "latest") == EARLIER
    term_index = (b.term_dir / "index.html").read_text()
    assert re.search(rf"{EARLIER}</a></td><td>latest", term_index)


@pytest.mark.parametrize(
    ("signum", "to_group", "exit_code"),
    [
        (signal.SIGINT, False, 130),  # kill -INT <batch>: the main process alone
        (signal.SIGINT, True, 130),  # Ctrl-C in the terminal: the whole process group
        (signal.SIGTERM, False, 143),  # kill <batch>, a service manager stopping it
    ],
    ids=["sigint-main", "sigint-group", "sigterm-main"],
)
def test_an_interrupted_batch_stops_everything_and_loses_nothing(
    run_batch, signum, to_group, exit_code
):
    b = run_batch()
    staging = b.wait_until_reports_listed()
    assert any(processes.environ_value(p, MARKER) for p in b.seen)
    if to_group:
        os.killpg(b.proc.pid, signum)
    else:
        os.kill(b.proc.pid, signum)
    sent = time.monotonic()
    try:
        code = b.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the batch did not stop within 10 s of {signum!r}")
    exited = time.monotonic() - sent
    left = b.wait_for_no_survivors(timeout=max(0.5, 10 - exited))
    print(f"{signum!r}: exited after {exited:.1f} s, {len(b.seen)} processes gone after "
          f"{time.monotonic() - sent:.1f} s")  # fmt: skip
    stderr = b.stderr.read_text()
    assert not left, f"still running 10 s after {signum!r}:\n{_describe(left)}"
    assert code == exit_code, stderr[-3000:]
    assert len(b.seen) >= 5, "the batch's workers, kernels and browser were recorded"

    assert list(b.tmp.iterdir()) == [], "temporary folders left behind"
    _check_previous_run_intact(b)
    # the run is kept, marked incomplete, and its index counts what is on disk
    assert staging.is_dir() and staging.name.endswith(".incomplete")
    assert not (staging / ".work").exists() and not list(staging.rglob("*.partial"))
    assert not (staging / "failed").exists(), "error notebooks written after the interrupt"
    on_disk, listed = _on_disk(staging), _listed(staging)
    assert listed == on_disk
    made = len(on_disk) // 2
    assert 0 < made < REPORTS
    index = (staging / "index.html").read_text()
    assert f"{made} of {REPORTS} reports made; run interrupted ({signal.Signals(signum).name})" in index
    assert "0 failed" in index and "Finished" not in index
    assert f"{made} of {REPORTS} reports made" in stderr


@pytest.mark.parametrize("to_group", [False, True], ids=["main", "group"])
def test_a_batch_killed_outright_leaves_no_process_behind(run_batch, to_group):
    """SIGKILL cannot be caught. Killed alone, the main process leaves workers that notice
    their parent died and end their kernels and browsers; killed with its whole process
    group, the kernels (own session, parent-death signal) and Chromium (closed with its
    Playwright driver) still go. A later batch removes the temporary folders left."""
    b = run_batch()
    staging = b.wait_until_reports_listed()
    kinds = {Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")[0] for p in b.seen if processes.alive(p)}
    assert any(b"chrom" in k for k in kinds), f"Chromium was running: {kinds}"
    if to_group:
        os.killpg(b.proc.pid, signal.SIGKILL)
    else:
        os.kill(b.proc.pid, signal.SIGKILL)
    sent = time.monotonic()
    b.proc.wait(timeout=5)
    left = b.wait_for_no_survivors(timeout=30)
    print(f"SIGKILL: {len(b.seen)} processes gone after {time.monotonic() - sent:.1f} s")
    assert not left, f"still running 30 s after SIGKILL:\n{_describe(left)}"

    _check_previous_run_intact(b)
    assert staging.name.endswith(".incomplete") and not (staging / "failed").exists()
    # what the killed run lists is on disk (a report finished as it died may be unlisted) ...
    listed = _listed(staging)
    assert listed and listed <= _on_disk(staging)
    # ... and the next batch of the term recounts it from disk
    from toolkit.batch.runfolder import recount_abandoned_runs
    from toolkit.batch.runner import sweep_stale_temp_dirs

    assert recount_abandoned_runs(b.term_dir) == [staging]
    on_disk = _on_disk(staging)
    assert _listed(staging) == on_disk
    index = (staging / "index.html").read_text()
    made = len(on_disk) // 2
    assert f"{made} of {REPORTS} reports made; run interrupted (the batch was killed)" in index
    assert not (staging / ".work").exists() and not list(staging.rglob("*.partial"))
    # temporary folders: only the batch's own folder (its main process could not remove it),
    # which the next batch removes; the workers removed theirs when left alive to do so
    leftover = [p.name for p in b.tmp.iterdir()]
    assert all(name.startswith("toolkit-batch-") for name in leftover), leftover
    if not to_group:
        assert not list(b.tmp.glob("toolkit-batch-*/w*")), "workers' folders left"
    sweep_stale_temp_dirs(str(b.tmp))
    assert list(b.tmp.iterdir()) == []
