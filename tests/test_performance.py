"""DfE performance tables import: worked examples from cuts of real DfE files.

Expected figures are read off the DfE CSV cells (quoted in each test), not from the
importer's own output. Fixtures: tests/fixtures/performance (see cut_fixtures.py).
"""

from __future__ import annotations

import csv
import hashlib
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from toolkit.cli import main
from toolkit.tracker.dfe_import import (
    IMPORT_WORKBOOK_TITLE,
    KS2,
    KS4,
    academic_year_from_name,
    header_key,
    import_performance,
    parse_dfe_value,
    read_performance_csv,
    read_performance_file,
)
from toolkit.tracker.problems import UnreadableFile
from toolkit.tracker.schema import MEASURE_INFO, PUPIL_GROUPS, SUPPRESSION_CODES, sheet

FIX = Path(__file__).parent / "fixtures" / "performance"
KS2_CUT = FIX / "ks2final_2017-2018_850_cut.csv"
KS4_CUT = FIX / "ks4final_2017-2018_850_cut.csv"
KS4_2017 = FIX / "ks4final_2016-2017_850_cut.csv"
MESSY = FIX / "ks2_results_messy.csv"
REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "performance_tables"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one(df: pd.DataFrame, urn: int, measure: str, group: str) -> pd.Series:
    rows = df[(df.urn == urn) & (df.measure == measure) & (df.pupil_group == group)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def raw_rows(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


# --------------------------------------------------------------------------- column table


def test_column_table_uses_schema_vocabulary_only():
    for ks in (KS2, KS4):
        for m in ks.measures:
            assert MEASURE_INFO[m.measure]["key_stage"] == ks.key_stage
            assert set(m.columns) <= set(PUPIL_GROUPS)
        assert set(ks.group_cohorts) <= set(PUPIL_GROUPS)


def test_every_mapped_column_is_in_a_real_file_header():
    """The table names DfE columns as published: each one is in the 2018/19 (KS2) or 2017/18 (KS4) cut."""
    for path, ks in ((KS2_CUT, KS2), (KS4_CUT, KS4)):
        headers = {header_key(h) for h in raw_rows(path)[0]}
        missing = [c for c in ks.expected_columns() if header_key(c) not in headers]
        assert missing == [], (path.name, missing)


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("ks4final_2017-2018_850.csv", "2017/18"),
        ("ks2final_2018-2019_936.csv", "2018/19"),
        ("ks2_2018-19_results.csv", "2018/19"),
        ("KS2_201819.csv", "2018/19"),
        ("2018-850-ks2.csv", None),  # a lone year is ambiguous; 850 is the LA, not a year
        ("ks2_results_messy.csv", None),
        ("ks2_2017-2018_vs_2018-2019.csv", None),  # two years: ambiguous
        ("ks2_2018-2020.csv", None),  # not consecutive
    ],
)
def test_academic_year_from_name(name, year):
    assert academic_year_from_name(name) == year


@pytest.mark.parametrize(
    ("text", "percent", "expected"),
    [
        ("67%", True, (67.0, None, None)),
        ("68.30%", True, (68.3, None, None)),  # the LA row in ks4final_2016-2017_850
        (" 67 ", True, (67.0, None, None)),
        ("-0.36", False, (-0.36, None, None)),
        ("SUPP", True, (None, "SUPP", None)),
        ("LOWCOV", False, (None, "LOWCOV", None)),
        ("NE", False, (None, "NE", None)),
        ("NP", False, (None, "NP", None)),
        ("NA", False, (None, "NA", None)),
        ("x", True, (None, "x", None)),
        ("-", True, (None, "-", None)),
        ("", True, (None, None, None)),
        (" ", False, (None, None, None)),  # READPROG cells in ks2final_2016-2017 are a single space
    ],
)
def test_parse_dfe_value(text, percent, expected):
    assert parse_dfe_value(text, percent=percent) == expected


