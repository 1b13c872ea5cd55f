"""Pupil groups: each group's gap to the other pupils and to national, with suppression.

"Success for some must not hide failure of others" (DOMAIN.md "Designation review"): for
every outcome measure the table shows each pupil group's gap to the other pupils and to
the national figure for that group, in points and, for percentage measures, as a number
of pupils.

Suppression (DOMAIN.md "Data that must be handled with care"; policy
``suppression.min_group_size``):

1. *Primary*: a group with fewer than ``min_group_size`` pupils, or whose cohort or value
   the source withheld (a DfE code such as "x"), is shown as suppressed: value, cohort and
   gaps are blank and ``suppressed`` is True. It is never shown as 0.
2. *Complementary*: some groups add up to All pupils (Disadvantaged + Not disadvantaged;
   Boys + Girls; SEN support + EHC plan + No SEN; EAL + the pupils not listed as EAL). If
   exactly one member of such a partition is suppressed, All pupils minus the others would
   reveal it, so the smallest other member is suppressed too. If the pupils *not* in a
   listed group (All pupils minus EAL) are fewer than the minimum, the listed group is
   suppressed, since All minus it would reveal them.
3. A gap is only shown between two shown figures, and "the other pupils" for a group with
   no listed complement (EAL) is All pupils minus the group, computed only where both
   sides have at least ``min_group_size`` pupils.

Significance (``significance``; DOMAIN.md "Judging from data"): each shown figure's gap to
national is tested (DfE band or interval for progress, Wilson interval for percentages);
``significance`` reads "above", "in line", "below" ..., "small group" for a group under
``policy.significance.min_group_size`` pupils (such a group limits nothing), or "no
comparable national figure" for a special school or AP without its own benchmark.
"""

from __future__ import annotations

import pandas as pd

from toolkit.assessment import significance as sig
from toolkit.assessment.figures import fmt
from toolkit.policy import Policy
from toolkit.privacy.suppression import IMPLICIT_COMPLEMENT, PARTITIONS, Gate
from toolkit.tracker.model import Tracker
from toolkit.tracker.queries import ALL, num
from toolkit.tracker.schema import GROUP_COMPLEMENT, MEASURE_INFO, PUPIL_GROUPS

# PARTITIONS (groups that make up All pupils) and IMPLICIT_COMPLEMENT live with the gate.
__all__ = ["COLUMNS", "IMPLICIT_COMPLEMENT", "PARTITIONS", "display_groups", "group_gaps", "pupils_equivalent", "suppress_cells"]

COLUMNS = [
    "measure",
    "key_stage",
    "unit",
    "pupil_group",
    "cohort",
    "value",
    "suppressed",
    "suppression_reason",
    "comparison_group",
    "comparison_value",
    "gap_to_others",
    "gap_to_others_pupils",
    "national",
    "gap_to_national",
    "gap_to_national_pupils",
    "ci_lower",
    "ci_upper",
    "band",
    "significance",
    "basis",
]
NO_COMPARABLE = "no comparable national figure"


def pupils_equivalent(gap_points: float | None, cohort: float | None, unit: str) -> float | None:
    """A percentage-point gap as a number of pupils in the group (rounded to whole pupils);
    not meaningful for score measures."""
    if gap_points is None or cohort is None or unit != "percent":
        return None
    return float(round(gap_points * cohort / 100.0))


def suppress_cells(cohorts: dict[str, float | None], withheld: dict[str, str], policy: Policy) -> dict[str, str]:
    """Decide which groups to suppress for one measure, and why: the privacy gate's
    ``Gate.groups`` (rules 1 and 2 above; one gate for every output).

    ``cohorts`` maps group -> cohort (None where unknown); ``withheld`` maps group -> the
    source's suppression code. Returns group -> reason for every suppressed group.
    """
    return Gate.of(policy).groups(cohorts, withheld)


def _others_value(group: str, values: dict[str, float | None], cohorts: dict[str, float | None], hidden: dict[str, str], minimum: int) -> tuple[str | None, float | None]:
    """The comparison group and its value: the listed complement, else All pupils minus the group."""
    comp = GROUP_COMPLEMENT.get(group)
    if comp:
        return comp, (None if comp in hidden else values.get(comp))
    if group == ALL:
        return None, None
    v_all, n_all, v_g, n_g = values.get(ALL), cohorts.get(ALL), values.get(group), cohorts.get(group)
    if None in (v_all, n_all, v_g, n_g) or group in hidden:
        return "Other pupils", None
    n_rest = n_all - n_g  # type: ignore[operator]
    if n_rest < minimum:
        return "Other pupils", None
    return "Other pupils", (v_all * n_all - v_g * n_g) / n_rest  # type: ignore[operator]


