"""Shared fixtures. Sample data comes from the committed sample tracker or the
deterministic generator, never from hand-typed results."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TRACKER = ROOT / "inputs" / "sample_tracker.xlsx"
TEMPLATE = ROOT / "templates" / "tracker.xlsx"
NOTEBOOKS = ROOT / "notebooks"
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture(scope="session")
def sample_tracker_path() -> Path:
    return SAMPLE_TRACKER


@pytest.fixture(scope="session")
def sample_tracker(sample_tracker_path):
    """The committed sample trust, read and validated once per test session."""
    from toolkit.tracker.reader import read_tracker

    return read_tracker(sample_tracker_path)


@pytest.fixture(scope="session")
def sample_term_reports(tmp_path_factory) -> Path:
    """Every report of the sample term (``toolkit batch``, the committed sample tracker),
    made once per session for the layout and accessibility tests; the run folder."""
    from report_checks import sample_term_batch

    return sample_term_batch(tmp_path_factory.mktemp("term-inputs"), tmp_path_factory.mktemp("term-reports"))
