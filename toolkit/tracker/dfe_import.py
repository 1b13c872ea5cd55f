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

from toolkit.calendar.terms import AcademicYear
from toolkit.tracker.problems import Problem, ProblemReport, Severity, UnreadableFile
from toolkit.tracker.schema import (
    ACADEMIC_YEARS,
    MEASURE_INFO,
    MEASURES,
    PROGRESS_BANDS,
    PUPIL_GROUPS,
    SUPPRESSION_CODES,
    sheet,
)

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
    "ci_lower",
    "ci_upper",
    "band",
    "_file",
    "_column",
]
BENCHMARK_COLUMNS = ["academic_year", "phase", "measure", "pupil_group", "value", "value_code"]

# Title stamped on every workbook this module writes, so a re-run may replace its own
# output but never a tracker or any other workbook that happens to sit at ``--out``.
IMPORT_WORKBOOK_TITLE = "Imported DfE performance tables (toolkit import-performance)"
REFUSAL_FIX = (
    "import writes a new workbook; copy the rows into your tracker. Give a new file with --out."
)


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
    # Progress scores: DfE's 95% confidence limits (group -> column) and band (group ->
    # column, codes 1-5). Optional: imported where the year's file has them, no warning.
    lower: dict[str, str] = field(default_factory=dict)
    upper: dict[str, str] = field(default_factory=dict)
    bands: dict[str, str] = field(default_factory=dict)


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
        return (
            cols
            | set(self.group_cohorts.values())
            | {c for m in self.measures for c in m.cohorts.values()}
        )


_KS2_SUFFIX = {"All pupils": "", "Disadvantaged": "_FSM6CLA1A", "Not disadvantaged": "_NotFSM6CLA1A", "Boys": "_B", "Girls": "_G", "EAL": "_EAL"}
_P8_SUFFIX = {"All pupils": "", "Disadvantaged": "_FSM6CLA1A", "Not disadvantaged": "_NFSM6CLA1A", "Boys": "_BOYS", "Girls": "_GIRLS", "EAL": "_EAL"}


def _ks2_limits(base: str, end: str) -> dict[str, str]:
    """KS2 confidence-limit columns: READPROG_LOWER, READPROG_B_LOWER, READPROG_FSM6CLA1A_UPPER ..."""
    return {g: f"{base}{sfx}_{end}" for g, sfx in _KS2_SUFFIX.items()}


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
            # ks2_meta: "READPROG_LOWER ... - lower confidence limit", "READPROG_DESCR ... 'description'"
            lower=_ks2_limits("READPROG", "LOWER"),
            upper=_ks2_limits("READPROG", "UPPER"),
            bands={"All pupils": "READPROG_DESCR"},
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
            # ks2_meta: "WRITPROG_LOWER ... - lower confidence limit", "WRITPROG_DESCR ... 'description'"
            lower=_ks2_limits("WRITPROG", "LOWER"),
            upper=_ks2_limits("WRITPROG", "UPPER"),
            bands={"All pupils": "WRITPROG_DESCR"},
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
            # ks2_meta: "MATPROG_LOWER ... - lower confidence limit", "MATPROG_DESCR ... 'description'"
            lower=_ks2_limits("MATPROG", "LOWER"),
            upper=_ks2_limits("MATPROG", "UPPER"),
            bands={"All pupils": "MATPROG_DESCR"},
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
            # ks4_meta: "P8CILOW/P8CIUPP: Progress 8 lower/upper confidence interval" (by
            # group suffix), and "P8_BANDING: Progress 8 banding" (2017/18 onwards).
            lower={g: "P8CILOW" + sfx for g, sfx in _P8_SUFFIX.items()},
            upper={g: "P8CIUPP" + sfx for g, sfx in _P8_SUFFIX.items()},
            bands={"All pupils": "P8_BANDING"},
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
    return (
        bool(numbers)
        and all(0 <= n <= 1 for n in numbers)
        and any(n not in (0.0, 1.0) for n in numbers)
    )


# --------------------------------------------------------------------------- reading


