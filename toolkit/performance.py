"""Import DfE school performance tables (KS2 and KS4 "final" CSVs) as Outcomes rows.

The trust's Outcomes sheet (``schema`` sheet "outcomes") holds one row per school, year,
measure and pupil group. DfE publishes the same figures as one very wide row per school
(``ks2final_2018-2019_850.csv`` ...), with column names that change case and spelling
between years, percentages written as ``"67%"``, and suppression codes (``SUPP``, ``NE``,
``NP``, ``LOWCOV``, ``NA``) where a figure is withheld. This module turns those rows into
the Outcomes shape without ever turning a withheld figure into 0, and writes a NEW
workbook the data manager copies rows from: it never writes into a tracker or an input.

Sources for the column meanings:
- KS2: DfE's column dictionary ``ks2_meta_2018-2019.csv`` (performance tables 2019),
  quoted against each column in ``KS2_MEASURES`` below.
- KS4: DfE's KS4 performance tables metadata (``ks4_meta``), whose labels are quoted in
  ``KS4_MEASURES``; no KS4 dictionary is in ``/work/shared/realdata``, so the record
  types were also checked against the files (RECTYPE 5 has no Progress 8 and ~587,000
  pupils: all schools; RECTYPE 7 has Progress 8 and ~524,000: state-funded only).
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.problems import ProblemReport, UnreadableFile
from toolkit.schema import (
    ACADEMIC_YEARS,
    MEASURE_INFO,
    MEASURES,
    PUPIL_GROUPS,
    SUPPRESSION_CODES,
    sheet,
)
from toolkit.terms import AcademicYear

OUTCOME_COLUMNS = [
    "_row",
    "urn",
    "academic_year",
    "measure",
    "pupil_group",
    "cohort",
    "value",
    "cohort_code",
    "value_code",
    "_file",
    "_column",
]
BENCHMARK_COLUMNS = ["academic_year", "phase", "measure", "pupil_group", "value", "value_code"]

# Title stamped on every workbook this module writes, so a re-run may replace its own
# output but never a tracker or any other workbook that happens to sit at ``--out``.
IMPORT_WORKBOOK_TITLE = "Imported DfE performance tables (toolkit import-performance)"
REFUSAL_FIX = "import writes a new workbook; copy the rows into your tracker. Give a new file with --out."


# --------------------------------------------------------------------------- column tables


@dataclass(frozen=True)
class MeasureColumns:
    """Where one schema measure lives in a DfE file, for each pupil group.

    ``columns`` maps pupil group -> DfE column; ``cohorts`` overrides the key stage's
    group cohort column for measures counted on a narrower base (Progress 8).
    """

    measure: str
    meaning: str  # DfE's label for the all-pupils column
    columns: dict[str, str]
    cohorts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyStageTable:
    key_stage: str
    phase: str  # Benchmarks phase for the national row
    school_rectypes: frozenset[str]
    national_rectype: str  # the state-funded England row, used for Benchmarks
    group_cohorts: dict[str, str]  # pupil group -> count column
    measures: tuple[MeasureColumns, ...]
    signature: str  # a column only this key stage's files have

    def expected_columns(self) -> set[str]:
        cols = {c for m in self.measures for c in m.columns.values()}
        return cols | set(self.group_cohorts.values()) | {c for m in self.measures for c in m.cohorts.values()}


# KS2, ks2_meta_2018-2019.csv: "RECTYPE, Record type (1=Mainstream school; 2=Special school;
# 3=Local Authority; 4=National (all schools); 5=National (state-funded schools only))".
# Group suffixes per the same dictionary: _FSM6CLA1A "disadvantaged pupils",
# _NotFSM6CLA1A "non-disadvantaged pupils", _B "boys", _G "girls", _EAL "EAL pupils".
KS2 = KeyStageTable(
    key_stage="KS2",
    phase="Primary",
    school_rectypes=frozenset({"1", "2"}),
    national_rectype="5",
    group_cohorts={
        "All pupils": "TELIG",  # "Published eligible pupil number"
        "Disadvantaged": "TFSM6CLA1A",  # "Number of key stage 2 disadvantaged pupils"
        "Not disadvantaged": "TNotFSM6CLA1A",  # "Number of key stage 2 pupils who are not disadvantaged"
        "Boys": "BELIG",  # "Eligible boys on school roll at time of tests"
        "Girls": "GELIG",  # "Eligible girls on school roll at time of tests"
        "EAL": "TEALGRP2",  # "Number of eligible pupils with English as additional language (EAL)"
    },
    measures=(
        MeasureColumns(
            "RWM expected standard %",
            "Percentage of pupils reaching the expected standard in reading, writing and maths",
            {
                "All pupils": "PTRWM_EXP",
                "Disadvantaged": "PTRWM_EXP_FSM6CLA1A",
                "Not disadvantaged": "PTRWM_EXP_NotFSM6CLA1A",
                "Boys": "PTRWM_EXP_B",
                "Girls": "PTRWM_EXP_G",
                "EAL": "PTRWM_EXP_EAL",
            },
        ),
        MeasureColumns(
            "RWM higher standard %",
            "Percentage of pupils achieving a high score in reading and maths and working at greater depth in writing",
            {
                "All pupils": "PTRWM_HIGH",
                "Disadvantaged": "PTRWM_HIGH_FSM6CLA1A",
                "Not disadvantaged": "PTRWM_HIGH_NotFSM6CLA1A",
                "Boys": "PTRWM_HIGH_B",
                "Girls": "PTRWM_HIGH_G",
                "EAL": "PTRWM_HIGH_EAL",
            },
        ),
        MeasureColumns(
            "Reading progress",
            "Reading progress measure",
            {
                "All pupils": "READPROG",
                "Disadvantaged": "READPROG_FSM6CLA1A",
                "Not disadvantaged": "READPROG_NotFSM6CLA1A",
                "Boys": "READPROG_B",
                "Girls": "READPROG_G",
                "EAL": "READPROG_EAL",
            },
        ),
        MeasureColumns(
            "Writing progress",
            "Writing progress measure",
            {
                "All pupils": "WRITPROG",
                "Disadvantaged": "WRITPROG_FSM6CLA1A",
                "Not disadvantaged": "WRITPROG_NotFSM6CLA1A",
                "Boys": "WRITPROG_B",
                "Girls": "WRITPROG_G",
                "EAL": "WRITPROG_EAL",
            },
        ),
        MeasureColumns(
            "Maths progress",
            "Maths progress measure",
            {
                "All pupils": "MATPROG",
                "Disadvantaged": "MATPROG_FSM6CLA1A",
                "Not disadvantaged": "MATPROG_NotFSM6CLA1A",
                "Boys": "MATPROG_B",
                "Girls": "MATPROG_G",
                "EAL": "MATPROG_EAL",
            },
        ),
        MeasureColumns(
            "Reading scaled score",
            "Average scaled score in reading",
            {
                "All pupils": "READ_AVERAGE",
                "Disadvantaged": "READ_AVERAGE_FSM6CLA1A",
                "Not disadvantaged": "READ_AVERAGE_NotFSM6CLA1A",
                "Boys": "READ_AVERAGE_B",
                "Girls": "READ_AVERAGE_G",
                "EAL": "READ_AVERAGE_EAL",
            },
        ),
        MeasureColumns(
            "Maths scaled score",
            "Average scaled score in maths",
            {
                "All pupils": "MAT_AVERAGE",
                "Disadvantaged": "MAT_AVERAGE_FSM6CLA1A",
                "Not disadvantaged": "MAT_AVERAGE_NotFSM6CLA1A",
                "Boys": "MAT_AVERAGE_B",
                "Girls": "MAT_AVERAGE_G",
                "EAL": "MAT_AVERAGE_EAL",
            },
        ),
    ),
    signature="PTRWM_EXP",
)

# KS4, DfE ks4_meta: "RECTYPE: 1=mainstream school; 2=special school; 4=local authority;
# 5=National (all schools); 7=National (state-funded schools)". Group suffixes: _FSM6CLA1A
# "disadvantaged pupils", _NFSM6CLA1A "non-disadvantaged pupils", _BOYS, _GIRLS, _EAL.
KS4 = KeyStageTable(
    key_stage="KS4",
    phase="Secondary",
    school_rectypes=frozenset({"1", "2"}),
    national_rectype="7",
    group_cohorts={
        "All pupils": "TPUP",  # "Number of pupils at the end of key stage 4"
        "Disadvantaged": "TFSM6CLA1A",  # "Number of key stage 4 disadvantaged pupils"
        "Not disadvantaged": "TNOTFSM6CLA1A",  # "Number of key stage 4 pupils who are not disadvantaged"
        "Boys": "BPUP",  # "Number of boys at the end of key stage 4"
        "Girls": "GPUP",  # "Number of girls at the end of key stage 4"
        "EAL": "TEALGRP2",  # "Number of key stage 4 pupils with English as additional language"
    },
    measures=(
        MeasureColumns(
            "Attainment 8",
            "Average Attainment 8 score per pupil",
            {
                "All pupils": "ATT8SCR",
                "Disadvantaged": "ATT8SCR_FSM6CLA1A",
                "Not disadvantaged": "ATT8SCR_NFSM6CLA1A",
                "Boys": "ATT8SCR_BOYS",
                "Girls": "ATT8SCR_GIRLS",
                "EAL": "ATT8SCR_EAL",
            },
        ),
        MeasureColumns(
            "Progress 8",
            "Progress 8 measure after adjustment for extreme scores",
            {
                "All pupils": "P8MEA",
                "Disadvantaged": "P8MEA_FSM6CLA1A",
                "Not disadvantaged": "P8MEA_NFSM6CLA1A",
                "Boys": "P8MEA_BOYS",
                "Girls": "P8MEA_GIRLS",
                "EAL": "P8MEA_EAL",
            },
            # "Number of pupils included in Progress 8 measure" (by group)
            cohorts={
                "All pupils": "P8PUP",
                "Disadvantaged": "P8PUP_FSM6CLA1A",
                "Not disadvantaged": "P8PUP_NFSM6CLA1A",
                "Boys": "P8PUP_BOYS",
                "Girls": "P8PUP_GIRLS",
                "EAL": "P8PUP_EAL",
            },
        ),
        MeasureColumns(
            "English and maths 4+ %",
            "Percentage of pupils achieving standard 9-4 passes in both English and mathematics GCSEs",
            {
                "All pupils": "PTL2BASICS_94",
                "Disadvantaged": "PTFSM6CLA1ABASICS_94",
                "Not disadvantaged": "PTNOTFSM6CLA1ABASICS_94",
                "Boys": "PBL2BASICS_94",
                "Girls": "PGL2BASICS_94",
                "EAL": "PTL2BASICSEAL_94",
            },
        ),
        MeasureColumns(
            "English and maths 5+ %",
            "Percentage of pupils achieving strong 9-5 passes in both English and mathematics GCSEs",
            {
                "All pupils": "PTL2BASICS_95",
                "Disadvantaged": "PTFSM6CLA1ABASICS_95",
                "Not disadvantaged": "PTNOTFSM6CLA1ABASICS_95",
                "Boys": "PBL2BASICS_95",
                "Girls": "PGL2BASICS_95",
                "EAL": "PTL2BASICSEAL_95",
            },
        ),
        MeasureColumns(
            "EBacc APS",
            "Average EBacc APS score per pupil (published from 2017/18)",
            {
                "All pupils": "EBACCAPS",
                "Disadvantaged": "EBACCAPS_FSM6CLA1A",
                "Not disadvantaged": "EBACCAPS_NFSM6CLA1A",
                "Boys": "EBACCAPS_BOYS",
                "Girls": "EBACCAPS_GIRLS",
                "EAL": "EBACCAPS_EAL",
            },
        ),
    ),
    signature="ATT8SCR",
)

KEY_STAGES: tuple[KeyStageTable, ...] = (KS2, KS4)

# Other spellings of a column, as seen across DfE years or typed by schools. Keys and
# aliases are compared after ``header_key`` (case, spaces, underscores and hyphens ignored).
# The KS2 files spell non-disadvantaged "NotFSM6CLA1A", KS4 "NFSM6CLA1A"/"NOTFSM6CLA1A";
# ``_aliases_for`` accepts either spelling in either key stage on top of this table.
ALIASES: dict[str, tuple[str, ...]] = {
    "URN": ("SCHOOL URN", "URN (SCHOOL)", "UNIQUE REFERENCE NUMBER"),
    "RECTYPE": ("RECORD TYPE", "REC_TYPE"),
    # 2017 names DfE still shows as PTNOTFSMBASICS_94_17 in ks4final_2018-2019
    "PTNOTFSM6CLA1ABASICS_94": ("PTNOTFSMBASICS_94",),
    "PTNOTFSM6CLA1ABASICS_95": ("PTNOTFSMBASICS_95",),
    "PTFSM6CLA1ABASICS_94": ("PTFSMBASICS_94",),
    "PTFSM6CLA1ABASICS_95": ("PTFSMBASICS_95",),
    "EBACCAPS": ("EBACC_APS", "AVG_EBACCAPS"),
    "TELIG": ("TELIG_PUB",),
}

# A DfE figure is numeric, optionally with a % sign ("67%", "68.30%").
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)\s*(%?)$")
_SUPPRESSION = {c.lower() for c in SUPPRESSION_CODES}


def header_key(header: object) -> str:
    """Compare headers ignoring case, spaces, underscores, hyphens and a stray BOM.

    Why: DfE headers differ between years only in such details (``TNotFSM6CLA1A`` in KS2,
    ``TNOTFSM6CLA1A`` in KS4), and a header retyped in Excel gains trailing spaces.
    """
    return re.sub(r"[^A-Z0-9]", "", str(header).replace("\ufeff", "").upper())


def _aliases_for(column: str) -> list[str]:
    names = [column, *ALIASES.get(column, ())]
    key = header_key(column)
    if "NOTFSM6CLA1A" in key:
        names.append(key.replace("NOTFSM6CLA1A", "NFSM6CLA1A"))
    elif "NFSM6CLA1A" in key:
        names.append(key.replace("NFSM6CLA1A", "NOTFSM6CLA1A"))
    return names


def _column_letter(index: int) -> str:
    """Excel column letters, so a problem points at the cell the user sees in Excel."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --------------------------------------------------------------------------- rules


