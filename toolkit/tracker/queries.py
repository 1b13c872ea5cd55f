"""Questions asked of a loaded tracker: one school's rows, the national figure for a measure.

Why a module of its own: the assessment, calendar and report code all ask the same few
questions of the tracker, for every school and term. Answering them here, with indexes
built once per table, keeps that code about rules ("is this group's gap significant?")
rather than about pandas filtering, and makes assessing a large trust fast.
``Tracker`` exposes these as methods (``tracker.rows``, ``tracker.school``,
``tracker.national_figure``, ``tracker.phase``); the functions are the machinery.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from toolkit.tracker.model import Tracker

ALL = "All pupils"


def num(v: object) -> float | None:
    """A float, or None for blank / NaN / pd.NA (never 0 for a missing figure)."""
    if v is None or v is pd.NA:
        return None
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def is_blank(v: object) -> bool:
    """None, NaN, NaT or pd.NA: a cell with nothing in it (never confused with 0 or "")."""
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):  # a list or other non-scalar is not blank
        return False


def text(v: object) -> str | None:
    """A cell's text, stripped, or None when blank."""
    if is_blank(v):
        return None
    s = str(v).strip()
    return s or None


def benchmark_phases(school_phase: str | None, key_stage: str | None = None) -> list[str]:
    """Which national benchmark phase to compare with: KS2 is primary, KS4 and 16-18 are
    secondary; attendance follows the school's phase; "All schools" is the fallback."""
    if key_stage == "KS2":
        first = ["Primary"]
    elif key_stage in ("KS4", "16-18"):
        first = ["Secondary"]
    elif school_phase in ("Primary", "Secondary"):
        first = [school_phase]
    else:
        first = []
    return [*first, "All schools"]


# Indexes built once per table (keyed by the table object, held weakly), so assessing a
# large trust does not filter the whole sheet for every school and term.
_INDEXES: dict[tuple[int, str], tuple[weakref.ref, object]] = {}
# Shallow copies (``shallow_copy``) and the table each copies: id -> (copy, source), weakly.
_SOURCES: dict[int, tuple[weakref.ref, weakref.ref]] = {}


def indexed(frame: pd.DataFrame, kind: str, build: Callable[[pd.DataFrame], object]) -> object:
    frame = _source(frame)  # shallow copies share their source's indexes
    key = (id(frame), kind)
    hit = _INDEXES.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    value = build(frame)
    _INDEXES[key] = (weakref.ref(frame, lambda _r, k=key: _INDEXES.pop(k, None)), value)
    return value


def shallow_copy(frame: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy of a table that shares its indexes with the table it copies.

    A batch kernel hands each report a shallow copy of the cached tracker; without this,
    every report re-indexed every sheet by school (a groupby over the whole trust): work
    that grew with the trust for each report, so quadratic over a batch (a third of a
    second a report at 1,000 schools). The copy shares the data, so an index built for one
    serves all of them.
    """
    source = _source(frame)
    copy = frame.copy(deep=False)
    ident = id(copy)
    _SOURCES[ident] = (weakref.ref(copy, lambda _r, k=ident: _SOURCES.pop(k, None)), weakref.ref(source))
    return copy


def _source(frame: pd.DataFrame) -> pd.DataFrame:
    """The table ``frame`` is a ``shallow_copy`` of (itself if none, or if that is gone)."""
    hit = _SOURCES.get(id(frame))
    if hit is not None and hit[0]() is frame:
        source = hit[1]()
        if source is not None:
            return source
    return frame


def school_rows(tracker: Tracker, sheet_key: str, urn: int) -> pd.DataFrame:
    """One school's rows of a sheet (an empty frame with the sheet's columns if none)."""
    frame = tracker.table(sheet_key)

    def build(f: pd.DataFrame) -> dict[int, pd.DataFrame]:
        if f.empty or "urn" not in f:
            return {}
        return {int(u): g for u, g in f.groupby("urn", sort=False) if not pd.isna(u)}

    parts = indexed(frame, "by_urn", build)
    return parts.get(int(urn), frame.iloc[0:0])  # type: ignore[union-attr]


def _benchmark_index(frame: pd.DataFrame) -> dict[tuple[str, str, str], list[tuple[str, float]]]:
    index: dict[tuple[str, str, str], list[tuple[str, float]]] = {}
    if frame.empty:
        return index
    for r in frame[["academic_year", "phase", "measure", "pupil_group", "value"]].itertuples(index=False):
        v = num(r.value)
        if v is not None:
            index.setdefault((str(r.measure), str(r.pupil_group), str(r.phase)), []).append((str(r.academic_year), v))
    for values in index.values():
        values.sort()
    return index


def national_figure(tracker: Tracker, academic_year: str, phases: list[str], measure: str, group: str = ALL) -> tuple[float, str] | None:
    """The national benchmark for a measure and group: this year's, or the latest earlier
    year's when this year's is not yet published. Returns (value, year used)."""
    index = indexed(tracker.benchmarks, "benchmarks", _benchmark_index)
    for phase in phases:
        found = [(y, v) for y, v in index.get((measure, group, phase), ()) if y <= academic_year]  # type: ignore[union-attr]
        if found:
            year, value = found[-1]
            return value, year
    return None


def school_phase(tracker: Tracker, urn: int) -> str | None:
    """The school's phase as recorded on the Schools sheet (None if the URN is unknown)."""
    s = tracker.schools
    hit = s.loc[s["urn"] == urn, "phase"]
    return str(hit.iloc[0]) if len(hit) else None


class SchoolRecords:
    """One school's rows of every sheet, fetched once each: ``tracker.school(urn).outcomes``."""

    def __init__(self, tracker: Tracker, urn: int) -> None:
        self.tracker = tracker
        self.urn = int(urn)

    def __getattr__(self, sheet_key: str) -> pd.DataFrame:
        if sheet_key.startswith("_"):
            raise AttributeError(sheet_key)
        try:
            rows = self.tracker.rows(sheet_key, self.urn)
        except KeyError:
            raise AttributeError(sheet_key) from None
        setattr(self, sheet_key, rows)
        return rows

    @property
    def phase(self) -> str | None:
        return school_phase(self.tracker, self.urn)

    @property
    def name(self) -> str:
        return self.tracker.school_name(self.urn)