@given(
    st.decimals(min_value=0, max_value=100, places=2),
    st.sampled_from(["", "%", " %"]),
    st.sampled_from(["", " "]),
)
def test_parse_dfe_value_percent_spellings_agree(x, suffix, pad):
    """67, "67%" and " 67.00% " are the same figure on the 0-100 scale."""
    value, code, error = parse_dfe_value(f"{pad}{x}{suffix}{pad}", percent=True)
    assert (value, code, error) == (float(x), None, None)


@given(st.sampled_from(SUPPRESSION_CODES), st.booleans(), st.sampled_from(["", " ", "\t"]))
def test_parse_dfe_value_codes_in_any_case_are_never_numbers(code, upper, pad):
    text = code.upper() if upper else code
    value, kept, error = parse_dfe_value(f"{pad}{text}{pad}", percent=False)
    assert value is None and kept == text and error is None


def test_parse_dfe_value_rejects_text_and_a_percent_score():
    assert parse_dfe_value("n/k", percent=True)[2]
    assert parse_dfe_value("abc", percent=False)[2]
    assert "percentage" in parse_dfe_value("5%", percent=False)[2]


def test_every_schema_suppression_code_is_kept_not_zero():
    for code in SUPPRESSION_CODES:
        value, kept, error = parse_dfe_value(code.upper(), percent=True)
        assert value is None and kept == code.upper() and error is None


# --------------------------------------------------------------------------- KS2 (real cut)


def test_ks2_known_school_rwm_expected_standard():
    """Kings Worthy Primary (URN 115922), 2017/18: PTRWM_EXP "73%", TELIG 64;
    PTRWM_EXP_FSM6CLA1A "58%" of TFSM6CLA1A 12; PTRWM_EXP_NotFSM6CLA1A "77%" of TNotFSM6CLA1A 52."""
    df, report = read_performance_csv(KS2_CUT)
    assert report.ok
    assert set(df.academic_year) == {"2017/18"}  # from the file name
    all_pupils = one(df, 115922, "RWM expected standard %", "All pupils")
    assert (all_pupils.value, all_pupils.cohort, all_pupils.value_code) == (73.0, 64, None)
    dis = one(df, 115922, "RWM expected standard %", "Disadvantaged")
    assert (dis.value, dis.cohort) == (58.0, 12)
    notdis = one(df, 115922, "RWM expected standard %", "Not disadvantaged")
    assert (notdis.value, notdis.cohort) == (77.0, 52)
    assert one(df, 115922, "RWM higher standard %", "All pupils").value == 5.0  # PTRWM_HIGH "5%"
    assert one(df, 115922, "Reading progress", "All pupils").value == 1.1  # READPROG 1.1
    assert one(df, 115922, "Writing progress", "All pupils").value == 0.5
    assert one(df, 115922, "Maths progress", "All pupils").value == 0.5
    assert one(df, 115922, "Reading scaled score", "All pupils").value == 106.0
    assert one(df, 115922, "Maths scaled score", "All pupils").value == 105.0


def test_ks2_suppressed_cells_stay_suppressed_never_zero():
    """King's Somborne (URN 116296): 6 pupils, PTRWM_EXP_FSM6CLA1A "SUPP" -> NaN + SUPP."""
    df, _ = read_performance_csv(KS2_CUT)
    dis = one(df, 116296, "RWM expected standard %", "Disadvantaged")
    assert math.isnan(dis.value) and dis.value_code == "SUPP"
    assert dis.cohort == 3  # TFSM6CLA1A 3
    # The published 0% for all pupils' higher standard is a real 0, kept as 0.
    assert one(df, 116296, "RWM higher standard %", "All pupils").value == 0.0
    # Whole file: every imported cell whose source is a code is NaN with that code.
    rows = raw_rows(KS2_CUT)
    header = rows[0]
    codes = {c.lower() for c in SUPPRESSION_CODES}
    checked = 0
    for rec in df.to_dict("records"):
        source = rows[rec["_row"] - 1][header.index(rec["_column"])].strip()
        if source.lower() in codes:
            assert math.isnan(rec["value"]) and rec["value_code"] == source
            checked += 1
        else:
            assert rec["value"] == float(source.rstrip("%")) and rec["value_code"] is None
    assert checked > 50


