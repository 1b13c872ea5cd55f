"""Is a difference from national one a trust can defend? DfE bands, intervals, cohort size.

A school's (or a pupil group's) result is compared with the national figure only as far as
the numbers allow (DOMAIN.md "Judging from data"; README "How outcomes are judged"):

- *Progress scores* (KS2 reading, writing and maths progress; Progress 8): DfE publishes
  each with a 95% confidence interval and a band (1 well above ... 5 well below average).
  The judgement uses, in order: the band recorded in the tracker; else the interval
  recorded; else an interval estimated from the cohort size the way DfE's technical
  guidance does, score +/- z x sd / sqrt(n), with sd the national pupil-level standard
  deviation (policy ``significance.progress``). An interval that includes the national
  figure is "average" (in line), whatever the score. An interval clear of national is
  "above"/"below", and "well above"/"well below" beyond the policy's band boundaries.
- *Attainment percentages*: the Wilson score interval for a proportion of ``n`` pupils
  at the policy's confidence level. National inside it is "average" (in line).
- *Pupil groups* are judged the same way, but a group under
  ``significance.min_group_size`` pupils is a "small group" and limits nothing.
- *Comparable schools*: special schools and alternative provision are compared only with
  a Benchmarks row for their own phase (``comparison_phases``).
- *Fresh data*: results more than ``significance.outcomes_max_age_years`` before the term
  drive nothing (``stale_reason``).

Why these methods: they are DfE's own for progress (so the toolkit agrees with the
performance tables), and the Wilson interval is the standard binomial interval that stays
sensible for small cohorts and for percentages near 0 or 100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from toolkit.assessment.figures import fmt
from toolkit.calendar.terms import AcademicYear, Term
from toolkit.policy import Policy
from toolkit.tracker.queries import benchmark_phases
from toolkit.tracker.schema import PROGRESS_BANDS

# Band keys (policy ``significance.band_steps``) in DfE's order: code 1 is well above.
BAND_KEYS = ("well_above", "above", "average", "below", "well_below")
BAND_LABEL = dict(zip(BAND_KEYS, PROGRESS_BANDS, strict=True))
BAND_BY_LABEL = {label.lower(): key for key, label in BAND_LABEL.items()}
IN_LINE = "in line"
SMALL_GROUP = "small group"
POSITION = {"well_above": "well above", "above": "above", "average": IN_LINE, "below": "below", "well_below": "well below"}


@dataclass(frozen=True)
class Comparison:
    """Where a figure stands against national, and on what basis.

    ``band`` is one of ``BAND_KEYS`` (None when it could not be tested); ``basis`` names the
    evidence (a DfE band, a published or estimated interval, or a cohort-size test) in
    words fit for a reason; ``lower``/``upper`` the interval used, if any."""

    band: str | None
    basis: str
    lower: float | None = None
    upper: float | None = None

    @property
    def position(self) -> str:
        """"well above", "above", "in line", "below", "well below", or "not tested"."""
        return POSITION[self.band] if self.band else "not tested"

    @property
    def significant(self) -> bool:
        return self.band is not None and self.band != "average"

    @property
    def below(self) -> bool:
        return self.band in ("below", "well_below")


def z_value(confidence: float) -> float:
    """The two-sided normal quantile: 1.96 for 95%."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(percent: float, n: float, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a percentage of ``n`` pupils, on the 0-100 scale.

    Worked example (Woodlea Primary, KS2 2018/19): 79% of 29 pupils at 95% -> 61.3 to 89.9,
    which includes the national 65%: in line, although 14 points above."""
    z = z_value(confidence)
    p = min(1.0, max(0.0, percent / 100))
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def estimated_interval(policy: Policy, measure: str, value: float, cohort: float) -> tuple[float, float] | None:
    """DfE's confidence interval for a progress score from the cohort size: score +/- z x
    sd / sqrt(n), sd from policy ``significance.progress``. None for a measure without one."""
    scale = policy.significance.progress.get(measure)
    if scale is None or cohort <= 0:
        return None
    half = z_value(policy.significance.confidence_level) * scale.pupil_sd / math.sqrt(cohort)
    return value - half, value + half


def band_from_label(text: object) -> str | None:
    """"Below average" (or a DfE code 1-5) -> "below"; None when blank or unknown."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    s = str(text).strip().lower()
    if s in BAND_BY_LABEL:
        return BAND_BY_LABEL[s]
    if s in ("1", "2", "3", "4", "5"):
        return BAND_KEYS[int(s) - 1]
    return None