def academic_year_from_name(name: str) -> str | None:
    """The academic year a DfE file name states, e.g. ``ks4final_2017-2018_850.csv`` -> 2017/18.

    DfE names its downloads ``<year>-<year+1>`` (``2018-2019``); ``2018-19`` and ``201819``
    are accepted too. A lone year (``2018-850-ks2.csv``) is ambiguous, since some sources
    name the autumn and some the summer of the exams, so it gives None and the caller must
    say which year with ``--year``. Two different years in one name also give None.
    """
    found: set[int] = set()
    for m in re.finditer(r"(?<!\d)(20\d\d)[-_ /]?(20\d\d|\d\d)(?!\d)", Path(name).name):
        start, end = int(m.group(1)), int(m.group(2)[-2:])
        if (start + 1) % 100 == end:
            found.add(start)
    if len(found) != 1:
        return None
    return AcademicYear(found.pop()).label


def parse_dfe_value(text: str, *, percent: bool) -> tuple[float | None, str | None, str | None]:
    """Read one DfE cell as (value, suppression code, error).

    Strategy/DOMAIN ("Data that must be handled with care"): a withheld figure is shown as
    suppressed, never as 0. So ``SUPP``, ``NE``, ``NP``, ``LOWCOV``, ``NA``, ``x`` ... give
    value None and the code as published. A blank cell gives (None, None, None): no figure.
    Percentages may be written ``67%``, ``68.30%`` or ``67``; all read as 67 (0-100 scale);
    the 0-1 scale is decided per column by ``_fraction_scale``, not per cell.
    """
    s = str(text).strip()
    if not s:
        return None, None, None
    if s.lower() in _SUPPRESSION:
        return None, s, None
    m = _NUMBER.match(s.replace(",", ""))
    if not m:
        return None, None, f"{s!r} is neither a number nor a DfE suppression code"
    if m.group(3) and not percent:
        return None, None, f"{s!r} is a percentage but this measure is a score"
    return float(s.replace(",", "").rstrip("%").strip()), None, None


