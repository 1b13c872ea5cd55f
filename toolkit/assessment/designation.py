"""The termly designation assessment: judgements, proposal, agreed designation and risk.

For each school and term (Strand 4; DOMAIN.md "Designation"):

1. *Indicator judgements*: the reviewer's judgement from the Assessments sheet where there
   is one (source "reviewer"); else a suggestion from data with its reason (source
   "data"); else "no evidence" (source "none"). Nothing is guessed silently.
2. *Proposal*: the policy's rule (``propose``) with its chain of reasons, then the
   exit-from-High-risk rule (``apply_exit_rule``).
3. *Agreed designation*: what EIT signed off, its rationale, and a flag where it differs
   from the proposal. The model "is to be used intelligently and not as a checklist":
   the toolkit proposes, people decide.
4. *Risk*: the level for the designation in force (agreed, else proposed), the movement
   since last term and the history.

``what_if`` recomputes an assessment with some judgements changed, and optionally a
hypothetical inspection in place of the recorded one, reusing the data already gathered for
the school so that it answers at once in the notebook. ``why_proposal`` says in one line why
a what-if proposal did or did not move from the recorded one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import weakref
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from toolkit.assessment import ofsted
from toolkit.assessment.evidence import NO_EVIDENCE, Suggestion, median_step, suggest, term_end_date
from toolkit.assessment.indicators import descriptor_text, indicators, resolve_indicator
from toolkit.assessment.packages import package_for
from toolkit.calendar.terms import Term
from toolkit.policy import Policy
from toolkit.tracker.model import Tracker
from toolkit.tracker.queries import text

REVIEWER = "reviewer"
DATA = "data"
NONE = "none"


@dataclass(frozen=True)
class Judgement:
    """One quality indicator's judgement for a school and term."""

    key: str  # qi1..qi7
    name: str
    judgement: str | None
    source: str  # "reviewer", "data" or "none" (or "what-if" for an override)
    reason: str  # why: the data reasoning, "judged by the reviewer", or "no evidence: ..."
    evidence: str | None  # the reviewer's evidence text from the tracker (escape when shown)
    descriptor: str  # Appendix A descriptor text for the judgement on this indicator
    data_suggestion: str | None  # what the data alone suggests (also shown when a reviewer judged)
    data_reason: str

    @property
    def label(self) -> str:
        return f"QI{self.key[2:]} {self.name}"


