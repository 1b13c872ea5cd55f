"""The trust policy: defaults ship in the package, a file beside the tracker overrides
only what it names, and a bad policy is reported as clearly as a bad tracker."""

from __future__ import annotations

import pytest

from toolkit.policy import default_policy, load_policy
from toolkit.tracker.problems import InvalidInput


def test_default_policy_holds_every_domain_decision():
    p = default_policy()
    # DOMAIN.md: Stabilise and Repair are High risk, Improve Some risk, Sustain Low risk.
    assert [p.risk(d) for d in p.designations.order] == ["High risk", "High risk", "Some risk", "Low risk"]
    # DOMAIN.md decisions: exit after two consecutive terms, suppression under 6 pupils,
    # next working day, EIT 7 days after the PB round, Standards 7 days after EIT.
    assert p.exit_high_risk.consecutive_terms == 2
    assert p.suppression.min_group_size == 6
    assert p.calendar.non_working_day_rule == "next"
    assert p.calendar.eit_days_after_progress_board == 7
    assert p.calendar.standards_committee_days_after_eit == 7
    # Strand 4 support table: SIA up to 20 days a term when High risk = 60 a year;
    # up to 10 a year for Improve; none for Sustain. SIP 10 / up to 10 / 5.
    assert p.package("Stabilise").sia_days_per_year == 60
    assert p.package("Improve").sia_days_per_year == 10
    assert p.package("Sustain").sia_days_per_year == 0
    assert [p.package(d).sip_days_per_year for d in ("Repair", "Improve", "Sustain")] == [10, 10, 5]


def test_rank_orders_worst_first():
    p = default_policy()
    assert p.rank("Stabilise") < p.rank("Repair") < p.rank("Improve") < p.rank("Sustain")


def test_policy_beside_tracker_overrides_only_what_it_names(tmp_path):
    tracker = tmp_path / "tracker.xlsx"
    tracker.write_bytes(b"")
    (tmp_path / "policy.toml").write_text('[suppression]\nmin_group_size = 10\n[trust]\nname = "Test Trust"\nprotective_marking = "OFFICIAL"\n')
    p = load_policy(tracker=tracker)
    assert p.suppression.min_group_size == 10
    assert p.trust.name == "Test Trust"
    assert p.calendar.report_working_days_after == 3  # untouched default
    assert p.source.endswith("policy.toml")


def test_no_policy_beside_tracker_uses_default(tmp_path):
    tracker = tmp_path / "tracker.xlsx"
    assert load_policy(tracker=tracker).source == "default"


def test_bad_policy_reports_every_problem_with_its_key(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text(
        "[suppression]\nmin_group_size = -1\n"
        "[calendar]\nnon_working_day_rule = \"sideways\"\nminimum_visit_months = [9, 13]\n"
        "[exit_high_risk]\nconsecutive_terms = \"two\"\n"
    )
    with pytest.raises(InvalidInput) as exc:
        load_policy(bad)
    report = exc.value.report
    keys = {p.sheet for p in report.errors}
    assert {"suppression.min_group_size", "calendar.non_working_day_rule", "exit_high_risk.consecutive_terms"} <= keys
    assert any(p.sheet == "calendar.minimum_visit_months.1" and "less than or equal to 12" in p.message for p in report.errors)
    assert all(str(bad) in p.fix for p in report.errors)


def test_unknown_setting_is_an_error_not_ignored(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text("[suppression]\nmin_group_sise = 8\n")
    with pytest.raises(InvalidInput) as exc:
        load_policy(bad)
    assert any(p.sheet == "suppression.min_group_sise" for p in exc.value.report.errors)


def test_policy_syntax_error_names_the_file(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text("[suppression\nmin_group_size = 8\n")
    with pytest.raises(InvalidInput) as exc:
        load_policy(bad)
    (problem,) = exc.value.report.errors
    assert problem.code == "policy-syntax" and "not valid TOML" in problem.message


def test_missing_policy_file(tmp_path):
    with pytest.raises(InvalidInput) as exc:
        load_policy(tmp_path / "nope.toml")
    assert exc.value.report.errors[0].code == "policy-missing"