def _band_from_interval(policy: Policy, measure: str, value: float, national: float, lower: float, upper: float) -> str:
    if lower <= national <= upper:
        return "average"
    scale = policy.significance.progress.get(measure)
    if lower > national:
        return "well_above" if scale and value - national >= scale.well_above else "above"
    return "well_below" if scale and value - national <= scale.well_below else "below"


def _pct(p: int) -> str:
    return f"{p:g}%"


def progress_comparison(
    policy: Policy,
    measure: str,
    value: float,
    national: float,
    cohort: float | None,
    *,
    lower: float | None = None,
    upper: float | None = None,
    band: object = None,
) -> Comparison:
    """Judge a progress score: DfE band, else interval (published, else estimated)."""
    level = _pct(round(policy.significance.confidence_level * 100))
    found = band_from_label(band)
    if found is not None:
        return Comparison(found, f"DfE band: {BAND_LABEL[found]}", lower, upper)
    if lower is not None and upper is not None:
        where = "published"
    else:
        estimate = estimated_interval(policy, measure, value, cohort) if cohort else None
        if estimate is None:
            why = "no cohort size" if not cohort else "no pupil-level spread in policy significance.progress"
            return Comparison(None, f"no band or confidence interval recorded and none can be estimated ({why})")
        lower, upper = estimate
        where = f"estimated from {cohort:.0f} pupils"
    found = _band_from_interval(policy, measure, value, national, lower, upper)
    verb = "includes" if found == "average" else "excludes"
    basis = f"{level} interval {fmt(lower, measure)} to {fmt(upper, measure, signed=True)} ({where}) {verb} national {fmt(national, measure)}"
    return Comparison(found, basis, lower, upper)


def percent_comparison(policy: Policy, measure: str, value: float, national: float, cohort: float | None) -> Comparison:
    """Judge an attainment percentage against national with the Wilson interval for its cohort."""
    if not cohort:
        return Comparison(None, "no cohort size, so the difference cannot be tested")
    conf = policy.significance.confidence_level
    lower, upper = wilson_interval(value, cohort, conf)
    found = "average" if lower <= national <= upper else "above" if national < lower else "below"
    verb = "includes" if found == "average" else "excludes"
    basis = f"{_pct(round(conf * 100))} interval for {cohort:.0f} pupils {lower:.1f} to {upper:.1f} {verb} national {fmt(national, measure)}"
    return Comparison(found, basis, lower, upper)


def is_progress(policy: Policy, measure: str) -> bool:
    """A progress / value-added score (judged by band or interval)."""
    lowered = measure.lower()
    return measure in policy.significance.progress or "progress" in lowered or "value added" in lowered


# ----------------------------------------------------------------------------- like with like


def separate_phase(policy: Policy, school_phase: str | None) -> bool:
    """Special schools and AP: never compared with mainstream national figures."""
    return school_phase in policy.significance.separate_benchmark_phases


def comparison_phases(policy: Policy, school_phase: str | None, key_stage: str | None = None) -> list[str]:
    """The Benchmarks phases a school may be compared with: its own phase only for a special
    school or AP (so with no such row there is "no comparable national figure"); else the
    mainstream phases (``queries.benchmark_phases``)."""
    if separate_phase(policy, school_phase):
        return [str(school_phase)]
    return benchmark_phases(school_phase, key_stage)


def no_comparable_figure(school_phase: str | None) -> str:
    return (
        f"no comparable national figure: a {str(school_phase).lower()} school is not compared with mainstream "
        f"national figures, and the Benchmarks sheet has none for {school_phase} schools"
    )


# ----------------------------------------------------------------------------- freshness


def stale_reason(policy: Policy, results_year: str, term: Term) -> str | None:
    """Why results are too old to drive a suggestion for ``term``, or None if fresh enough.

    Results for year Y are published during Y+1, so for a 2026/27 term the most recent
    published year is 2025/26 and, with ``outcomes_max_age_years = 2``, 2024/25 and
    2025/26 count; 2018/19 does not."""
    age = policy.significance.outcomes_max_age_years
    newest = term.year.start_year - 1
    oldest = newest - age + 1
    if AcademicYear.parse(results_year).start_year >= oldest:
        return None
    allowed = ", ".join(AcademicYear(y).label for y in range(oldest, newest + 1))
    return (
        f"the latest outcomes recorded are {results_year}, older than the {age} most recent published "
        f"years for {term.label} ({allowed}), so they are shown as context and drive no suggestion"
    )