def _fraction_scale(cells: Iterable[str]) -> bool:
    """True when a percent column is on a 0-1 scale (0.67 for 67%).

    Decided per column, not per cell, because "1" alone could be 1% or 100%: the column is
    fractional only if no cell has a % sign, every number is between 0 and 1, and at least
    one is not a whole number.
    """
    numbers: list[float] = []
    for c in cells:
        s = str(c).strip()
        if "%" in s:
            return False
        try:
            numbers.append(float(s))
        except ValueError:
            continue
    return bool(numbers) and all(0 <= n <= 1 for n in numbers) and any(n not in (0.0, 1.0) for n in numbers)


# --------------------------------------------------------------------------- reading


def _decode(raw: bytes, path: Path) -> str:
    """DfE CSVs come as UTF-8 (often with a BOM) or Windows-1252; Excel may save UTF-16."""
    if raw.startswith(b"PK\x03\x04"):
        raise UnreadableFile(f"{path.name} is an Excel workbook or zip, not a CSV. Fix: save it as CSV from Excel, or use the CSV DfE publishes.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise UnreadableFile(f"{path.name} is not a text CSV (it contains binary data). Fix: download the CSV again from the DfE performance tables site.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # every byte is a character in latin-1


@dataclass
class PerformanceFile:
    """What one DfE file gave: Outcomes rows, national Benchmarks rows and problems."""

    path: Path
    key_stage: str | None
    academic_year: str | None
    outcomes: pd.DataFrame
    benchmarks: pd.DataFrame
    report: ProblemReport
    schools_skipped: int = 0  # LA and national rows left out of Outcomes


def _empty_outcomes() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in OUTCOME_COLUMNS})