def group_gaps(tracker: Tracker, urn: int, academic_year: str) -> pd.DataFrame:
    """Every outcome measure x pupil group for one school and year, with gaps and suppression.

    Gaps are group minus comparison (positive = the group does better) in percentage points
    for percentage measures and in points for scores. Suppressed rows have blank figures.
    """
    policy = tracker.policy
    minimum = policy.suppression.min_group_size
    o = tracker.rows("outcomes", urn)
    rows = o.loc[o["academic_year"] == academic_year]
    phase = tracker.phase(urn)
    records: list[dict[str, object]] = []
    order = {g: i for i, g in enumerate(PUPIL_GROUPS)}
    by_measure: dict[str, list[tuple[str, float | None, float | None, object, dict[str, object]]]] = {}
    codes = [rows[c].tolist() if c in rows else [None] * len(rows) for c in ("value_code", "cohort_code")]
    extra = [rows[c].tolist() if c in rows else [None] * len(rows) for c in ("ci_lower", "ci_upper", "band")]
    for m, g, n, v, vc, cc, lo, hi, band in zip(rows["measure"].tolist(), rows["pupil_group"].tolist(), rows["cohort"].tolist(), rows["value"].tolist(), *codes, *extra, strict=True):
        interval = {"ci_lower": num(lo), "ci_upper": num(hi), "band": band if isinstance(band, str) and band else None}
        by_measure.setdefault(str(m), []).append((str(g), num(n), num(v), vc if isinstance(vc, str) and vc else cc, interval))
    separate = sig.separate_phase(policy, phase)
    for measure, mrows in by_measure.items():
        info = MEASURE_INFO.get(str(measure), {"key_stage": None, "unit": "score"})
        ks, unit = info["key_stage"], info["unit"]
        progress = sig.is_progress(policy, str(measure))
        cohorts: dict[str, float | None] = {}
        values: dict[str, float | None] = {}
        withheld: dict[str, str] = {}
        intervals: dict[str, dict[str, object]] = {}
        for g, n, v, code, interval in mrows:
            cohorts[g] = n
            values[g] = v
            intervals[g] = interval
            if isinstance(code, str) and code:
                withheld[g] = code
            elif v is None:
                withheld[g] = "no value"
        hidden = suppress_cells(cohorts, withheld, policy)
        phases = sig.comparison_phases(policy, phase, str(ks))
        for g in sorted(cohorts, key=lambda g: order.get(g, 99)):
            sup = g in hidden
            value = None if sup else values[g]
            cohort = None if sup else cohorts[g]
            comp, comp_value = _others_value(g, values, cohorts, hidden, minimum)
            gap_o = None if value is None or comp_value is None else value - comp_value
            nat = tracker.national_figure(academic_year, phases, str(measure), g)
            nat_v = nat[0] if nat else None
            if nat_v is None and progress and not separate:
                nat_v = 0.0  # progress scores are centred on the national average, 0 by construction
            gap_n = None if value is None or nat_v is None else value - nat_v
            interval = {} if sup else intervals[g]
            verdict, basis = _significance(policy, str(measure), g, value, nat_v, cohort, interval, separate, progress, str(unit))
            records.append(
                {
                    "measure": measure,
                    "key_stage": ks,
                    "unit": unit,
                    "pupil_group": g,
                    "cohort": cohort,
                    "value": value,
                    "suppressed": sup,
                    "suppression_reason": hidden.get(g, ""),
                    "comparison_group": comp,
                    "comparison_value": comp_value,
                    "gap_to_others": gap_o,
                    "gap_to_others_pupils": pupils_equivalent(gap_o, cohort, str(unit)),
                    "national": nat_v,
                    "gap_to_national": gap_n,
                    "gap_to_national_pupils": pupils_equivalent(gap_n, cohort, str(unit)),
                    "ci_lower": None if verdict is None else verdict.lower,
                    "ci_upper": None if verdict is None else verdict.upper,
                    "band": None if verdict is None else verdict.band,
                    "significance": basis if verdict is None else (sig.SMALL_GROUP if basis == sig.SMALL_GROUP else verdict.position),
                    "basis": "" if verdict is None else verdict.basis,
                }
            )
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    for c in ("cohort", "value", "comparison_value", "gap_to_others", "gap_to_others_pupils", "national", "gap_to_national", "gap_to_national_pupils", "ci_lower", "ci_upper"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    return frame


def _significance(
    policy: Policy,
    measure: str,
    group: str,
    value: float | None,
    national: float | None,
    cohort: float | None,
    interval: dict[str, object],
    separate: bool,
    progress: bool,
    unit: str,
) -> tuple[sig.Comparison | None, str]:
    """The test of one figure against national: (comparison, "") or (None, why not), with
    "small group" as the second item for a group under the policy's judging size."""
    if value is None:
        return None, ""
    if national is None:
        return None, NO_COMPARABLE if separate else "no national figure"
    if not progress and unit != "percent":
        return None, "context only"
    if progress:
        verdict = sig.progress_comparison(policy, measure, value, national, cohort, lower=num(interval.get("ci_lower")), upper=num(interval.get("ci_upper")), band=interval.get("band"))
    else:
        verdict = sig.percent_comparison(policy, measure, value, national, cohort)
    if group != ALL and (cohort is None or cohort < policy.significance.min_group_size):
        return verdict, sig.SMALL_GROUP
    return verdict, ""


def display_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as shown to people: suppressed cells read "suppressed", never 0 or blank."""
    out = frame.copy().astype({c: "object" for c in frame.columns})
    figures = ["cohort", "value", "comparison_value", "gap_to_others", "gap_to_others_pupils", "gap_to_national", "gap_to_national_pupils"]
    for i, row in frame.iterrows():
        for c in figures:
            v = row[c]
            if row["suppressed"] and c in ("cohort", "value", "gap_to_others", "gap_to_others_pupils", "gap_to_national", "gap_to_national_pupils"):
                out.at[i, c] = "suppressed"
            elif c == "comparison_value" and pd.isna(v) and isinstance(row["comparison_group"], str):
                out.at[i, c] = "not shown"
            elif pd.isna(v):
                out.at[i, c] = "–"
            elif c in ("cohort", "gap_to_others_pupils", "gap_to_national_pupils"):
                out.at[i, c] = fmt(v, places=0, signed="pupils" in c)
            else:
                gap = c.startswith("gap")
                out.at[i, c] = fmt(v, str(row["measure"]), signed=gap, gap=gap)
    return out
