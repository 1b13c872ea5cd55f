"""The trust's policy: decisions, thresholds and the support package table, as data.

The default ships in ``toolkit/data/policy.toml``. A ``policy.toml`` beside the tracker (or
one passed explicitly) overrides only the settings it names. A bad policy is reported like
a bad tracker: every problem at once, each with its key and the fix.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from toolkit.tracker.problems import InvalidInput, ProblemReport
from toolkit.tracker.schema import VOCABULARIES

POLICY_FILENAME = "policy.toml"
DESIGNATIONS = VOCABULARIES["designation"]
RiskLevel = Literal["High risk", "Some risk", "Low risk"]
Month = Annotated[int, Field(ge=1, le=12, description="1 = January ... 12 = December")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trust(_Strict):
    name: str
    protective_marking: str


class Designations(_Strict):
    order: list[str]
    risk: dict[str, RiskLevel]

    @model_validator(mode="after")
    def _known(self) -> Designations:
        if sorted(self.order) != sorted(DESIGNATIONS):
            raise ValueError(f"order must list exactly {', '.join(DESIGNATIONS)}")
        if set(self.risk) != set(DESIGNATIONS):
            raise ValueError(f"risk must give a level for each of {', '.join(DESIGNATIONS)}")
        return self


class Proposal(_Strict):
    rule: Literal["best_fit", "worst"]
    max_steps_above_worst: int = Field(ge=0, le=3)
    category_of_concern_designation: str
    report_card_limiting_grades: list[str]
    legacy_limiting_grades: list[str]
    safeguarding_not_met_is_limiting: bool
    ofsted_relevance_years: int = Field(ge=1, le=20)
    # A proposal from data needs at least this many of the seven indicators judged
    # (DOMAIN.md "Judging from data", Enough evidence); a category of concern still proposes.
    min_judged_indicators: int = Field(default=4, ge=1, le=7)


class ExitHighRisk(_Strict):
    consecutive_terms: int = Field(ge=1, le=9)


class DataSuggestions(_Strict):
    attendance_gap_sustain: float
    attendance_gap_improve: float
    attendance_gap_repair: float
    persistent_absence_gap_sustain: float
    persistent_absence_gap_improve: float
    persistent_absence_gap_repair: float
    suspension_ratio_stabilise: float = Field(gt=0)
    outcome_gap_sustain: float
    outcome_gap_improve: float
    outcome_gap_repair: float
    trend_terms: int = Field(ge=2, le=9)
    legacy_grade_steps: dict[str, str] = Field(
        default_factory=lambda: {"Outstanding": "Sustain", "Good": "Sustain", "Requires improvement": "Improve", "Inadequate": "Stabilise"}
    )
    report_card_needs_attention_repair: int = Field(default=2, ge=1, le=9)
    below_target_step: str = "Improve"
    suspension_rate_period: Literal["term", "year"] = "term"
    group_max_steps_above_worst: int = Field(default=1, ge=0, le=3)

    @model_validator(mode="after")
    def _steps(self) -> DataSuggestions:
        bad = [v for v in (*self.legacy_grade_steps.values(), self.below_target_step) if v not in DESIGNATIONS]
        if bad:
            raise ValueError(f"{bad} are not designations; use {', '.join(DESIGNATIONS)}")
        return self


BAND_NAMES = ("well_above", "above", "average", "below", "well_below")


class ProgressScale(_Strict):
    """One progress measure's scale, from DfE's published figures: the national pupil-level
    standard deviation (to estimate a confidence interval from the cohort size where none
    was recorded) and the scores beyond which an interval clear of national is "well"
    above or below (to place a score in DfE's five bands where no band was recorded)."""

    pupil_sd: float = Field(gt=0)
    well_above: float
    well_below: float


class Significance(_Strict):
    """When a difference from national is one a data-literate LSIP would defend
    (DOMAIN.md "Judging from data"; README "How outcomes are judged")."""

    confidence_level: float = Field(gt=0.5, lt=1)
    band_steps: dict[str, str]
    min_group_size: int = Field(ge=1, le=100)
    outcomes_max_age_years: int = Field(ge=1, le=20)
    separate_benchmark_phases: list[str]
    progress: dict[str, ProgressScale]

    @model_validator(mode="after")
    def _bands(self) -> Significance:
        if set(self.band_steps) != set(BAND_NAMES):
            raise ValueError(f"band_steps must give a step for each of {', '.join(BAND_NAMES)}")
        bad = [v for v in self.band_steps.values() if v not in DESIGNATIONS]
        if bad:
            raise ValueError(f"{bad} are not designations; use {', '.join(DESIGNATIONS)}")
        phases = VOCABULARIES["phase"]
        odd = [p for p in self.separate_benchmark_phases if p not in phases]
        if odd:
            raise ValueError(f"{odd} are not phases; use {', '.join(phases)}")
        return self


class Suppression(_Strict):
    min_group_size: int = Field(ge=1, le=100)


class Calendar(_Strict):
    exclude_school_holidays: bool
    exclude_closures: bool
    non_working_day_rule: Literal["next", "previous"]
    bank_holiday_subdivision: Literal["ENG"]
    paperwork_working_days_before: int = Field(ge=0, le=30)
    report_working_days_after: int = Field(ge=0, le=30)
    minimum_visit_months: list[Month]
    appraisal_visit_month: int = Field(ge=1, le=12)
    learning_walk_minutes: int = Field(ge=0, le=480)
    progress_board_months_all: list[Month]
    progress_board_months_high_risk: list[Month]
    eit_days_after_progress_board: int = Field(ge=0, le=60)
    standards_committee_days_after_eit: int = Field(ge=0, le=60)
    lsip_training_months: list[Month]
    sit_meeting: Literal["monthly"]
    planning_day_of_month: int = Field(default=10, ge=1, le=28)
    visit_report_roles: list[str] = Field(default_factory=lambda: ["SIP", "SIA", "LSIP", "SLE"])
    paperwork_roles: list[str] = Field(default_factory=lambda: ["SIP"])
    pupil_premium_review_months: list[Month] = Field(default_factory=lambda: [2])
    safeguarding_audit_months: list[Month] = Field(default_factory=lambda: [10])
    governor_review_months: list[Month] = Field(default_factory=lambda: [12, 3, 6])


class Reporting(_Strict):
    recipients: dict[str, list[str]]
    cadence: dict[RiskLevel, Literal["half-termly", "termly", "monthly"]]
    ceo_cadence: Literal["monthly", "half-termly", "termly"]
    compliance_lookback_days: int = Field(default=365, ge=1, le=3660)


class SupportPackage(_Strict):
    sip_days_per_year: float = Field(ge=0, le=100)
    sip_days_up_to: bool
    sia_days: float = Field(ge=0, le=100)
    sia_days_per: Literal["term", "year"]
    mat_wide_dhts: tuple[int, int]
    mat_wide_dht_days_per_week: float = Field(ge=0, le=5)
    directors_of_subject: int = Field(ge=0, le=10)
    deputy_ceo_intensive: bool
    eit_support: bool
    institute_of_education: bool
    reporting: Literal["half-termly", "termly"]

    @property
    def sia_days_per_year(self) -> float:
        return self.sia_days * (3 if self.sia_days_per == "term" else 1)


class Capacity(_Strict):
    mat_wide_dhts: int = Field(ge=0)
    directors_of_subject: int = Field(ge=0)
    sia_days_per_term: float = Field(ge=0)
    sip_days_per_year: float = Field(ge=0)
    weeks_per_term: int = Field(ge=1, le=20)
    under_delivery_ratio: float = Field(default=0.5, ge=0, le=1)
    include_prospective_joiners: bool = False


class Policy(_Strict):
    trust: Trust
    designations: Designations
    proposal: Proposal
    exit_high_risk: ExitHighRisk
    data_suggestions: DataSuggestions
    significance: Significance
    suppression: Suppression
    calendar: Calendar
    reporting: Reporting
    support: dict[str, SupportPackage]
    capacity: Capacity
    source: str = "default"

    @model_validator(mode="after")
    def _packages(self) -> Policy:
        if set(self.support) != set(DESIGNATIONS):
            raise ValueError(f"support must have a package for each of {', '.join(DESIGNATIONS)}")
        if self.proposal.category_of_concern_designation not in DESIGNATIONS:
            raise ValueError("proposal.category_of_concern_designation must be a designation")
        return self

    # Helpers that read the policy; they keep rule values out of the callers' code.
    def risk(self, designation: str) -> str:
        return self.designations.risk[designation]

    def is_high_risk(self, designation: str | None) -> bool:
        return designation is not None and self.risk(designation) == "High risk"

    def rank(self, designation: str) -> int:
        """0 for the worst designation, 3 for the best."""
        return self.designations.order.index(designation)

    def package(self, designation: str) -> SupportPackage:
        return self.support[designation]


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in override.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


@cache
def _default_dict() -> dict[str, Any]:
    text = resources.files("toolkit").joinpath("data", "policy.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def default_policy() -> Policy:
    return _build(_default_dict(), "default", ProblemReport("toolkit default policy"))


def _build(data: dict[str, Any], source: str, report: ProblemReport) -> Policy:
    try:
        return Policy.model_validate({**data, "source": source})
    except ValidationError as exc:
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"].removeprefix("Value error, ")
            given = err.get("input")
            shown = "" if isinstance(given, dict) else f" (found {given!r})"
            report.error(
                f"Policy setting {key}: {msg}{shown}.",
                f"Correct '{key}' in {source}; the default policy.toml shipped with the toolkit shows a valid value.",
                sheet=key,
                code="policy-invalid",
            )
        raise InvalidInput(report) from None


def load_policy(path: str | Path | None = None, *, tracker: str | Path | None = None) -> Policy:
    """Load the default policy, overridden by ``path`` or a ``policy.toml`` beside ``tracker``."""
    if path is None and tracker is not None:
        beside = Path(tracker).with_name(POLICY_FILENAME)
        path = beside if beside.is_file() else None
    if path is None:
        return default_policy()
    path = Path(path)
    report = ProblemReport(str(path))
    try:
        override = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        report.error(f"The policy file {path} does not exist.", "Check the path, or leave --policy out to use the default.", code="policy-missing")
        raise InvalidInput(report) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        report.error(f"The policy file is not valid TOML: {exc}.", "Fix the line named; compare with the default policy.toml.", code="policy-syntax")
        raise InvalidInput(report) from None
    return _build(_deep_merge(_default_dict(), override), str(path), report)