def _empty_benchmarks() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in BENCHMARK_COLUMNS})


def _detect_key_stage(keys: dict[str, int], path: Path) -> KeyStageTable | None:
    """KS2 or KS4 from the headers (PTRWM_EXP / ATT8SCR); the file name only settles a tie.

    A file with none of a key stage's measure columns is neither, whatever its name says.
    """
    present = [ks for ks in KEY_STAGES if header_key(ks.signature) in keys]
    if len(present) == 1:
        return present[0]
    candidates = present or [
        ks for ks in KEY_STAGES
        if any(header_key(a) in keys for m in ks.measures for c in m.columns.values() for a in _aliases_for(c))
    ]
    if len(candidates) == 1:
        return candidates[0]
    by_name = [ks for ks in candidates if ks.key_stage.lower() in path.name.lower()]
    return by_name[0] if len(by_name) == 1 else None


def _resolve_year(path: Path, year: str | None, report: ProblemReport) -> str | None:
    """The file name's year (DfE names every download by year); ``year`` only when it is silent."""
    stated = academic_year_from_name(path.name)
    given: str | None = None
    if year is not None:
        try:
            given = AcademicYear.parse(year).label
        except ValueError as exc:
            report.error(str(exc), "Write the year like 2018/19.", code="bad-year")
            return None
    if stated and given and stated != given:
        report.warning(
            f"The file name says {stated}, so its rows are {stated}; --year {given} is only for files whose name does not say.",
            "Nothing to do if the name is right; if it is wrong, rename the file.",
            code="year-conflict",
        )
    chosen = stated or given
    if chosen is None:
        report.error(
            f"The file name {path.name!r} does not say which academic year it covers.",
            "Give the year with --year 2018/19, or keep DfE's file name (e.g. ks2final_2018-2019_850.csv).",
            code="no-year",
        )
        return None
    if chosen not in ACADEMIC_YEARS:
        report.warning(
            f"{chosen} is not in the tracker's Academic year list ({ACADEMIC_YEARS[0]} to {ACADEMIC_YEARS[-1]}).",
            "The rows are written, but the tracker will not accept them until that year is in its list.",
            code="year-outside-tracker",
        )
    return chosen