def test_ks2_special_school_codes_lowcov_and_na():
    """The Waterloo School (URN 116633, RECTYPE 2): READPROG "LOWCOV"; Icknield (116609): READPROG "NA"."""
    df, _ = read_performance_csv(KS2_CUT)
    low = one(df, 116633, "Reading progress", "All pupils")
    assert math.isnan(low.value) and low.value_code == "LOWCOV"
    assert one(df, 116633, "Writing progress", "All pupils").value == -5.0
    na = one(df, 116609, "Reading progress", "All pupils")
    assert math.isnan(na.value) and na.value_code == "NA"


def test_ks2_blank_cell_gives_no_row():
    """Western CofE Primary (116327) had TFSM6CLA1A 0 and a blank PTRWM_EXP_FSM6CLA1A: no figure, no row."""
    df, _ = read_performance_csv(KS2_CUT)
    rows = df[(df.urn == 116327) & (df.pupil_group == "Disadvantaged")]
    assert rows.empty
    assert one(df, 116327, "RWM expected standard %", "All pupils").value == 89.0


def test_ks2_only_school_rows_and_national_benchmarks():
    """RECTYPE 3 (LA), 4 (England all) and 5 (England state-funded) are not schools."""
    result = read_performance_file(KS2_CUT)
    assert set(result.outcomes.urn) == {115922, 116296, 116327, 116633, 116609, 116268}
    assert result.schools_skipped == 3
    b = result.benchmarks
    rwm = b[(b.measure == "RWM expected standard %") & (b.pupil_group == "All pupils")]
    assert rwm[["academic_year", "phase", "value"]].values.tolist() == [
        ["2017/18", "Primary", 64.0]
    ]
    # National READPROG is blank (progress is 0 by construction): no benchmark row.
    assert b[(b.measure == "Reading progress") & (b.pupil_group == "All pupils")].empty


# --------------------------------------------------------------------------- KS4 (real cut)


def test_ks4_known_school():
    """Testwood School (URN 137315), 2017/18: TPUP 107, ATT8SCR 44, P8MEA 0.02 (P8PUP 104),
    PTL2BASICS_94 "59%", PTL2BASICS_95 "35%", EBACCAPS 3.64; disadvantaged ATT8SCR 36.4 of 30."""
    df, report = read_performance_csv(KS4_CUT)
    assert report.ok
    a8 = one(df, 137315, "Attainment 8", "All pupils")
    assert (a8.value, a8.cohort, a8.academic_year) == (44.0, 107, "2017/18")
    p8 = one(df, 137315, "Progress 8", "All pupils")
    assert (p8.value, p8.cohort) == (0.02, 104)
    assert one(df, 137315, "English and maths 4+ %", "All pupils").value == 59.0
    assert one(df, 137315, "English and maths 5+ %", "All pupils").value == 35.0
    assert one(df, 137315, "EBacc APS", "All pupils").value == 3.64
    dis = one(df, 137315, "Attainment 8", "Disadvantaged")
    assert (dis.value, dis.cohort) == (36.4, 30)
    assert one(df, 137315, "Progress 8", "Not disadvantaged").value == 0.17


