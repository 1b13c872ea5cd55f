"""The loaded trust tracker: typed pandas tables, one per sheet, plus the policy in force.

``toolkit.tracker.reader.read_tracker`` builds it from an Excel file; the sample generator and
tests can build one straight from DataFrames. Every table has the schema's column keys,
plus ``_row`` (the Excel row the record came from, for messages) and, for columns that
accept DfE suppression codes, ``<key>_code`` (the code, e.g. "x", or None for a number).

Column types: URN -> int; DATE -> pandas Timestamp (NaT when blank); INT -> Int64;
NUMBER/PERCENT -> float (NaN when blank or suppressed; percentages on 0-100);
YESNO -> bool or None; CHOICE -> canonical spelling or None; TEXT/LONGTEXT -> str or None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.policy import Policy, default_policy
from toolkit.tracker import queries
from toolkit.tracker.problems import ProblemReport
from toolkit.tracker.schema import SHEETS, Sheet, sheet


def empty_table(spec: Sheet) -> pd.DataFrame:
    cols = ["_row", *spec.keys, *[f"{c.key}_code" for c in spec.columns if c.suppressible]]
    return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})


@dataclass
class Tracker:
    tables: dict[str, pd.DataFrame]
    policy: Policy = field(default_factory=default_policy)
    path: Path | None = None
    sha256: str | None = None
    report: ProblemReport = field(default_factory=ProblemReport)
    # Schema sheets the workbook does not have (read as empty tables). Checks that count
    # absences (missed visits, meetings not held) say the sheet is missing instead.
    missing_sheets: frozenset[str] = frozenset()
    # Where the trust's name in ``policy.trust.name`` came from, for ``validate`` and reports.
    trust_name_source: str = "the toolkit's default policy"

    def __post_init__(self) -> None:
        for spec in SHEETS:
            if spec.key not in self.tables:
                self.tables[spec.key] = empty_table(spec)

    def table(self, key: str) -> pd.DataFrame:
        sheet(key)  # raises KeyError for an unknown sheet
        return self.tables[key]

    # Named accessors, so callers read like the domain.
    schools = property(lambda self: self.tables["schools"])
    term_dates = property(lambda self: self.tables["term_dates"])
    closures = property(lambda self: self.tables["closures"])
    assessments = property(lambda self: self.tables["assessments"])
    ofsted_legacy = property(lambda self: self.tables["ofsted_legacy"])
    ofsted_report_cards = property(lambda self: self.tables["ofsted_report_cards"])
    outcomes = property(lambda self: self.tables["outcomes"])
    attendance = property(lambda self: self.tables["attendance"])
    benchmarks = property(lambda self: self.tables["benchmarks"])
    targets = property(lambda self: self.tables["targets"])
    visits = property(lambda self: self.tables["visits"])
    deployments = property(lambda self: self.tables["deployments"])
    sdp_actions = property(lambda self: self.tables["sdp_actions"])
    meetings = property(lambda self: self.tables["meetings"])

    @property
    def file_name(self) -> str:
        return self.path.name if self.path else "(in memory)"

    # The query API: what the rules ask of a tracker (machinery in ``queries``).
    def rows(self, sheet_key: str, urn: int) -> pd.DataFrame:
        """One school's rows of a sheet (indexed once per table)."""
        return queries.school_rows(self, sheet_key, urn)

    def school(self, urn: int) -> queries.SchoolRecords:
        """One school's rows of every sheet, as attributes: ``tracker.school(urn).outcomes``."""
        return queries.SchoolRecords(self, urn)

    def national_figure(self, academic_year: str, phases: list[str], measure: str, group: str = queries.ALL) -> tuple[float, str] | None:
        """The national benchmark for a measure and group: (value, year used), or None."""
        return queries.national_figure(self, academic_year, phases, measure, group)

    def phase(self, urn: int) -> str | None:
        """The school's phase from the Schools sheet."""
        return queries.school_phase(self, urn)

    def school_name(self, urn: int) -> str:
        match = self.schools.loc[self.schools["urn"] == urn, "name"]
        return str(match.iloc[0]) if len(match) else f"URN {urn}"
