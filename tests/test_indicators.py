"""The quality indicators and Appendix A descriptors shipped as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.assessment import indicators as qi
from toolkit.tracker.schema import INDICATORS, VOCABULARIES

STRATEGY = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "school-improvement-strategy-with-appendices.txt"


def test_seven_indicators_in_strategy_order():
    assert [i.key for i in qi.indicators()] == [k for k, _ in INDICATORS]
    assert [i.name for i in qi.indicators()] == [n for _, n in INDICATORS]


def test_descriptor_counts_per_designation_match_appendix_a():
    # Appendix A lists 9 Stabilise, 8 Repair, 8 Improve and 10 Sustain bullets.
    counts = {d: len(qi.descriptors(designation=d)) for d in VOCABULARIES["designation"]}
    assert counts == {"Stabilise": 9, "Repair": 8, "Improve": 8, "Sustain": 10}


@pytest.mark.skipif(not STRATEGY.exists(), reason="strategy text not available outside the project workspace")
def test_every_descriptor_is_the_exact_appendix_text_in_its_column():
    text = STRATEGY.read_text(encoding="utf-8")
    start = text.index("Designation Criteria")
    table = text[start : text.index("Progress Board-Terms of Reference")]
    columns = table.split('<ul style="list-style-type: none">')[1:]
    assert len(columns) == 4
    bullets = {
        d: [b.strip() for b in col.split("▪")[1:]]
        for d, col in zip(("Stabilise", "Repair", "Improve", "Sustain"), columns, strict=True)
    }
    for d, expected in bullets.items():
        assert [x.text for x in qi.descriptors(designation=d)] == expected


def test_mapping_examples_from_domain():
    # DOMAIN.md: "Ofsted inadequate" -> indicator 1; attendance consistently low -> indicator 6.
    assert [d.text for d in qi.descriptors("qi1", "Stabilise")] == ["Ofsted inadequate"]
    assert "Attendance for all students is consistently low and not improving" in [d.text for d in qi.descriptors("qi6", "Stabilise")]


def test_descriptor_text_says_when_appendix_has_none():
    # Appendix A has no Repair bullet about Ofsted.
    assert qi.descriptor_text("qi1", "Repair") == "(Appendix A has no Repair descriptor for this indicator)"
    assert qi.descriptor_text("qi1", "Sustain") == "Ofsted good or outstanding"
    assert qi.descriptor_text("qi1", None) == ""


def test_resolve_indicator_accepts_names_and_numbers():
    assert qi.resolve_indicator("Climate") == "qi6"
    assert qi.resolve_indicator("QI6") == "qi6"
    assert qi.resolve_indicator("6") == "qi6"
    assert qi.resolve_indicator("Governance") == "qi7"
    with pytest.raises(KeyError):
        qi.resolve_indicator("Finance")