def read_performance_file(path: str | Path, *, year: str | None = None) -> PerformanceFile:
    """Read one DfE KS2 or KS4 school-level CSV into Outcomes and Benchmarks rows.

    Raises ``UnreadableFile`` when the file is missing or not a text CSV; every other
    problem (no URN column, unknown cell, missing measure columns) is in the report.
    """
    path = Path(path)
    report = ProblemReport(file=str(path))
    where = path.stem  # Excel names the single sheet of a CSV after the file
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path} cannot be read ({exc.strerror or exc}). Fix: check the path and that the file exists.") from exc
    text = _decode(raw, path)
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skipinitialspace=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UnreadableFile(f"{path.name} is not a readable CSV ({exc}). Fix: download the CSV again from the DfE performance tables site.") from exc

    empty = PerformanceFile(path, None, None, _empty_outcomes(), _empty_benchmarks(), report)
    headers = list(table.columns)
    keys: dict[str, int] = {}
    for i, h in enumerate(headers):
        k = header_key(h)
        if not k or str(h).startswith("Unnamed:"):
            continue
        if k in keys:
            report.error(
                f"Columns {_column_letter(keys[k])} ({headers[keys[k]]!r}) and {_column_letter(i)} ({h!r}) have the same name.",
                "Delete or rename one of them.",
                sheet=where, cell=f"{_column_letter(i)}1", code="duplicate-column",
            )
            continue
        keys[k] = i

    def find(column: str) -> int | None:
        for name in _aliases_for(column):
            if header_key(name) in keys:
                return keys[header_key(name)]
        return None

    ks = _detect_key_stage(keys, path)
    if ks is None:
        report.error(
            "This is not a DfE KS2 or KS4 school-level file: it has no KS2 (PTRWM_EXP ...) or KS4 (ATT8SCR ...) measure columns.",
            "Use the 'final' school-level CSV (ks2final_*.csv or ks4final_*.csv) from the DfE performance tables.",
            sheet=where, cell="A1", code="unknown-file",
        )
    urn_at = find("URN")
    if urn_at is None:
        report.error(
            "There is no URN column, so rows cannot be matched to schools.",
            "Keep DfE's URN column (the school's 6-digit unique reference number) in the file.",
            sheet=where, cell="A1", code="no-urn-column",
        )
    academic_year = _resolve_year(path, year, report)
    if ks is None or urn_at is None or academic_year is None:
        return empty
    empty.key_stage, empty.academic_year = ks.key_stage, academic_year

    # Expected columns that are missing, one warning per measure (and per cohort column).
    plan: list[tuple[str, str, int, int | None]] = []  # (measure, group, value col, cohort col)
    for m in ks.measures:
        missing = [c for c in m.columns.values() if find(c) is None]
        if missing:
            report.warning(
                f"{ks.key_stage} {m.measure!r}: column(s) {', '.join(missing)} are not in the file, so those groups are not imported.",
                "Nothing to do if DfE did not publish them that year; otherwise check the column names.",
                sheet=where, cell="1:1", code="missing-column",
            )
        for group, col in m.columns.items():
            vi = find(col)
            if vi is None:
                continue
            cohort_col = m.cohorts.get(group) or ks.group_cohorts[group]
            ci = find(cohort_col)
            if ci is None and cohort_col != ks.group_cohorts[group]:
                ci = find(ks.group_cohorts[group])
            plan.append((m.measure, group, vi, ci))
    for group, col in ks.group_cohorts.items():
        if find(col) is None:
            report.warning(
                f"The cohort column {col} ({group}) is not in the file, so those cohort sizes are blank.",
                "Check the column name; reports suppress groups whose size is unknown.",
                sheet=where, cell="1:1", code="missing-column",
            )
    _warn_near_misses(headers, keys, ks, where, report)

    rectype_at = find("RECTYPE")
    if rectype_at is None:
        report.warning(
            "There is no RECTYPE column, so every row with a URN is taken as a school.",
            "Keep DfE's RECTYPE column so local authority and England totals are told apart.",
            sheet=where, cell="1:1", code="no-rectype",
        )
    values = table.to_numpy(dtype=object)
    rectypes = [str(r[rectype_at]).strip() for r in values] if rectype_at is not None else None
    school_mask = [(rt in ks.school_rectypes) if rectypes else True for rt in (rectypes or [""] * len(values))]
    fraction_cols = {
        vi for (measure, _g, vi, _c) in plan
        if MEASURE_INFO[measure]["unit"] == "percent"
        and _fraction_scale(r[vi] for r, is_school in zip(values, school_mask, strict=True) if is_school)
    }
    for vi in sorted(fraction_cols):
        report.warning(
            f"Column {headers[vi]!r} holds percentages as fractions (0.67); they are read as 0-100 (67).",
            "Nothing to do; check a figure or two against the published tables.",
            sheet=where, cell=f"{_column_letter(vi)}1", code="fraction-percent",
        )

    rows: list[dict[str, object]] = []
    bench: list[dict[str, object]] = []
    skipped = 0
    for i, record in enumerate(values):
        excel_row = i + 2
        rectype = rectypes[i] if rectypes else None
        if rectypes and rectype == ks.national_rectype:
            bench.extend(_benchmark_rows(record, plan, fraction_cols, ks, academic_year))
            skipped += 1
            continue
        if not school_mask[i]:
            skipped += 1
            continue
        urn_text = str(record[urn_at]).strip()
        if not urn_text:
            if rectypes is None:
                skipped += 1
                continue
            report.warning(
                f"School row {excel_row} ({ks.key_stage}, RECTYPE {rectype}) has no URN and is left out.",
                "Add the school's URN from Get Information About Schools if you need this row.",
                sheet=where, cell=f"{_column_letter(urn_at)}{excel_row}", code="blank-urn",
            )
            continue
        try:
            urn = int(float(urn_text))
        except ValueError:
            report.error(
                f"URN {urn_text!r} is not a number.",
                "Write the school's 6-digit URN from Get Information About Schools.",
                sheet=where, cell=f"{_column_letter(urn_at)}{excel_row}", code="bad-urn",
            )
            continue
        if not 100000 <= urn <= 999999:
            report.warning(
                f"URN {urn} is not 6 digits.",
                "Check the URN against Get Information About Schools.",
                sheet=where, cell=f"{_column_letter(urn_at)}{excel_row}", code="odd-urn",
            )
        for measure, group, vi, ci in plan:
            percent = MEASURE_INFO[measure]["unit"] == "percent"
            value, code, error = parse_dfe_value(record[vi], percent=percent)
            cell = f"{_column_letter(vi)}{excel_row}"
            if error:
                report.error(
                    f"{headers[vi]} for URN {urn}: {error}.",
                    "Write the published figure, or the DfE code (SUPP, NE, NP, LOWCOV, NA, x) if it was withheld.",
                    sheet=where, cell=cell, code="bad-value",
                )
                continue
            if value is None and code is None:
                continue  # blank: DfE published no figure for this group
            if value is not None and vi in fraction_cols:
                value = round(value * 100, 6)
            if value is not None and percent and not 0 <= value <= 100:
                report.error(
                    f"{headers[vi]} for URN {urn} is {value:g}%, outside 0-100.",
                    "Check the figure against the published tables.",
                    sheet=where, cell=cell, code="percent-range",
                )
                continue
            cohort, cohort_code = _cohort(record, ci, headers, urn, excel_row, where, report)
            rows.append({
                "_row": excel_row,
                "urn": urn,
                "academic_year": academic_year,
                "measure": measure,
                "pupil_group": group,
                "cohort": cohort,
                "value": float("nan") if value is None else value,
                "cohort_code": cohort_code,
                "value_code": code,
                "_file": path.name,
                "_column": headers[vi],
            })
    empty.outcomes = _typed_outcomes(rows)
    empty.benchmarks = pd.DataFrame(bench, columns=BENCHMARK_COLUMNS) if bench else _empty_benchmarks()
    empty.schools_skipped = skipped
    return empty


