"""The support package each designation receives (Strand 4), worked out from the policy.

Kept apart from ``support`` (support delivered against the package) so that the
designation rules can attach a package to a proposal without importing the delivery
side, which itself reads assessments: no import cycle between the two.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from toolkit.calendar.terms import SEASONS
from toolkit.policy import Policy


@dataclass(frozen=True)
class Package:
    """One designation's support package, with the days per term and per year worked out."""

    designation: str
    risk: str
    sip_days_per_year: float
    sip_days_up_to: bool
    sia_days: float
    sia_days_per: str  # "term" or "year"
    sia_days_per_term: float
    sia_days_per_year: float
    mat_wide_dhts_min: int
    mat_wide_dhts_max: int
    mat_wide_dht_days_per_week: float
    directors_of_subject: int
    deputy_ceo_intensive: bool
    eit_support: bool
    institute_of_education: bool
    reporting: str
    ceo_reporting: str

    @property
    def summary(self) -> str:
        """"SIP 10 days a year; SIA up to 20 days a term; 1-2 MAT-wide Deputy Headteachers ..."."""
        parts = [f"SIP {'up to ' if self.sip_days_up_to else ''}{self.sip_days_per_year:g} days a year"]
        if self.sia_days:
            parts.append(f"SIA up to {self.sia_days:g} days a {self.sia_days_per}")
        if self.mat_wide_dhts_max:
            n = f"{self.mat_wide_dhts_min}" if self.mat_wide_dhts_min == self.mat_wide_dhts_max else f"{self.mat_wide_dhts_min}-{self.mat_wide_dhts_max}"
            parts.append(f"{n} MAT-wide Deputy Headteacher(s), {self.mat_wide_dht_days_per_week:g} days a week")
        if self.directors_of_subject:
            parts.append(f"{self.directors_of_subject}+ Director(s) of Subject")
        if self.deputy_ceo_intensive:
            parts.append("Deputy CEO works intensively with the school")
        if self.eit_support:
            parts.append("EIT support for departmental/leadership needs")
        if self.institute_of_education:
            parts.append("Institute of Education (SLEs)")
        parts.append(f"Deputy CEO reports {self.reporting} to PB, Executive Team and Trust Board committee, {self.ceo_reporting} to the CEO")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"summary": self.summary}


def package_for(policy: Policy, designation: str) -> Package:
    """The support package for a designation, from ``policy.support[designation]`` (Strand 4
    "'High risk' / 'Some risk' / 'Low risk' schools"). SIA days given per year count a third
    per term; per term, three times a year."""
    p = policy.package(designation)
    per_term = p.sia_days if p.sia_days_per == "term" else p.sia_days / len(SEASONS)
    return Package(
        designation=designation,
        risk=policy.risk(designation),
        sip_days_per_year=p.sip_days_per_year,
        sip_days_up_to=p.sip_days_up_to,
        sia_days=p.sia_days,
        sia_days_per=p.sia_days_per,
        sia_days_per_term=per_term,
        sia_days_per_year=p.sia_days_per_year,
        mat_wide_dhts_min=p.mat_wide_dhts[0],
        mat_wide_dhts_max=p.mat_wide_dhts[1],
        mat_wide_dht_days_per_week=p.mat_wide_dht_days_per_week,
        directors_of_subject=p.directors_of_subject,
        deputy_ceo_intensive=p.deputy_ceo_intensive,
        eit_support=p.eit_support,
        institute_of_education=p.institute_of_education,
        reporting=p.reporting,
        ceo_reporting=policy.reporting.ceo_cadence,
    )


def package_summary(package: Package) -> dict[str, Any]:
    """The package as a JSON-safe dict with a one-line ``summary``."""
    return package.to_dict()


def year_allocation(policy: Policy, designations: list[str]) -> tuple[float, float]:
    """SIP and SIA days allocated for a year in which the designation may change: a third
    of each term's yearly allowance (or the termly SIA days) under that term's designation.
    ``designations`` gives the three terms' designations (later terms: the current one).
    Worked example: Repair, Repair, Improve -> SIA 20 + 20 + 10/3 = 43.3 days; SIP 10."""
    sip = sia = 0.0
    for d in designations:
        p = package_for(policy, d)
        sip += p.sip_days_per_year / len(SEASONS)
        sia += p.sia_days_per_term
    return sip, sia
