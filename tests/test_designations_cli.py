"""``toolkit designations`` on the sample trust: table, CSV and JSON, and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.policy import default_policy
from toolkit.tracker.sample import generate, write_sample

TERM = "2026/27 Autumn"
SAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "sample_tracker.xlsx"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict]:
    """The committed sample tracker (or the same generated one) and its planted facts."""
    trust = generate()
    if SAMPLE.is_file():
        return SAMPLE, trust.planted
    path = tmp_path_factory.mktemp("sample") / "sample_tracker.xlsx"
    write_sample(path)
    return path, trust.planted


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["designations", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_gives_every_school_with_sources_reasons_and_package(sample, capsys):
    path, planted = sample
    code, out, _ = run(capsys, path, "--term", TERM, "--format", "json")
    assert code == 0
    data = json.loads(out)
    schools = {s["urn"]: s for s in data["schools"]}
    assert set(schools) == set(planted["designations"])
    policy = default_policy()
    for urn, story in planted["designations"].items():
        s = schools[urn]
        assert s["agreed"] == story[TERM]
        assert s["risk"] == policy.risk(story[TERM])
        assert s["package"]["sip_days_per_year"] == policy.package(story[TERM]).sip_days_per_year
        assert len(s["judgements"]) == 7 and all(j["source"] in ("reviewer", "data", "none") for j in s["judgements"])
    # The sample's stories (see the sample spec): Castle Hill's report card limits the proposal.
    assert schools[900006]["proposal_text"].startswith("Stabilise: Ofsted Urgent improvement in Leadership and governance, 3 Feb 2026")
    # Hollins Lane's climate judgement is blank, so it comes from data, with its reason.
    qi6 = next(j for j in schools[900002]["judgements"] if j["key"] == "qi6")
    assert qi6["source"] == "data" and qi6["reason"].startswith("Attendance ")
    # Westbury: the indicators best-fit to Repair but EIT agreed Improve.
    assert (schools[900008]["proposed"], schools[900008]["agreed"], schools[900008]["differs"]) == ("Repair", "Improve", True)
    # Millbrook leaves High risk this term.
    assert schools[900009]["exit_rule"].startswith("leaves High risk")
    assert "flags" in data and "capacity" in data


def test_csv_has_one_row_per_school_and_the_promised_columns(sample, capsys):
    path, planted = sample
    code, out, _ = run(capsys, path, "--term", "2026-27-autumn", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(planted["designations"])
    for col in ("qi1_judgement", "qi1_source", "proposed", "reasons", "agreed", "differs", "risk", "previous_designation", "movement", "support_package"):
        assert col in rows[0]
    by_urn = {int(r["urn"]): r for r in rows}
    assert by_urn[900009]["movement"] == "same" and by_urn[900009]["previous_designation"] == "Improve"


def test_table_and_output_file(sample, capsys, tmp_path):
    path, _ = sample
    code, out, _ = run(capsys, path, "--term", TERM)
    assert code == 0
    assert "Castle Hill Academy (900006)" in out and "proposed Stabilise" in out
    target = tmp_path / "out" / "designations.json"
    code, out, _ = run(capsys, path, "--term", TERM, "--format", "json", "--output", target)
    assert code == 0 and json.loads(target.read_text())["term"] == TERM


def test_policy_override_changes_the_package(sample, capsys, tmp_path):
    path, _ = sample
    override = tmp_path / "policy.toml"
    override.write_text("[support.Sustain]\nsip_days_per_year = 6\n", encoding="utf-8")
    code, out, _ = run(capsys, path, "--term", TERM, "--format", "json", "--policy", override)
    assert code == 0
    brookside = next(s for s in json.loads(out)["schools"] if s["urn"] == 900001)
    assert brookside["package"]["sip_days_per_year"] == 6


def test_bad_input_exits_2_with_a_message(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path / "missing.xlsx", "--term", TERM)
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, tmp_path / "missing.xlsx", "--term", "2026/27 Winter")
    assert code == 2 and "Autumn, Spring or Summer" in err
    bad = tmp_path / "policy.toml"
    bad.write_text("[proposal]\nmax_steps_above_worst = 9\n", encoding="utf-8")
    tracker = tmp_path / "t.xlsx"
    write_sample(tracker)
    code, _, err = run(capsys, tracker, "--term", TERM, "--policy", bad)
    assert code == 2 and "max_steps_above_worst" in err