def _cohort(record: Sequence[object], ci: int | None, headers: list[str], urn: int, excel_row: int,
            where: str, report: ProblemReport) -> tuple[int | None, str | None]:
    if ci is None:
        return None, None
    value, code, error = parse_dfe_value(str(record[ci]), percent=False)
    if error or (value is not None and (value < 0 or value != int(value))):
        report.warning(
            f"Cohort {headers[ci]} for URN {urn} is {str(record[ci]).strip()!r}, not a whole number; the cohort is left blank.",
            "Check the figure against the published tables.",
            sheet=where, cell=f"{_column_letter(ci)}{excel_row}", code="bad-cohort",
        )
        return None, None
    return (None if value is None else int(value)), code


def _benchmark_rows(record: Sequence[object], plan: list[tuple[str, str, int, int | None]],
                    fraction_cols: set[int], ks: KeyStageTable, academic_year: str) -> list[dict[str, object]]:
    """National (state-funded England) figures from the RECTYPE row DfE gives for them."""
    out: list[dict[str, object]] = []
    for measure, group, vi, _ci in plan:
        value, code, error = parse_dfe_value(str(record[vi]), percent=MEASURE_INFO[measure]["unit"] == "percent")
        if error or (value is None and code is None):
            continue
        if value is not None and vi in fraction_cols:
            value = round(value * 100, 6)
        out.append({
            "academic_year": academic_year,
            "phase": ks.phase,
            "measure": measure,
            "pupil_group": group,
            "value": float("nan") if value is None else value,
            "value_code": code,
        })
    return out