def test_ks4_np_ne_and_supp_codes():
    df, _ = read_performance_csv(KS4_CUT)
    bedales = one(df, 116527, "Progress 8", "Disadvantaged")  # P8MEA_FSM6CLA1A "NP"
    assert math.isnan(bedales.value) and bedales.value_code == "NP"
    assert bedales.cohort_code == "NP" and pd.isna(bedales.cohort)  # P8PUP_FSM6CLA1A "NP"
    boundary = one(df, 116558, "Attainment 8", "All pupils")  # ATT8SCR "SUPP", TPUP 5
    assert math.isnan(boundary.value) and boundary.value_code == "SUPP" and boundary.cohort == 5
    ne = df[
        (df.measure == "Attainment 8") & (df.pupil_group == "All pupils") & (df.value_code == "NE")
    ]
    assert len(ne) == 1
    assert not (df.value_code.notna() & (df.value == 0)).any()


def test_ks4_benchmarks_use_state_funded_england_row():
    """RECTYPE 7 is state-funded England: E&M 9-4 "64.20%" (DfE's 2018 headline); RECTYPE 5 (all schools) has 59.40%."""
    result = read_performance_file(KS4_CUT)
    b = result.benchmarks
    em = b[(b.measure == "English and maths 4+ %") & (b.pupil_group == "All pupils")]
    assert em.value.tolist() == [64.2]
    assert set(b.phase) == {"Secondary"}
    assert one_value(b, "Progress 8", "All pupils") == -0.02


def one_value(b: pd.DataFrame, measure: str, group: str) -> float:
    rows = b[(b.measure == measure) & (b.pupil_group == group)]
    assert len(rows) == 1
    return float(rows.value.iloc[0])


def test_ks4_2016_17_has_no_ebacc_aps_and_says_so():
    df, report = read_performance_csv(KS4_2017)
    assert report.ok
    assert "EBacc APS" not in set(df.measure)
    missing = [p for p in report.warnings if p.code == "missing-column"]
    assert len(missing) == 1 and "EBACCAPS" in missing[0].message
    assert missing[0].sheet == "ks4final_2016-2017_850_cut"
    assert one(df, 116432, "English and maths 4+ %", "All pupils").value == 65.0


# --------------------------------------------------------------------------- messy headers


def test_messy_file_needs_a_year_and_is_cp1252():
    with pytest.raises(UnicodeDecodeError):
        MESSY.read_bytes().decode("utf-8")  # the fixture really is not UTF-8
    df, report = read_performance_csv(MESSY)
    assert df.empty
    assert [p.code for p in report.errors] == ["no-year"]
    assert "--year" in report.errors[0].fix


def test_messy_headers_recognised():
    """Headers ' urn ', 'RecType', 'ptrwm_exp ', 'PTRWM HIGH', 'TNOTFSM6CLA1A' and the alias
    'PTRWM_EXP_NFSM6CLA1A'; Warren Mead Junior (140810): bare "82", NotFSM 86% of 66 pupils."""
    df, report = read_performance_csv(MESSY, year="2018/19")
    assert report.ok
    assert set(df.urn) == {145543, 140810, 139070}  # the RECTYPE 5 row is not a school
    assert one(df, 140810, "RWM expected standard %", "All pupils").value == 82.0
    assert one(df, 140810, "RWM higher standard %", "All pupils").value == 13.0
    notdis = one(df, 140810, "RWM expected standard %", "Not disadvantaged")
    assert (notdis.value, notdis.cohort) == (86.0, 66)
    x = one(df, 140810, "Reading progress", "All pupils")
    assert math.isnan(x.value) and x.value_code == "x"
    dash = one(df, 139070, "Reading scaled score", "All pupils")
    assert math.isnan(dash.value) and dash.value_code == "-"
    typo = [p for p in report.warnings if p.code == "unknown-column"]
    assert len(typo) == 1 and "MAT_AVRAGE" in typo[0].message and typo[0].cell == "M1"


def test_year_option_is_only_a_fallback_for_unnamed_files(tmp_path):
    """ks2final_2017-2018_850_cut.csv says 2017/18: --year 2018/19 (meant for other files) does not change it."""
    df, report = read_performance_csv(KS2_CUT, year="2018/19")
    assert report.ok and set(df.academic_year) == {"2017/18"}
    assert "year-conflict" in [p.code for p in report.warnings]
    result = import_performance([KS2_CUT, MESSY], tmp_path / "o.xlsx", year="2018/19")
    assert result.exit_code == 0
    assert set(result.outcomes.academic_year) == {"2017/18", "2018/19"}