@dataclass(frozen=True)
class SchoolAssessment:
    urn: int
    name: str
    term: str
    membership: str | None
    phase: str | None
    judgements: tuple[Judgement, ...]
    proposed: str | None
    proposal_reasons: tuple[str, ...]
    raw_proposed: str | None  # before the exit-from-High-risk rule
    limiting: tuple[str, ...]
    exit_rule: str  # the exit-from-High-risk note, "" when the rule does not apply
    agreed: str | None
    rationale: str | None
    eit_signoff_date: str | None
    recorded_proposal: str | None  # the proposed designation typed in the tracker, if any
    differs: bool
    designation: str | None  # in force: agreed, else proposed
    risk: str | None
    previous_term: str
    previous_designation: str | None
    movement: str  # "up", "down", "same" or "new"
    history: tuple[dict[str, Any], ...]
    package: dict[str, Any]  # support package for the designation in force
    proposed_package: dict[str, Any]  # support package for the proposal (what-if shows this)
    inspection: dict[str, Any] | None
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def proposal_text(self) -> str:
        """"Stabilise: Ofsted Urgent improvement in Leadership and governance, 3 Feb 2026"."""
        if self.proposed is None:
            first = self.proposal_reasons[0] if self.proposal_reasons else ""
            if first.startswith((INSUFFICIENT, NOT_ASSESSED)):
                return "; ".join(self.proposal_reasons)
            return f"{NO_EVIDENCE}: " + "; ".join(self.proposal_reasons)
        return f"{self.proposed}: " + "; ".join(self.proposal_reasons)

    @property
    def proposal_label(self) -> str:
        """The proposal in a word or phrase, for tables and the CLI: the designation, or
        "insufficient evidence: 2 of 7 indicators judged", "not assessed", "no evidence"."""
        if self.proposed is not None:
            return self.proposed
        return proposal_status(self.proposal_reasons)

    def judgement(self, key: str) -> Judgement:
        key = resolve_indicator(key)
        return next(j for j in self.judgements if j.key == key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (strings, numbers, lists, dicts, None)."""
        d = asdict(self)
        d["judgements"] = [asdict(j) | {"label": j.label} for j in self.judgements]
        d["proposal_text"] = self.proposal_text
        d["proposal_label"] = self.proposal_label
        d["history"] = [dict(h) for h in self.history]
        d["proposal_reasons"] = list(self.proposal_reasons)
        d["limiting"] = list(self.limiting)
        return d


# ----------------------------------------------------------------------------- rules


def propose(policy: Policy, judgements: dict[str, str | None], limiting: list[str] | tuple[str, ...] = ()) -> tuple[str | None, list[str]]:
    """The proposed designation and its chain of reasons (policy ``[proposal]``; DOMAIN.md
    Decision "proposal rule").

    - ``best_fit``: the median of the judged indicators, a tie going to the worse step;
      then no more than ``max_steps_above_worst`` above the worst indicator.
      Worked example: Stabilise, Improve, Improve, Sustain, Sustain, Sustain, Sustain ->
      median Sustain, but the worst is Stabilise so with max 1 step the proposal is Repair.
    - ``worst``: the worst judged indicator.
    - Limiting judgements (an Ofsted category of concern, see ``ofsted.limiting_judgements``)
      propose ``category_of_concern_designation`` whatever else holds, and lead the reasons.
    Indicators with no evidence are left out and named. Fewer than
    ``min_judged_indicators`` judged (and no category of concern) proposes nothing:
    "insufficient evidence: 2 of 7 indicators judged".
    """
    rule = policy.proposal
    names = {i.key: i.short for i in indicators()}
    judged = {k: v for k, v in judgements.items() if v is not None}
    missing = [names.get(k, k) for k, v in judgements.items() if v is None]
    reasons: list[str] = []
    if limiting:
        reasons.extend(limiting)
        result: str | None = rule.category_of_concern_designation
        reasons.append(f"an Ofsted category of concern proposes {result} whatever else holds")
    elif not judged:
        return None, ["no indicator has a judgement or data"]
    elif len(judged) < rule.min_judged_indicators:
        return None, [
            insufficient_evidence(len(judged), len(judgements)),
            f"a proposal needs at least {rule.min_judged_indicators} judged indicators; not judged: {', '.join(missing)}",
        ]
    elif rule.rule == "worst":
        result = min(judged.values(), key=policy.rank)
        worst = [names.get(k, k) for k, v in judged.items() if v == result]
        reasons.append(f"worst indicator judgement {result} ({', '.join(worst)})")
    else:
        result = median_step(policy, list(judged.values()))
        counts = ", ".join(f"{d} x{n}" for d in policy.designations.order if (n := list(judged.values()).count(d)))
        reasons.append(f"best fit of {len(judged)} judged indicators ({counts}) is {result}")
        worst = min(judged.values(), key=policy.rank)
        cap_rank = policy.rank(worst) + rule.max_steps_above_worst
        if policy.rank(result) > cap_rank:
            result = policy.designations.order[cap_rank]
            worst_names = ", ".join(names.get(k, k) for k, v in judged.items() if v == worst)
            reasons.append(f"no more than {rule.max_steps_above_worst} step(s) above the worst indicator ({worst}: {worst_names}), so {result}")
    if missing and judged:
        reasons.append(f"not judged, no evidence: {', '.join(missing)}")
    return result, reasons


INSUFFICIENT = "insufficient evidence"
NOT_ASSESSED = "not assessed"


def proposal_status(reasons: tuple[str, ...] | list[str]) -> str:
    """Why there is no proposal, in a phrase (see ``SchoolAssessment.proposal_label``)."""
    first = reasons[0] if reasons else ""
    if first.startswith(INSUFFICIENT):
        return first
    if first.startswith(NOT_ASSESSED):
        return NOT_ASSESSED
    return NO_EVIDENCE


def insufficient_evidence(judged: int, total: int) -> str:
    return f"{INSUFFICIENT}: {judged} of {total} indicators judged"


@dataclass(frozen=True)
class TermRecord:
    """What an earlier term contributes to the exit rule and the history."""

    term: Term
    raw_proposed: str | None
    proposed: str | None
    agreed: str | None

    @property
    def designation(self) -> str | None:
        return self.agreed or self.proposed


def apply_exit_rule(policy: Policy, term: Term, raw: str | None, earlier: list[TermRecord]) -> tuple[str | None, str]:
    """Leaving High risk (Strand 4 "securely and sustainably no longer at 'High risk'";
    DOMAIN.md Decision "exit from High risk"; policy ``exit_high_risk.consecutive_terms``).

    Count the run of consecutive terms, ending with this one, whose proposal (before this
    rule) is below High risk. If the term before that run was High risk (agreed, else
    proposed): a run shorter than ``consecutive_terms`` keeps that High-risk designation;
    a run of exactly ``consecutive_terms`` is the term the school leaves High risk.
    Worked example (2 terms): agreed Repair in Spring; proposals Improve in Summer and
    Autumn -> Summer stays Repair (1 of 2), Autumn leaves High risk with Improve.
    """
    need = policy.exit_high_risk.consecutive_terms
    if raw is None or policy.is_high_risk(raw):
        return raw, ""
    by_term = {r.term: r for r in earlier}
    run = [term]
    cursor = term.previous()
    while cursor in by_term and by_term[cursor].raw_proposed is not None and not policy.is_high_risk(by_term[cursor].raw_proposed):
        run.append(cursor)
        cursor = cursor.previous()
    before = by_term.get(cursor)
    if before is None or not policy.is_high_risk(before.designation):
        return raw, ""
    if len(run) < need:
        held = before.designation
        return held, (
            f"exit from High risk: the proposal ({raw}) has been below High risk for {len(run)} of the "
            f"{need} consecutive terms needed, so it stays {held} (was {held} in {before.term.label})"
        )
    if len(run) == need:
        terms = ", ".join(t.label for t in reversed(run))
        return raw, f"leaves High risk: the proposal has been below High risk for {need} consecutive terms ({terms})"
    return raw, ""


def movement(policy: Policy, previous: str | None, current: str | None) -> str:
    """"up" (a better designation than last term), "down", "same", or "new" (none last term)."""
    if previous is None or current is None:
        return "new"
    a, b = policy.rank(previous), policy.rank(current)
    return "up" if b > a else "down" if b < a else "same"


# ----------------------------------------------------------------------------- gathering


@dataclass
class _TermData:
    term: Term
    row: dict[str, Any]  # the Assessments row ({} when none)
    suggestions: dict[str, Suggestion]
    limiting: list[str]
    inspection: ofsted.Inspection | None
    end: dt.date  # the term's last day: inspections and limiting judgements are as at this day
    what_if_reasons: dict[str, str] = field(default_factory=dict)  # indicator -> why a what-if set it


@dataclass
class _SchoolContext:
    """Everything read from the tracker for one school, up to one term: reused by what-if."""

    policy: Policy
    urn: int
    name: str
    membership: str | None
    phase: str | None
    terms: list[_TermData]  # chronological, the assessed term last


def _school_row(tracker: Tracker, urn: int) -> dict[str, Any]:
    s = tracker.schools
    hit = s.loc[s["urn"] == urn]
    return hit.iloc[0].to_dict() if len(hit) else {}


def _assessment_terms(tracker: Tracker, urn: int, term: Term) -> dict[Term, dict[str, Any]]:
    out: dict[Term, dict[str, Any]] = {}
    for row in tracker.rows("assessments", urn).to_dict("records"):
        try:
            t = Term.of(str(row["academic_year"]), str(row["term"]))
        except (ValueError, KeyError):
            continue
        if t <= term:
            out[t] = row
    return out


def _build_context(tracker: Tracker, urn: int, term: Term) -> _SchoolContext:
    school = _school_row(tracker, urn)
    rows = _assessment_terms(tracker, urn, term)
    found = ofsted.inspections(tracker, urn)
    terms = sorted({*rows, term})
    data: list[_TermData] = []
    memo: dict = {}
    for t in terms:
        end = term_end_date(tracker, t)
        latest = ofsted.latest_judged(found, end)
        suggestions = {i.key: suggest(tracker, urn, t, i.key, found, memo) for i in indicators()}
        data.append(_TermData(t, rows.get(t, {}), suggestions, ofsted.limiting_judgements(tracker.policy, latest, end), latest, end))
    return _SchoolContext(
        policy=tracker.policy,
        urn=urn,
        name=text(school.get("name")) or f"URN {urn}",
        membership=text(school.get("membership")),
        phase=text(school.get("phase")),
        terms=data,
    )


def _judgements(td: _TermData, overrides: dict[str, str] | None = None) -> tuple[Judgement, ...]:
    out = []
    for ind in indicators():
        sug = td.suggestions[ind.key]
        reviewer = text(td.row.get(f"{ind.key}_judgement"))
        evidence = text(td.row.get(f"{ind.key}_evidence"))
        if overrides and ind.key in overrides:
            why = td.what_if_reasons.get(ind.key) or f"set to {overrides[ind.key]}"
            value, source, reason = overrides[ind.key], "what-if", f"what-if: {why} (was {reviewer or sug.designation or NO_EVIDENCE})"
        elif reviewer:
            value, source, reason = reviewer, REVIEWER, "judged by the reviewer"
        elif sug.designation:
            value, source, reason = sug.designation, DATA, sug.reason
        else:
            value, source, reason = None, NONE, sug.reason
        out.append(Judgement(ind.key, ind.name, value, source, reason, evidence, descriptor_text(ind.key, value), sug.designation, sug.reason))
    return tuple(out)


def _assess(ctx: _SchoolContext, overrides: dict[str, str] | None = None) -> SchoolAssessment:
    policy = ctx.policy
    records: list[TermRecord] = []
    final: SchoolAssessment | None = None
    for i, td in enumerate(ctx.terms):
        last = i == len(ctx.terms) - 1
        judgements = _judgements(td, overrides if last else None)
        if not td.row and not (last and overrides):
            # No Assessments row: the term was not assessed, and data alone makes no proposal.
            raw, reasons = None, [f"{NOT_ASSESSED}: no Assessments row for {td.term.label}, so no proposal is made from data alone"]
        else:
            raw, reasons = propose(policy, {j.key: j.judgement for j in judgements}, td.limiting)
        proposed, note = apply_exit_rule(policy, td.term, raw, records)
        if note:
            reasons = [*reasons, note]
        agreed = text(td.row.get("agreed_designation"))
        records.append(TermRecord(td.term, raw, proposed, agreed))
        if not last:
            continue
        prev = next((r for r in records if r.term == td.term.previous()), None)
        designation = agreed or proposed
        signed = td.row.get("eit_signoff_date")
        final = SchoolAssessment(
            urn=ctx.urn,
            name=ctx.name,
            term=td.term.label,
            membership=ctx.membership,
            phase=ctx.phase,
            judgements=judgements,
            proposed=proposed,
            proposal_reasons=tuple(reasons),
            raw_proposed=raw,
            limiting=tuple(td.limiting),
            exit_rule=note,
            agreed=agreed,
            rationale=text(td.row.get("rationale")),
            eit_signoff_date=None if signed is None or pd.isna(signed) else pd.Timestamp(signed).date().isoformat(),
            recorded_proposal=text(td.row.get("proposed_designation")),
            differs=agreed is not None and proposed is not None and agreed != proposed,
            designation=designation,
            risk=policy.risk(designation) if designation else None,
            previous_term=td.term.previous().label,
            previous_designation=prev.designation if prev else None,
            movement=movement(policy, prev.designation if prev else None, designation),
            history=tuple(
                {
                    "term": r.term.label,
                    "proposed": r.proposed,
                    "agreed": r.agreed,
                    "designation": r.designation,
                    "risk": policy.risk(r.designation) if r.designation else None,
                    "differs": r.agreed is not None and r.proposed is not None and r.agreed != r.proposed,
                }
                for r in records
            ),
            package=package_for(policy, designation).to_dict() if designation else {},
            proposed_package=package_for(policy, proposed).to_dict() if proposed else {},
            inspection=td.inspection.to_dict() if td.inspection else None,
            overrides=dict(overrides or {}),
        )
    assert final is not None
    return final


# ----------------------------------------------------------------------------- public API

_CACHE: dict[int, tuple[weakref.ref, dict[tuple[int, Term], _SchoolContext]]] = {}


def _cache_for(tracker: Tracker) -> dict[tuple[int, Term], _SchoolContext]:
    key = id(tracker)
    hit = _CACHE.get(key)
    if hit is None or hit[0]() is not tracker:
        store: dict[tuple[int, Term], _SchoolContext] = {}
        _CACHE[key] = (weakref.ref(tracker, lambda _r, k=key: _CACHE.pop(k, None)), store)
        return store
    return hit[1]


def _term(term: str | Term) -> Term:
    return term if isinstance(term, Term) else Term.parse(term)


def assess_school(tracker: Tracker, urn: int, term: str | Term) -> SchoolAssessment:
    """Assess one school for one term from the tracker (always read afresh)."""
    t = _term(term)
    ctx = _build_context(tracker, int(urn), t)
    _cache_for(tracker)[(int(urn), t)] = ctx
    return _assess(ctx)


def what_if(
    tracker: Tracker,
    urn: int,
    term: str | Term,
    overrides: dict[str, str],
    inspection: ofsted.Inspection | None = None,
) -> SchoolAssessment:
    """Recompute an assessment with some indicator judgements changed, e.g.
    ``{"qi6": "Improve"}`` (keys may be qi6, 6 or 'Climate'; a value of None or "" removes
    an override). Reuses the data gathered by ``assess_school``, so only the proposal,
    exit rule, risk and support package are recomputed.

    ``inspection`` (see ``ofsted.hypothetical``) stands in for the latest recorded
    inspection of the assessed term: its limiting judgements replace the recorded ones, and
    QI1 takes the step the inspection maps to (``ofsted.qi1_step``) unless QI1 is itself
    overridden. An LSIP can so ask "what if the monitoring visit lifts the category of
    concern?" as well as "what if climate for learning improves?".
    """
    t = _term(term)
    store = _cache_for(tracker)
    ctx = store.get((int(urn), t))
    if ctx is None:
        ctx = store[(int(urn), t)] = _build_context(tracker, int(urn), t)
    clean: dict[str, str] = {}
    for k, v in overrides.items():
        if v in (None, ""):
            continue
        if v not in ctx.policy.designations.order:
            raise ValueError(f"{v!r} is not a designation; use one of {', '.join(ctx.policy.designations.order)}")
        clean[resolve_indicator(k)] = v
    if inspection is None:
        return _assess(ctx, clean)
    last = ctx.terms[-1]
    limiting = ofsted.limiting_judgements(ctx.policy, inspection, last.end)
    step, why = ofsted.qi1_step(ctx.policy, inspection)
    reasons = {}
    if "qi1" not in clean and step is not None:
        clean["qi1"] = step
        reasons["qi1"] = f"inspection {why}"
    hypothetical = dataclasses.replace(last, limiting=limiting, inspection=inspection, what_if_reasons=reasons)
    return _assess(dataclasses.replace(ctx, terms=[*ctx.terms[:-1], hypothetical]), clean)


def why_proposal(recorded: SchoolAssessment, changed: SchoolAssessment) -> str:
    """One line saying why the what-if proposal did or did not move from the recorded one,
    led by what decides it: an Ofsted limiting judgement, the rule for leaving High risk, the
    cap above the worst indicator, or the best fit itself. For example "Stabilise stays: the
    Ofsted category of concern limits the proposal (Ofsted Inadequate overall effectiveness,
    3 Feb 2026)"."""
    before, after = recorded.proposed or NO_EVIDENCE, changed.proposed or NO_EVIDENCE
    moved = before != after
    head = f"{before} -> {after}" if moved else f"{after} stays"
    if changed.limiting:
        return f"{head}: the Ofsted category of concern limits the proposal ({'; '.join(changed.limiting)})"
    if changed.exit_rule and changed.proposed != changed.raw_proposed:
        return f"{head}: the rule for leaving High risk holds it ({changed.exit_rule})"
    if recorded.limiting and not changed.limiting:
        lifted = f"{head}: with no Ofsted category of concern the proposal is the best fit of the judgements"
        return lifted + (f" ({changed.proposal_reasons[0]})" if changed.proposal_reasons else "")
    capped = next((r for r in changed.proposal_reasons if r.startswith("no more than")), None)
    if capped:
        return f"{head}: {capped}"
    if not changed.proposal_reasons:
        return head
    if not moved and not changed.overrides:
        return f"{head}: as recorded ({changed.proposal_reasons[0]})"
    return f"{head}: {changed.proposal_reasons[0]}"


def schools_assessed(tracker: Tracker) -> list[int]:
    """Every school in the Schools sheet (members and prospective joiners: Strand 4 assesses
    "the schools in the MAT, and those potentially joining")."""
    return [int(u) for u in tracker.schools["urn"].dropna()]


def assess_trust(tracker: Tracker, term: str | Term) -> list[SchoolAssessment]:
    """Assess every school in the tracker for a term, in Schools-sheet order."""
    t = _term(term)
    return [assess_school(tracker, urn, t) for urn in schools_assessed(tracker)]


def designations_frame(assessments: list[SchoolAssessment]) -> pd.DataFrame:
    """One row per school: judgements and sources, proposal and reasons, agreed, differs,
    risk, previous designation, movement and the support package summary."""
    rows = []
    for a in assessments:
        row: dict[str, Any] = {"urn": a.urn, "name": a.name, "term": a.term, "membership": a.membership}
        for j in a.judgements:
            row[f"{j.key}_judgement"] = j.judgement
            row[f"{j.key}_source"] = j.source
        row |= {
            "proposed": a.proposed,
            "proposal": a.proposal_label,
            "reasons": "; ".join(a.proposal_reasons),
            "agreed": a.agreed,
            "differs": a.differs,
            "rationale": a.rationale,
            "designation": a.designation,
            "risk": a.risk,
            "previous_designation": a.previous_designation,
            "movement": a.movement,
            "exit_rule": a.exit_rule,
            "support_package": a.package.get("summary", ""),
            "sip_days_per_year": a.package.get("sip_days_per_year"),
            "sia_days_per_year": a.package.get("sia_days_per_year"),
        }
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = [
    "Judgement",
    "TermRecord",
    "SchoolAssessment",
    "apply_exit_rule",
    "assess_school",
    "assess_trust",
    "designations_frame",
    "movement",
    "propose",
    "schools_assessed",
    "what_if",
    "why_proposal",
]