def _decode(raw: bytes, path: Path) -> str:
    """DfE CSVs come as UTF-8 (often with a BOM) or Windows-1252; Excel may save UTF-16."""
    if raw.startswith(b"PK\x03\x04"):
        raise UnreadableFile(
            f"{path.name} is an Excel workbook or zip, not a CSV. Fix: save it as CSV from Excel, or use the CSV DfE publishes."
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise UnreadableFile(
            f"{path.name} is not a text CSV (it contains binary data). Fix: download the CSV again from the DfE performance tables site."
        )
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
        ks
        for ks in KEY_STAGES
        if any(
            header_key(a) in keys
            for m in ks.measures
            for c in m.columns.values()
            for a in _aliases_for(c)
        )
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


@dataclass
class _Headers:
    """A file's headers, looked up tolerantly (``header_key`` plus ``ALIASES``)."""

    names: list[str]
    index: dict[str, int]  # header_key -> position

    def find(self, column: str) -> int | None:
        for name in _aliases_for(column):
            if header_key(name) in self.index:
                return self.index[header_key(name)]
        return None


@dataclass(frozen=True)
class _Planned:
    """One figure to take from each row: which column, and where its cohort size is."""

    measure: str
    group: str
    value_at: int
    cohort_at: int | None
    percent: bool
    lower_at: int | None = None
    upper_at: int | None = None
    band_at: int | None = None


@dataclass
class _Context:
    path: Path
    where: str  # Excel names the single sheet of a CSV after the file
    ks: KeyStageTable
    academic_year: str
    headers: _Headers
    plan: list[_Planned]
    fractions: set[int]  # percent columns written on a 0-1 scale
    report: ProblemReport

    def cell(self, at: int, row: int) -> str:
        return f"{_column_letter(at)}{row}"


def _load_csv(path: Path) -> pd.DataFrame:
    """Every cell as the text DfE wrote, so codes and blanks are never guessed into numbers."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(
            f"{path} cannot be read ({exc.strerror or exc}). Fix: check the path and that the file exists."
        ) from exc
    text = _decode(raw, path)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UnreadableFile(
            f"{path.name} is not a readable CSV ({exc}). Fix: download the CSV again from the DfE performance tables site."
        ) from exc


def _index_headers(names: list[str], where: str, report: ProblemReport) -> _Headers:
    index: dict[str, int] = {}
    for i, h in enumerate(names):
        k = header_key(h)
        if not k or str(h).startswith("Unnamed:"):
            continue
        if k in index:
            report.error(
                f"Columns {_column_letter(index[k])} ({names[index[k]]!r}) and {_column_letter(i)} ({h!r}) have the same name.",
                "Delete or rename one of them.",
                sheet=where,
                cell=f"{_column_letter(i)}1",
                code="duplicate-column",
            )
            continue
        index[k] = i
    return _Headers(names, index)


def _plan(
    ks: KeyStageTable, headers: _Headers, where: str, report: ProblemReport
) -> list[_Planned]:
    """The (measure, group) figures this file has; missing expected columns are warned, per measure."""
    plan: list[_Planned] = []
    for m in ks.measures:
        missing = [c for c in m.columns.values() if headers.find(c) is None]
        if missing:
            report.warning(
                f"{ks.key_stage} {m.measure!r}: column(s) {', '.join(missing)} are not in the file, so those groups are not imported.",
                "Nothing to do if DfE did not publish them that year; otherwise check the column names.",
                sheet=where,
                cell="1:1",
                code="missing-column",
            )
        percent = MEASURE_INFO[m.measure]["unit"] == "percent"
        for group, col in m.columns.items():
            at = headers.find(col)
            if at is None:
                continue
            cohort_at = headers.find(m.cohorts[group]) if group in m.cohorts else None
            if cohort_at is None:
                cohort_at = headers.find(ks.group_cohorts[group])
            limits = [headers.find(m.lower[group]) if group in m.lower else None, headers.find(m.upper[group]) if group in m.upper else None]
            band_at = headers.find(m.bands[group]) if group in m.bands else None
            plan.append(_Planned(m.measure, group, at, cohort_at, percent, *limits, band_at))
    for group, col in ks.group_cohorts.items():
        if headers.find(col) is None:
            report.warning(
                f"The cohort column {col} ({group}) is not in the file, so those cohort sizes are blank.",
                "Check the column name; reports suppress groups whose size is unknown.",
                sheet=where,
                cell="1:1",
                code="missing-column",
            )
    _warn_near_misses(headers, ks, where, report)
    return plan


def read_performance_file(path: str | Path, *, year: str | None = None) -> PerformanceFile:
    """Read one DfE KS2 or KS4 school-level CSV into Outcomes and Benchmarks rows.

    Raises ``UnreadableFile`` when the file is missing or not a text CSV; every other
    problem (no URN column, unknown cell, missing measure columns) is in the report.
    Only school rows (RECTYPE 1 and 2) become Outcomes; the state-funded England row
    becomes Benchmarks; local authority and other totals are left out.
    """
    path = Path(path)
    report = ProblemReport(file=str(path))
    where = path.stem
    table = _load_csv(path)
    result = PerformanceFile(path, None, None, _empty_outcomes(), _empty_benchmarks(), report)
    headers = _index_headers([str(c) for c in table.columns], where, report)

    ks = _detect_key_stage(headers.index, path)
    if ks is None:
        report.error(
            "This is not a DfE KS2 or KS4 school-level file: it has no KS2 (PTRWM_EXP ...) or KS4 (ATT8SCR ...) measure columns.",
            "Use the 'final' school-level CSV (ks2final_*.csv or ks4final_*.csv) from the DfE performance tables.",
            sheet=where,
            cell="A1",
            code="unknown-file",
        )
    urn_at = headers.find("URN")
    if urn_at is None:
        report.error(
            "There is no URN column, so rows cannot be matched to schools.",
            "Keep DfE's URN column (the school's 6-digit unique reference number) in the file.",
            sheet=where,
            cell="A1",
            code="no-urn-column",
        )
    academic_year = _resolve_year(path, year, report)
    if ks is None or urn_at is None or academic_year is None:
        return result
    result.key_stage, result.academic_year = ks.key_stage, academic_year

    plan = _plan(ks, headers, where, report)
    rectype_at = headers.find("RECTYPE")
    if rectype_at is None:
        report.warning(
            "There is no RECTYPE column, so every row with a URN is taken as a school.",
            "Keep DfE's RECTYPE column so local authority and England totals are told apart.",
            sheet=where,
            cell="1:1",
            code="no-rectype",
        )
    values = table.to_numpy(dtype=object)
    rectypes = [str(r[rectype_at]).strip() if rectype_at is not None else "" for r in values]
    is_school = [rectype_at is None or rt in ks.school_rectypes for rt in rectypes]
    school_values = [r for r, s in zip(values, is_school, strict=True) if s]
    fractions = {
        p.value_at
        for p in plan
        if p.percent and _fraction_scale(r[p.value_at] for r in school_values)
    }
    for at in sorted(fractions):
        report.warning(
            f"Column {headers.names[at]!r} holds percentages as fractions (0.67); they are read as 0-100 (67).",
            "Nothing to do; check a figure or two against the published tables.",
            sheet=where,
            cell=f"{_column_letter(at)}1",
            code="fraction-percent",
        )
    ctx = _Context(path, where, ks, academic_year, headers, plan, fractions, report)

    rows: list[dict[str, object]] = []
    bench: list[dict[str, object]] = []
    for i, record in enumerate(values):
        if rectype_at is not None and rectypes[i] == ks.national_rectype:
            bench.extend(_benchmark_rows(record, ctx))
        if not is_school[i]:
            result.schools_skipped += 1
            continue
        urn = _row_urn(record, urn_at, i + 2, rectypes[i], ctx)
        if urn is not None:
            rows.extend(_school_rows(record, urn, i + 2, ctx))
    result.outcomes = _typed_outcomes(rows)
    result.benchmarks = (
        pd.DataFrame(bench, columns=BENCHMARK_COLUMNS) if bench else _empty_benchmarks()
    )
    return result


def _row_urn(
    record: Sequence[object], urn_at: int, excel_row: int, rectype: str, ctx: _Context
) -> int | None:
    """The school's URN, or None (with a problem) when it is blank or not a number."""
    text = str(record[urn_at]).strip()
    cell = ctx.cell(urn_at, excel_row)
    if not text:
        if rectype:  # a school row by RECTYPE with no URN: worth a word
            ctx.report.warning(
                f"School row {excel_row} ({ctx.ks.key_stage}, RECTYPE {rectype}) has no URN and is left out.",
                "Add the school's URN from Get Information About Schools if you need this row.",
                sheet=ctx.where,
                cell=cell,
                code="blank-urn",
            )
        return None
    try:
        urn = int(float(text))
    except ValueError:
        ctx.report.error(
            f"URN {text!r} is not a number.",
            "Write the school's 6-digit URN from Get Information About Schools.",
            sheet=ctx.where,
            cell=cell,
            code="bad-urn",
        )
        return None
    if not 100000 <= urn <= 999999:
        ctx.report.warning(
            f"URN {urn} is not 6 digits.",
            "Check the URN against Get Information About Schools.",
            sheet=ctx.where,
            cell=cell,
            code="odd-urn",
        )
    return urn


def _school_rows(
    record: Sequence[object], urn: int, excel_row: int, ctx: _Context
) -> list[dict[str, object]]:
    """One Outcomes row per planned figure that DfE published (a number or a code)."""
    rows: list[dict[str, object]] = []
    for p in ctx.plan:
        value, code, error = parse_dfe_value(str(record[p.value_at]), percent=p.percent)
        cell = ctx.cell(p.value_at, excel_row)
        column = ctx.headers.names[p.value_at]
        if error:
            ctx.report.error(
                f"{column} for URN {urn}: {error}.",
                "Write the published figure, or the DfE code (SUPP, NE, NP, LOWCOV, NA, x) if it was withheld.",
                sheet=ctx.where,
                cell=cell,
                code="bad-value",
            )
            continue
        if value is None and code is None:
            continue  # blank: DfE published no figure for this group
        if value is not None and p.value_at in ctx.fractions:
            value = round(value * 100, 6)
        if value is not None and p.percent and not 0 <= value <= 100:
            ctx.report.error(
                f"{column} for URN {urn} is {value:g}%, outside 0-100.",
                "Check the figure against the published tables.",
                sheet=ctx.where,
                cell=cell,
                code="percent-range",
            )
            continue
        cohort, cohort_code = _cohort(record, p.cohort_at, urn, excel_row, ctx)
        lower, upper = (_limit(record, at) for at in (p.lower_at, p.upper_at))
        if lower is None or upper is None or value is None:
            lower = upper = None  # an interval is used only whole, and only round a figure
        rows.append(
            {
                "_row": excel_row,
                "urn": urn,
                "academic_year": ctx.academic_year,
                "measure": p.measure,
                "pupil_group": p.group,
                "cohort": cohort,
                "value": float("nan") if value is None else value,
                "cohort_code": cohort_code,
                "value_code": code,
                "ci_lower": lower,
                "ci_upper": upper,
                "band": None if value is None else _band(record, p.band_at),
                "_file": ctx.path.name,
                "_column": column,
            }
        )
    return rows


def _limit(record: Sequence[object], at: int | None) -> float | None:
    """A confidence limit as a number; a code or blank gives None (no interval)."""
    if at is None:
        return None
    value, _code, error = parse_dfe_value(str(record[at]), percent=False)
    return None if error else value


def _band(record: Sequence[object], at: int | None) -> str | None:
    """DfE's band code 1-5 as the tracker's band label ("Average" ...); else None."""
    if at is None:
        return None
    code = str(record[at]).strip()
    return PROGRESS_BANDS[int(code) - 1] if code in ("1", "2", "3", "4", "5") else None


def _cohort(
    record: Sequence[object], at: int | None, urn: int, excel_row: int, ctx: _Context
) -> tuple[int | None, str | None]:
    """The group's size: a whole number, or a suppression code (kept, never 0)."""
    if at is None:
        return None, None
    text = str(record[at])
    value, code, error = parse_dfe_value(text, percent=False)
    if error or (value is not None and (value < 0 or value != int(value))):
        ctx.report.warning(
            f"Cohort {ctx.headers.names[at]} for URN {urn} is {text.strip()!r}, not a whole number; the cohort is left blank.",
            "Check the figure against the published tables.",
            sheet=ctx.where,
            cell=ctx.cell(at, excel_row),
            code="bad-cohort",
        )
        return None, None
    return (None if value is None else int(value)), code


def _benchmark_rows(record: Sequence[object], ctx: _Context) -> list[dict[str, object]]:
    """National (state-funded England) figures from the RECTYPE row DfE gives for them."""
    out: list[dict[str, object]] = []
    for p in ctx.plan:
        value, code, error = parse_dfe_value(str(record[p.value_at]), percent=p.percent)
        if error or (value is None and code is None):
            continue
        if value is not None and p.value_at in ctx.fractions:
            value = round(value * 100, 6)
        out.append(
            {
                "academic_year": ctx.academic_year,
                "phase": ctx.ks.phase,
                "measure": p.measure,
                "pupil_group": p.group,
                "value": float("nan") if value is None else value,
                "value_code": code,
            }
        )
    return out


def _warn_near_misses(
    headers: _Headers, ks: KeyStageTable, where: str, report: ProblemReport
) -> None:
    """Name headers that look like a missing expected column (a typo in a retyped file)."""
    expected = {header_key(a) for c in ks.expected_columns() for a in _aliases_for(c)}
    missing = [c for c in sorted(ks.expected_columns()) if headers.find(c) is None]
    if not missing:
        return
    unknown = [k for k in headers.index if k not in expected]
    for col in missing:
        close = difflib.get_close_matches(header_key(col), unknown, n=1, cutoff=0.92)
        if close:
            at = headers.index[close[0]]
            report.warning(
                f"Column {headers.names[at]!r} is not recognised; it looks like {col}, which is missing.",
                f"If it is {col}, rename the header to {col}.",
                sheet=where,
                cell=f"{_column_letter(at)}1",
                code="unknown-column",
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
    df["ci_lower"] = pd.to_numeric(df["ci_lower"], errors="coerce").astype(float)
    df["ci_upper"] = pd.to_numeric(df["ci_upper"], errors="coerce").astype(float)
    df["band"] = df["band"].astype(object).where(df["band"].notna(), None)
    return df


def read_performance_csv(
    path: str | Path, *, year: str | None = None
) -> tuple[pd.DataFrame, ProblemReport]:
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
    except Exception:  # any existing file that is not a readable workbook is left alone
        return f"{out} already exists and is not a workbook this import wrote."
    if title != IMPORT_WORKBOOK_TITLE:
        kind = (
            "a tracker"
            if "Schools" in sheets or "Outcomes" in sheets
            else "a workbook this import did not write"
        )
        return f"{out} already exists and is {kind}."
    return None


def _concat(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else empty


def _sort(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if df.empty:
        return df
    order = {
        "measure": {m[0]: i for i, m in enumerate(MEASURES)},
        "pupil_group": {g: i for i, g in enumerate(PUPIL_GROUPS)},
    }
    return df.sort_values(
        keys, key=lambda s: s.map(order[s.name]) if s.name in order else s, kind="stable"
    ).reset_index(drop=True)


def _dedupe(
    df: pd.DataFrame, keys: list[str], report: ProblemReport, what: str, *, quiet: bool = False
) -> pd.DataFrame:
    """The same key from two files: the same figure is kept once, two figures is an error.

    ``quiet`` drops identical repeats without a word: every LA file carries the same
    England row, so repeated national Benchmarks are expected.
    """
    if df.empty:
        return df
    dup = df.duplicated(keys, keep=False)
    if not dup.any():
        return df
    repeated_files: set[str] = set()
    repeated = 0
    for _, grp in df[dup].groupby(keys, sort=False):
        distinct = grp[["value", "value_code"]].astype(str).drop_duplicates()
        if len(distinct) > 1:
            label = ", ".join(str(grp.iloc[0][k]) for k in keys)
            sources = "; ".join(
                f"{r.get('_file', '')} row {r.get('_row', '')}: {_cell(r['value'], r['value_code'])}".strip()
                for r in grp.to_dict("records")
            )
            report.error(
                f"{what} {label} is given twice with different figures ({sources}).",
                "Import one file per local authority and year; remove the file that is out of date.",
                code="conflicting-duplicate",
            )
        else:
            repeated += 1
            repeated_files.update(str(f) for f in grp.get("_file", pd.Series(dtype=object)))
    if repeated and not quiet:
        report.warning(
            f"{repeated} {what.lower()} row(s) are in more than one file ({', '.join(sorted(repeated_files))}); each is imported once.",
            "Nothing to do, or give each file once.",
            code="duplicate-row",
        )
    return df.drop_duplicates(keys, keep="first").reset_index(drop=True)


def import_performance(
    paths: Sequence[str | Path],
    out: str | Path,
    urns: Iterable[int] | None = None,
    *,
    year: str | None = None,
) -> ImportResult:
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

    outcomes = _concat([f.outcomes for f in files], _empty_outcomes())
    benchmarks = _concat([f.benchmarks for f in files], _empty_benchmarks())
    if urns is not None:
        wanted = {int(u) for u in urns}
        found = set(outcomes["urn"].tolist()) if not outcomes.empty else set()
        for u in sorted(wanted - found):
            report.warning(
                f"URN {u} is not in any of the files given.",
                "Check the URN, and that the file for the school's local authority and year is included.",
                code="urn-not-found",
            )
        outcomes = (
            outcomes[outcomes["urn"].isin(wanted)].reset_index(drop=True)
            if not outcomes.empty
            else outcomes
        )
    outcome_keys = list(sheet("outcomes").unique)
    bench_keys = list(sheet("benchmarks").unique)
    outcomes = _sort(_dedupe(outcomes, outcome_keys, report, "Outcome"), outcome_keys)
    benchmarks = _sort(_dedupe(benchmarks, bench_keys, report, "Benchmark", quiet=True), bench_keys)

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


def _unreadable_problem(path: Path, message: str) -> Problem:
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


def write_import_workbook(
    outcomes: pd.DataFrame, benchmarks: pd.DataFrame, out: str | Path
) -> Path:
    """Write Outcomes (and Benchmarks, if any) with the tracker's headers, atomically.

    Streams rows (openpyxl write-only mode): a two-LA, three-year import is ~80,000 rows.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from toolkit.outputs import atomic_path
    from toolkit.privacy.text import xlsx_value  # text never becomes a formula

    wb = Workbook(write_only=True)
    wb.properties.title = IMPORT_WORKBOOK_TITLE
    wb.properties.creator = "School Improvement Toolkit"
    bold = Font(bold=True)
    for key, df in (("outcomes", outcomes), ("benchmarks", benchmarks)):
        if key == "benchmarks" and df.empty:
            continue
        spec = sheet(key)
        ws = wb.create_sheet(spec.title)
        ws.freeze_panes = "A2"
        for i, col in enumerate(spec.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        header = []
        for col in spec.columns:
            cell = WriteOnlyCell(ws, value=col.header)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        keys = [(col.key, f"{col.key}_code" if col.suppressible else None) for col in spec.columns]
        for rec in df.to_dict("records"):
            ws.append([xlsx_value(ws, _cell(rec.get(k), rec.get(code) if code else None)) for k, code in keys])
    out = Path(out)
    with atomic_path(out, suffix=".xlsx") as tmp:
        wb.save(tmp)
    return out
