"""Figures as DfE publishes them: one formatting helper for reasons and report tables.

Why one helper: a Progress 8 score of 0.02 printed as "0.0" beside a national "-0.0", with a
gap of "+0.1", is a different story from the one DfE published (DOMAIN.md "Judging from
data", Precision). Every figure is therefore printed at its published precision, gaps are
computed from the unrounded values first and rounded once, and a figure that rounds to
zero is printed "0.00" (never "-0.0" or "+0.0").

Published precision (DfE performance tables): Progress 8 and A level value added to 2
decimal places; KS2 progress to 1; Attainment 8 and scaled scores to 1; EBacc and A level
average point scores to 2; percentages as published (KS2 whole numbers, KS4 one decimal
place), so a percentage is shown with 1 decimal place only when it has one.
"""

from __future__ import annotations

import math

from toolkit.tracker.schema import MEASURE_INFO

# DfE's published decimal places for each score measure (percentages: see ``decimals``).
PUBLISHED_DECIMALS: dict[str, int] = {
    "Reading progress": 1,
    "Writing progress": 1,
    "Maths progress": 1,
    "Reading scaled score": 1,
    "Maths scaled score": 1,
    "Attainment 8": 1,
    "Progress 8": 2,
    "EBacc APS": 2,
    "A level APS": 2,
    "A level value added": 2,
}
# Gaps in percentage points: one decimal place, so 64.5% against 65% reads "0.5 points".
PERCENT_GAP_DECIMALS = 1


def is_percent(measure: str | None) -> bool:
    info = MEASURE_INFO.get(measure or "")
    return bool(info and info["unit"] == "percent")


def decimals(measure: str | None, value: float | None = None, *, gap: bool = False) -> int:
    """Decimal places for a figure of ``measure``: the published precision for scores; for
    percentages 0 for a whole number and 1 otherwise (as published), and 1 for a gap."""
    if is_percent(measure):
        if gap:
            return PERCENT_GAP_DECIMALS
        return 0 if value is None or float(value).is_integer() else 1
    return PUBLISHED_DECIMALS.get(measure or "", 1)


def fmt(value: float | None, measure: str | None = None, *, signed: bool = False, gap: bool = False, places: int | None = None, blank: str = "–") -> str:
    """One figure as text: ``fmt(0.02, "Progress 8")`` -> "0.02"; ``fmt(-0.004, "Progress 8",
    signed=True)`` -> "0.00" (never "-0.00"); ``fmt(79, "RWM expected standard %")`` -> "79".
    ``gap`` formats a difference (percent gaps to 1 place); ``signed`` adds "+" to a positive
    figure. None / NaN gives ``blank``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return blank
    n = places if places is not None else decimals(measure, value, gap=gap)
    rounded = round(float(value), n)
    if rounded == 0:
        return f"{0:.{n}f}"
    return f"{rounded:+.{n}f}" if signed else f"{rounded:.{n}f}"


def points(gap: float, measure: str | None = None) -> str:
    """A gap in words: "14.0 points above", "0.02 below", "level with" (zero once rounded)."""
    text = fmt(abs(gap), measure, gap=True)
    if float(text) == 0:
        return "level with"
    unit = " points" if is_percent(measure) else ""
    return f"{text}{unit} {'above' if gap > 0 else 'below'}"