def _warn_near_misses(headers: list[str], keys: dict[str, int], ks: KeyStageTable, where: str,
                      report: ProblemReport) -> None:
    """Name headers that look like an expected column but are not one (a typo in a retyped file)."""
    expected = {header_key(a) for c in ks.expected_columns() for a in _aliases_for(c)}
    missing = [c for c in ks.expected_columns() if not any(header_key(a) in keys for a in _aliases_for(c))]
    if not missing:
        return
    unknown = [k for k in keys if k not in expected]
    for col in missing:
        close = difflib.get_close_matches(header_key(col), unknown, n=1, cutoff=0.92)
        if close:
            i = keys[close[0]]
            report.warning(
                f"Column {headers[i]!r} is not recognised; it looks like {col}, which is missing.",
                f"If it is {col}, rename the header to {col}.",
                sheet=where, cell=f"{_column_letter(i)}1", code="unknown-column",
            )


def _typed_outcomes(rows: list[dict[str, object]]) -> pd.DataFrame:
    if not rows:
        return _empty_outcomes()
    df = pd.DataFrame(rows, columns=OUTCOME_COLUMNS)
    df["urn"] = df["urn"].astype(int)
    df["_row"] = df["_row"].astype(int)
    df["cohort"] = pd.array(df["cohort"].tolist(), dtype="Int64")
    df["value"] = df["value"].astype(float)
    df["cohort_code"] = df["cohort_code"].astype(object).where(df["cohort_code"].notna(), None)
    df["value_code"] = df["value_code"].astype(object).where(df["value_code"].notna(), None)
    return df


def read_performance_csv(path: str | Path, *, year: str | None = None) -> tuple[pd.DataFrame, ProblemReport]:
    """The Outcomes rows of one DfE KS2/KS4 school-level CSV, and the problems found.

    Columns: schema "outcomes" keys (urn, academic_year, measure, pupil_group, cohort,
    value) plus ``cohort_code``/``value_code`` (the DfE code where a figure is withheld;
    value is then NaN, never 0), ``_row`` (the CSV row) and ``_file``/``_column`` (where
    the figure came from). Raises ``UnreadableFile`` for a file that is not a text CSV.
    """
    result = read_performance_file(path, year=year)
    return result.outcomes, result.report


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    outcomes: pd.DataFrame
    benchmarks: pd.DataFrame
    report: ProblemReport
    files: list[PerformanceFile] = field(default_factory=list)
    written: Path | None = None
    unreadable: bool = False

    @property
    def exit_code(self) -> int:
        """0 written (maybe with warnings), 1 problems to fix, 2 a file could not be read."""
        if self.unreadable:
            return 2
        return 0 if self.report.ok and self.written is not None else 1


def refuse_output(out: Path, inputs: Sequence[Path]) -> str | None:
    """Why ``out`` must not be written, or None.

    DOMAIN.md: inputs are never modified. The import therefore only ever creates a new
    workbook, or replaces one it wrote itself (stamped with ``IMPORT_WORKBOOK_TITLE``);
    it refuses an input file, a tracker, and any other existing file.
    """
    target = out.resolve()
    for p in inputs:
        if Path(p).resolve() == target:
            return f"{out} is one of the input files."
    if out.suffix.lower() != ".xlsx":
        return f"{out} is not an .xlsx file name."
    if not out.exists():
        return None
    try:
        from openpyxl import load_workbook

        wb = load_workbook(out, read_only=True)
        title = wb.properties.title
        sheets = list(wb.sheetnames)
        wb.close()
    except Exception:  # noqa: BLE001 - any unreadable existing file is left alone
        return f"{out} already exists and is not a workbook this import wrote."
    if title != IMPORT_WORKBOOK_TITLE:
        kind = "a tracker" if "Schools" in sheets or "Outcomes" in sheets else "a workbook this import did not write"
        return f"{out} already exists and is {kind}."
    return None