# --------------------------------------------------------------------------- bad files


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_no_urn_column(tmp_path):
    p = write(tmp_path, "ks2final_2018-2019_999.csv", "RECTYPE,SCHNAME,PTRWM_EXP\n1,A school,67%\n")
    df, report = read_performance_csv(p)
    assert df.empty
    assert [p.code for p in report.errors] == ["no-urn-column"]


def test_bad_cell_named_by_row_and_column(tmp_path):
    p = write(
        tmp_path,
        "ks2final_2018-2019_999.csv",
        "RECTYPE,URN,PTRWM_EXP,TELIG\n1,100001,67%,30\n1,100002,n/k,20\n",
    )
    df, report = read_performance_csv(p)
    (err,) = report.errors
    assert (err.code, err.sheet, err.cell) == ("bad-value", "ks2final_2018-2019_999", "C3")
    assert "PTRWM_EXP" in err.message and "100002" in err.message
    assert one(df, 100001, "RWM expected standard %", "All pupils").value == 67.0


def test_fraction_percent_column_scaled_to_0_100(tmp_path):
    p = write(
        tmp_path,
        "ks2final_2018-2019_999.csv",
        "RECTYPE,URN,PTRWM_EXP,TELIG\n1,100001,0.67,30\n1,100002,0.5,20\n1,100003,SUPP,3\n",
    )
    df, report = read_performance_csv(p)
    assert [p.code for p in report.warnings].count("fraction-percent") == 1
    assert one(df, 100001, "RWM expected standard %", "All pupils").value == 67.0
    assert one(df, 100002, "RWM expected standard %", "All pupils").value == 50.0
    assert one(df, 100003, "RWM expected standard %", "All pupils").value_code == "SUPP"


def test_utf16_and_cp1252_files_are_read(tmp_path):
    text = "RECTYPE,URN,SCHNAME,PTRWM_EXP\n1,100001,St Mary\u2019s Caf\u00e9,67%\n"
    for enc, name in (
        ("utf-16", "ks2final_2018-2019_a.csv"),
        ("cp1252", "ks2final_2018-2019_b.csv"),
    ):
        df, report = read_performance_csv(write(tmp_path, name, text, enc))
        assert report.ok, report.render()
        assert one(df, 100001, "RWM expected standard %", "All pupils").value == 67.0


@pytest.mark.parametrize("data", [b"PK\x03\x04rest-of-a-zip", b"\x00\x01\x02binary"])
def test_unreadable_file_raises(tmp_path, data):
    p = tmp_path / "ks2final_2018-2019_999.csv"
    p.write_bytes(data)
    with pytest.raises(UnreadableFile, match="Fix:"):
        read_performance_csv(p)


def test_not_a_performance_file(tmp_path):
    p = write(tmp_path, "ks2final_2018-2019_999.csv", "URN,NAME\n100001,A school\n")
    _, report = read_performance_csv(p)
    assert "unknown-file" in [p.code for p in report.errors]


# --------------------------------------------------------------------------- import + workbook


