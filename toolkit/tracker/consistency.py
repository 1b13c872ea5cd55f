"""Do a school's pupil-group outcomes add up to All pupils?

Disadvantaged + Not disadvantaged, Boys + Girls and SEN support + EHC plan + No SEN each
make up All pupils, so All pupils' figure is their cohort-weighted average. When the rows
typed into the Outcomes sheet cannot add up (beyond what rounding each published figure
allows), one of them is wrong, and every gap the reports print from them is wrong too:
"All pupils 223 at 55%, No SEN 191 at 67%" leaves the other 32 pupils at -16.6%.

``check_group_totals`` finds such rows and warns at the cells. Rounding allowance: each
figure may be off by half a unit of the precision it is written to (a whole-number
percentage by 0.5 points), so the check allows the sum of those halves, weighted by
cohort, and nothing more.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from toolkit.tracker.schema import MEASURE_INFO

ALL = "All pupils"
# Groups that together make up All pupils.
PARTITIONS: tuple[tuple[str, ...], ...] = (
    ("Disadvantaged", "Not disadvantaged"),
    ("Boys", "Girls"),
    ("SEN support", "EHC plan", "No SEN"),
)


def _places(value: float) -> int:
    """Decimal places a figure is written to (0 to 3): 67 -> 0, 0.02 -> 2."""
    for d in range(4):
        if math.isclose(value, round(value, d), abs_tol=1e-9):
            return d
    return 3


def _half_unit(value: float) -> float:
    return 0.5 * 10 ** -_places(value)


def partition_problem(measure: str, total: tuple[float, float], members: dict[str, tuple[float, float]]) -> str | None:
    """Why the members cannot add up to All pupils, or None when they can.

    ``total`` and each member are (cohort, value). For percentages the members present may
    be a subset: the pupils left over must have a result between 0% and 100%. For scores the
    check needs every member, with cohorts adding up to All pupils'."""
    n_all, v_all = total
    percent = MEASURE_INFO.get(measure, {}).get("unit") == "percent"
    n_members = sum(n for n, _ in members.values())
    slack = _half_unit(v_all) * n_all + sum(_half_unit(v) * n for n, v in members.values())
    listed = " and ".join(f"{g} {n:.0f} at {v:g}" for g, (n, v) in members.items())
    if n_members > n_all:
        return f"{listed} are {n_members:.0f} pupils, more than All pupils ({n_all:.0f})"
    if percent:
        rest_n = n_all - n_members
        rest_pupils = (n_all * v_all - sum(n * v for n, v in members.values())) / 100
        slack /= 100
        if -slack <= rest_pupils <= rest_n + slack:
            return None
        if rest_n == 0:
            implied = sum(n * v for n, v in members.values()) / n_members
            return f"All pupils {n_all:.0f} at {v_all:g}%, but {listed} make {implied:.1f}% for all pupils"
        return f"All pupils {n_all:.0f} at {v_all:g}% and {listed}% leave the other {rest_n:.0f} pupils at {100 * rest_pupils / rest_n:.1f}%, which cannot be"
    if n_members != n_all or n_all == 0:
        return None  # a score cannot be bounded for pupils not listed
    implied = sum(n * v for n, v in members.values()) / n_members
    if abs(implied - v_all) * n_all <= slack:
        return None
    return f"All pupils {n_all:.0f} at {v_all:g}, but {listed} make {implied:.2f} for all pupils"


def check_group_totals(outcomes: pd.DataFrame, warn: Callable[[str, list[int]], None]) -> None:
    """Call ``warn(message, excel_rows)`` for each school, year, measure and partition
    whose rows cannot add up to All pupils. Rows with a blank or withheld cohort or value
    are left out (a suppressed figure is unknown, so the pupils it covers are "the rest")."""
    if outcomes.empty:
        return
    cols = ["_row", "urn", "academic_year", "measure", "pupil_group", "cohort", "value"]
    frame = outcomes[cols].copy()
    frame["cohort"] = pd.to_numeric(frame["cohort"], errors="coerce")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame = frame.dropna(subset=["cohort", "value", "urn"])
    for (urn, year, measure), rows in frame.groupby(["urn", "academic_year", "measure"], sort=False):
        by_group = {str(g): (float(n), float(v), int(r)) for g, n, v, r in zip(rows["pupil_group"], rows["cohort"], rows["value"], rows["_row"], strict=True)}
        if ALL not in by_group:
            continue
        n_all, v_all, row_all = by_group[ALL]
        for part in PARTITIONS:
            members = {g: by_group[g][:2] for g in part if g in by_group}
            if not members:
                continue
            why = partition_problem(str(measure), (n_all, v_all), members)
            if why:
                warn(f"URN {int(urn)} {year} '{measure}': {why}.", [row_all, *(by_group[g][2] for g in members)])