def _sort(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if df.empty:
        return df
    order = {
        "measure": {m[0]: i for i, m in enumerate(MEASURES)},
        "pupil_group": {g: i for i, g in enumerate(PUPIL_GROUPS)},
    }
    return df.sort_values(keys, key=lambda s: s.map(order[s.name]) if s.name in order else s, kind="stable").reset_index(drop=True)


def _dedupe(df: pd.DataFrame, keys: list[str], report: ProblemReport, what: str) -> pd.DataFrame:
    """The same school, year, measure and group from two files: same figure is fine, two figures is an error."""
    if df.empty:
        return df
    dup = df.duplicated(keys, keep=False)
    if not dup.any():
        return df
    for _, grp in df[dup].groupby(keys, sort=False):
        distinct = grp[["value", "value_code"]].astype(str).drop_duplicates()
        label = ", ".join(str(grp.iloc[0][k]) for k in keys)
        sources = "; ".join(f"{r.get('_file', '')} row {r.get('_row', '')}".strip() for r in grp.to_dict("records"))
        if len(distinct) > 1:
            report.error(
                f"{what} {label} is given twice with different figures ({sources}).",
                "Import one file per local authority and year; remove the file that is out of date.",
                code="conflicting-duplicate",
            )
        else:
            report.warning(
                f"{what} {label} is in more than one file ({sources}); it is imported once.",
                "Nothing to do, or import each file once.",
                code="duplicate-row",
            )
    return df.drop_duplicates(keys, keep="first").reset_index(drop=True)


def import_performance(paths: Sequence[str | Path], out: str | Path, urns: Iterable[int] | None = None,
                       *, year: str | None = None) -> ImportResult:
    """Read DfE KS2/KS4 CSVs and write their Outcomes (and national Benchmarks) to a new workbook.

    Nothing is written when any file has an error; all problems of all files are reported
    together. ``urns`` keeps only those schools (a trust's own), warning for any not found.
    """
    out = Path(out)
    inputs = [Path(p) for p in paths]
    report = ProblemReport(file=str(out))
    files: list[PerformanceFile] = []
    unreadable = False
    refusal = refuse_output(out, inputs)
    if refusal:
        report.error(f"Refusing to write: {refusal}", REFUSAL_FIX, code="refuse-overwrite")
    for p in inputs:
        try:
            f = read_performance_file(p, year=year)
        except UnreadableFile as exc:
            unreadable = True
            report.problems.append(_unreadable_problem(p, str(exc)))
            continue
        files.append(f)
        report.extend(f.report)

    outcomes = pd.concat([f.outcomes for f in files if not f.outcomes.empty], ignore_index=True) if any(not f.outcomes.empty for f in files) else _empty_outcomes()
    benchmarks = pd.concat([f.benchmarks for f in files if not f.benchmarks.empty], ignore_index=True) if any(not f.benchmarks.empty for f in files) else _empty_benchmarks()
    if urns is not None:
        wanted = {int(u) for u in urns}
        found = set(outcomes["urn"].tolist()) if not outcomes.empty else set()
        for u in sorted(wanted - found):
            report.warning(
                f"URN {u} is not in any of the files given.",
                "Check the URN, and that the file for the school's local authority and year is included.",
                code="urn-not-found",
            )
        outcomes = outcomes[outcomes["urn"].isin(wanted)].reset_index(drop=True) if not outcomes.empty else outcomes
    outcome_keys = list(sheet("outcomes").unique)
    bench_keys = list(sheet("benchmarks").unique)
    outcomes = _sort(_dedupe(outcomes, outcome_keys, report, "Outcome"), outcome_keys)
    benchmarks = _sort(_dedupe(benchmarks, bench_keys, report, "Benchmark"), bench_keys)

    result = ImportResult(outcomes, benchmarks, report, files, None, unreadable)
    if report.ok and not unreadable:
        if outcomes.empty:
            report.error(
                "No school figures were found to import.",
                "Check the files are DfE school-level 'final' CSVs and that --urn names schools in them.",
                code="nothing-to-import",
            )
        else:
            result.written = write_import_workbook(outcomes, benchmarks, out)
    return result


def _unreadable_problem(path: Path, message: str):
    from toolkit.problems import Problem, Severity

    text, _, fix = message.partition(" Fix: ")
    return Problem(Severity.ERROR, text, fix or "Check the file.", str(path), "", "", "unreadable")


# --------------------------------------------------------------------------- writing


def _cell(value: object, code: object) -> object:
    """A figure, or its suppression code as text so the tracker reads it back as suppressed."""
    if code is not None and not (isinstance(code, float) and pd.isna(code)):
        return str(code)
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value


def write_import_workbook(outcomes: pd.DataFrame, benchmarks: pd.DataFrame, out: str | Path) -> Path:
    """Write Outcomes (and Benchmarks, if any) with the tracker's headers, atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from toolkit.outputs import atomic_path

    wb = Workbook()
    wb.properties.title = IMPORT_WORKBOOK_TITLE
    wb.properties.creator = "School Improvement Toolkit"
    first = True
    for key, df in (("outcomes", outcomes), ("benchmarks", benchmarks)):
        if key == "benchmarks" and df.empty:
            continue
        spec = sheet(key)
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = spec.title
        ws.append([c.header for c in spec.columns])
        for c in ws[1]:
            c.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for i, col in enumerate(spec.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        for rec in df.to_dict("records"):
            row = []
            for col in spec.columns:
                v = rec.get(col.key)
                code = rec.get(f"{col.key}_code") if col.suppressible else None
                if isinstance(v, float) and v.is_integer() and col.kind == "int":
                    v = int(v)
                row.append(_cell(v, code))
            ws.append(row)
    out = Path(out)
    with atomic_path(out, suffix=".xlsx") as tmp:
        wb.save(tmp)
    return out