def test_import_writes_new_workbook_and_leaves_inputs_unchanged(tmp_path):
    before = {p: sha(p) for p in (KS2_CUT, KS4_CUT)}
    out = tmp_path / "out" / "imported.xlsx"
    result = import_performance([KS2_CUT, KS4_CUT], out)
    assert result.exit_code == 0 and result.written == out
    assert {p: sha(p) for p in (KS2_CUT, KS4_CUT)} == before
    wb = load_workbook(out)
    assert wb.properties.title == IMPORT_WORKBOOK_TITLE
    assert wb.sheetnames == ["Outcomes", "Benchmarks"]
    rows = list(wb["Outcomes"].iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in sheet("outcomes").columns]
    by_key = {(r[0], r[2], r[3]): r for r in rows[1:]}
    # Cohort and value (columns E:F); the CI and band columns follow (issue 9).
    assert by_key[(115922, "RWM expected standard %", "All pupils")][4:] == (64, 73, None, None, None)
    assert by_key[(116296, "RWM expected standard %", "Disadvantaged")][4:] == (3, "SUPP", None, None, None)
    assert by_key[(116527, "Progress 8", "Disadvantaged")][4:] == ("NP", "NP", None, None, None)
    assert len(rows) - 1 == len(result.outcomes)
    bench = list(wb["Benchmarks"].iter_rows(values_only=True))
    assert list(bench[0]) == [c.header for c in sheet("benchmarks").columns]
    assert ("2017/18", "Secondary", "English and maths 4+ %", "All pupils", 64.2) in bench


def test_import_filters_urns_and_warns_for_missing(tmp_path):
    result = import_performance(
        [KS2_CUT, KS4_CUT], tmp_path / "o.xlsx", urns=[115922, 137315, 999999]
    )
    assert set(result.outcomes.urn) == {115922, 137315}
    assert [p.message for p in result.report.warnings if p.code == "urn-not-found"] == [
        "URN 999999 is not in any of the files given."
    ]


def test_same_file_twice_imported_once(tmp_path):
    result = import_performance([KS2_CUT, KS2_CUT], tmp_path / "o.xlsx")
    assert result.exit_code == 0
    assert not result.outcomes.duplicated(["urn", "academic_year", "measure", "pupil_group"]).any()
    assert any(p.code == "duplicate-row" for p in result.report.warnings)


def test_conflicting_figures_from_two_files_are_an_error(tmp_path):
    src = tmp_path / "ks2final_2018-2019_a.csv"
    src.write_text("RECTYPE,URN,PTRWM_EXP\n1,100001,67%\n")
    other = tmp_path / "ks2final_2018-2019_b.csv"
    other.write_text("RECTYPE,URN,PTRWM_EXP\n1,100001,70%\n")
    out = tmp_path / "o.xlsx"
    result = import_performance([src, other], out)
    assert result.exit_code == 1 and not out.exists()
    assert [p.code for p in result.report.errors] == ["conflicting-duplicate"]


def test_refuses_to_write_over_an_input(tmp_path):
    src = tmp_path / "ks2final_2017-2018_850.csv"
    shutil.copy(KS2_CUT, src)
    before = sha(src)
    result = import_performance([src], src)
    assert result.exit_code == 1 and result.written is None
    assert sha(src) == before
    (err,) = result.report.errors
    assert err.code == "refuse-overwrite" and "copy the rows into your tracker" in err.fix


def test_refuses_to_write_over_a_tracker(tmp_path):
    tracker = tmp_path / "tracker.xlsx"
    wb = Workbook()
    wb.active.title = "Schools"
    wb.create_sheet("Outcomes")
    wb.save(tracker)
    before = sha(tracker)
    result = import_performance([KS2_CUT], tracker)
    assert result.exit_code == 1 and sha(tracker) == before
    assert "a tracker" in result.report.errors[0].message


def test_may_replace_its_own_earlier_output(tmp_path):
    out = tmp_path / "o.xlsx"
    assert import_performance([KS2_CUT], out).exit_code == 0
    second = import_performance([KS4_CUT], out)
    assert second.exit_code == 0
    assert {
        r[2] for r in load_workbook(out)["Outcomes"].iter_rows(min_row=2, values_only=True)
    } == {m.measure for m in KS4.measures}


# --------------------------------------------------------------------------- CLI


