"""Support packages by designation, trust-wide totals, and deployments against them.

Strand 4 sets the support each designation receives (SIP and SIA days, MAT-wide Deputy
Headteachers, Directors of Subject, reporting cadence); the policy's ``[support.*]`` tables
hold those values (DOMAIN.md "Support package by designation"). Support "is based on need,
not entitlement", so the package is an allocation, and the trust-wide sum is a capacity
question: ``capacity_check`` compares it with ``policy.capacity``, and ``trust_support``
compares each school's allocation with what the SIT Deployments sheet planned and used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit.assessment.packages import Package, package_for, year_allocation
from toolkit.calendar.terms import SEASONS, Term
from toolkit.policy import Policy
from toolkit.tracker.model import Tracker

if TYPE_CHECKING:
    from toolkit.assessment.designation import SchoolAssessment

SIP, SIA, DHT, DOS = "SIP", "SIA", "MAT-wide Deputy Headteacher", "Director of Subject"


def deployed_days(tracker: Tracker, urn: int, term: Term) -> dict[str, float]:
    """Days planned and used this term and this year, by role, from the Deployments sheet."""
    d = tracker.rows("deployments", urn)
    year_rows = d.loc[d["academic_year"] == term.year.label]
    term_rows = year_rows.loc[year_rows["term"] == term.season]
    out: dict[str, float] = {}
    for role, key in ((SIP, "sip"), (SIA, "sia")):
        yr, tr = year_rows.loc[year_rows["role"] == role], term_rows.loc[term_rows["role"] == role]
        out[f"{key}_planned_year"] = float(pd.to_numeric(yr["days_planned"], errors="coerce").fillna(0).sum())
        out[f"{key}_used_year"] = float(pd.to_numeric(yr["days_used"], errors="coerce").fillna(0).sum())
        out[f"{key}_planned_term"] = float(pd.to_numeric(tr["days_planned"], errors="coerce").fillna(0).sum())
        out[f"{key}_used_term"] = float(pd.to_numeric(tr["days_used"], errors="coerce").fillna(0).sum())
    out["dhts_term"] = float(term_rows.loc[term_rows["role"] == DHT, "person"].nunique())
    out["directors_term"] = float(term_rows.loc[term_rows["role"] == DOS, "person"].nunique())
    out["_term_rows"] = term_rows  # type: ignore[assignment]
    return out


def school_flags(policy: Policy, package: Package, deployed: dict[str, Any], term: Term, year_designations: list[str] | None = None) -> list[str]:
    """Over-allocation and under-delivery for one school (Strand 4: support "based on need,
    not entitlement" so planned days above the allocation need an EIT decision).

    - over-allocation: SIP days planned in the year above the year's allocation; SIA days
      planned in the term above a termly allocation, or in the year above a yearly one;
      more MAT-wide Deputy Headteachers deployed than the package's maximum. The year's
      allocation follows the designation term by term (``year_allocation``) when
      ``year_designations`` is given, else the current package for the whole year.
    - under-delivery: for any SIT member in the term, days used below
      ``capacity.under_delivery_ratio`` of days planned.
    """
    flags: list[str] = []
    d = package.designation
    if year_designations:
        sip_year, sia_year = year_allocation(policy, year_designations)
        changed = len(set(year_designations)) > 1
    else:
        sip_year, sia_year, changed = package.sip_days_per_year, package.sia_days_per_year, False
    which = f"the {term.year.label} allocation ({' / '.join(year_designations)})" if changed and year_designations else f"the {d} allocation"
    if deployed["sip_planned_year"] > sip_year + 1e-9:
        flags.append(f"over-allocation: SIP days planned {deployed['sip_planned_year']:g} in {term.year.label}, above {which} of {sip_year:g}")
    if package.sia_days_per == "term":
        if deployed["sia_planned_term"] > package.sia_days:
            flags.append(f"over-allocation: SIA days planned {deployed['sia_planned_term']:g} in {term.label}, above the {d} allocation of {package.sia_days:g}")
    elif deployed["sia_planned_year"] > sia_year + 1e-9:
        flags.append(f"over-allocation: SIA days planned {deployed['sia_planned_year']:g} in {term.year.label}, above {which} of {sia_year:.3g}")
    if deployed["dhts_term"] > package.mat_wide_dhts_max:
        flags.append(f"over-allocation: {deployed['dhts_term']:g} MAT-wide Deputy Headteachers deployed in {term.label}; the {d} package has {package.mat_wide_dhts_max}")
    rows = deployed["_term_rows"]
    ratio = policy.capacity.under_delivery_ratio
    for r in rows.to_dict("records"):
        planned_d, used_d = r.get("days_planned"), r.get("days_used")
        if planned_d is None or pd.isna(planned_d) or planned_d <= 0 or used_d is None or pd.isna(used_d):
            continue
        if used_d < ratio * planned_d:
            flags.append(f"under-delivery: {r['role']} days used {used_d:g} of {planned_d:g} planned in {term.label} (below {ratio:.0%})")
    return flags


def designations_in_year(assessment: SchoolAssessment, term: Term) -> list[str] | None:
    """The designation in force in each term of the term's academic year (from the
    assessment's history; a term not assessed, or still to come, takes the current one)."""
    if not assessment.designation:
        return None
    by_term = {h["term"]: h["designation"] for h in assessment.history}
    out = []
    for i in range(len(SEASONS)):
        label = Term(term.year, i).label
        out.append(by_term.get(label) if i <= term.index and by_term.get(label) else assessment.designation)
    return out


def trust_support(tracker: Tracker, term: str | Term, assessments: list[SchoolAssessment]) -> pd.DataFrame:
    """Each school's package for the designation in force (agreed, else proposed), what
    Deployments planned and used, and its flags. One row per school."""
    t = term if isinstance(term, Term) else Term.parse(term)
    policy = tracker.policy
    rows = []
    for a in assessments:
        row: dict[str, Any] = {"urn": a.urn, "name": a.name, "membership": a.membership, "designation": a.designation, "risk": a.risk}
        if a.designation is None:
            rows.append(row | {"flags": "no designation: no package"})
            continue
        pkg = package_for(policy, a.designation)
        dep = deployed_days(tracker, a.urn, t)
        flags = school_flags(policy, pkg, dep, t, designations_in_year(a, t))
        row |= {
            "sip_days_allocated_year": pkg.sip_days_per_year,
            "sip_days_planned_year": dep["sip_planned_year"],
            "sip_days_used_year": dep["sip_used_year"],
            "sia_days_allocated_term": pkg.sia_days_per_term,
            "sia_days_planned_term": dep["sia_planned_term"],
            "sia_days_used_term": dep["sia_used_term"],
            "sia_days_allocated_year": pkg.sia_days_per_year,
            "sia_days_package": pkg.sia_days,  # as the strategy sets it: per ``sia_days_per``
            "sia_days_per": pkg.sia_days_per,
            "dhts_allocated": f"{pkg.mat_wide_dhts_min}-{pkg.mat_wide_dhts_max}" if pkg.mat_wide_dhts_max else "0",
            "dhts_min": pkg.mat_wide_dhts_min,
            "dhts_deployed_term": dep["dhts_term"],
            "directors_allocated": pkg.directors_of_subject,
            "directors_deployed_term": dep["directors_term"],
            "reporting": pkg.reporting,
            "flags": "; ".join(flags),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def capacity_check(policy: Policy, support: pd.DataFrame) -> pd.DataFrame:
    """Trust-wide totals of allocations against ``policy.capacity`` (DOMAIN.md: "the
    trust-wide sum of allocated days is a capacity question"). Prospective joiners count
    only if ``capacity.include_prospective_joiners``; a total above capacity is flagged."""
    cap = policy.capacity
    rows = support
    if not cap.include_prospective_joiners and "membership" in rows:
        rows = rows.loc[rows["membership"] != "Prospective joiner"]

    def total(col: str) -> float:
        return float(pd.to_numeric(rows.get(col, pd.Series(dtype=float)), errors="coerce").fillna(0).sum())

    lines = [
        ("SIP days a year", total("sip_days_allocated_year"), total("sip_days_planned_year"), total("sip_days_used_year"), cap.sip_days_per_year),
        ("SIA days this term", total("sia_days_allocated_term"), total("sia_days_planned_term"), total("sia_days_used_term"), cap.sia_days_per_term),
        ("MAT-wide Deputy Headteachers (at least)", total("dhts_min"), total("dhts_deployed_term"), None, float(cap.mat_wide_dhts)),
        ("Directors of Subject", total("directors_allocated"), total("directors_deployed_term"), None, float(cap.directors_of_subject)),
    ]
    out = []
    for name, allocated, planned, used, capacity in lines:
        flag = ""
        if allocated > capacity:
            flag = f"over capacity: {allocated:g} allocated, capacity {capacity:g}"
        elif planned > capacity:
            flag = f"over capacity: {planned:g} planned, capacity {capacity:g}"
        out.append({"resource": name, "allocated": allocated, "planned": planned, "used": used, "capacity": capacity, "flag": flag})
    return pd.DataFrame(out)


def support_flags(support: pd.DataFrame, capacity: pd.DataFrame) -> list[str]:
    """Every flag as one line: schools first, then trust-wide capacity."""
    flags = [f"{r['name']} ({r['urn']}): {f}" for r in support.to_dict("records") for f in str(r.get("flags") or "").split("; ") if f]
    flags += [f"Trust-wide {r['resource']}: {r['flag']}" for r in capacity.to_dict("records") if r["flag"]]
    return flags