def test_cli_exit_codes(tmp_path, capsys):
    out = tmp_path / "imported.xlsx"
    assert main(["import-performance", str(KS2_CUT), "--out", str(out), "--urn", "115922"]) == 0
    assert out.exists() and "Copy the rows" in capsys.readouterr().out
    assert main(["import-performance", str(MESSY), "--out", str(tmp_path / "m.xlsx")]) == 1
    assert "--year" in capsys.readouterr().err
    assert (
        main(
            [
                "import-performance",
                str(MESSY),
                "--year",
                "2018/19",
                "--out",
                str(tmp_path / "m.xlsx"),
            ]
        )
        == 0
    )
    assert main(["import-performance", str(KS2_CUT), "--out", str(KS2_CUT)]) == 1
    assert "copy the rows into your tracker" in capsys.readouterr().err
    assert (
        main(
            ["import-performance", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "x.xlsx")]
        )
        == 2
    )
    assert not (tmp_path / "x.xlsx").exists()


# --------------------------------------------------------------------------- every real file


@pytest.mark.skipif(not REAL.is_dir(), reason=f"real DfE files not present at {REAL}")
def test_all_real_files_read_without_errors():
    files = sorted(REAL.glob("ks*final_*.csv"))
    assert len(files) == 11
    for f in files:
        result = read_performance_file(f)
        assert result.report.ok, (f.name, result.report.render())
        assert len(result.outcomes) > 1000 and not result.benchmarks.empty
        assert not (result.outcomes.value_code.notna() & result.outcomes.value.notna()).any()


def read_back(out: Path) -> dict[str, object]:
    """Parse the written Outcomes sheet with the tracker reader's own cell parser."""
    from toolkit.tracker.cells import parse_column

    rows = list(load_workbook(out)["Outcomes"].iter_rows(min_row=2, values_only=True))
    parsed = {}
    for i, col in enumerate(sheet("outcomes").columns):
        raw = pd.Series(["" if r[i] is None else r[i] for r in rows], dtype=object)
        parsed[col.key] = parse_column(raw, col)
    return parsed


@pytest.mark.parametrize(("files", "year"), [([KS2_CUT, KS4_CUT], None), ([MESSY], "2018/19")])
def test_written_cells_read_back_by_the_tracker_cell_parser(tmp_path, files, year):
    """What the import writes, the tracker reader (toolkit.tracker.cells) reads back: figures as
    figures and codes as suppressed (NaN + code), so nothing becomes 0 on the way."""
    out = tmp_path / "o.xlsx"
    result = import_performance(files, out, year=year)
    assert result.exit_code == 0
    parsed = read_back(out)
    for key in ("value", "cohort"):
        ours, codes = result.outcomes[key], result.outcomes[f"{key}_code"]
        assert not [x for x in parsed[key].issues if x.severity == "error"]
        assert (
            parsed[key].codes.fillna("").str.upper().tolist()
            == codes.fillna("").str.upper().tolist()
        )
        assert (
            parsed[key].values.astype("float64").fillna(-999).tolist()
            == ours.astype("float64").fillna(-999).tolist()
        )
    for key in ("urn", "measure", "pupil_group"):
        assert not [x for x in parsed[key].issues if x.severity == "error"], key
    # The tracker's Academic year list runs from 2015/16, so the real 2017/18 and 2018/19
    # files import into years the tracker accepts.
    assert not [x for x in parsed["academic_year"].issues if x.severity == "error"]
    assert "year-outside-tracker" not in [p.code for p in result.report.warnings]


def test_a_year_the_tracker_cannot_hold_is_warned_about(tmp_path):
    """2014/15 is before the tracker's Academic year list: the import still reads the file
    but warns that the tracker would refuse those rows, and the reader does refuse them."""
    out = tmp_path / "o.xlsx"
    result = import_performance([MESSY], out, year="2014/15")
    warning = next(p for p in result.report.warnings if p.code == "year-outside-tracker")
    assert "2014/15" in warning.message
    assert [x for x in read_back(out)["academic_year"].issues if x.severity == "error"]
