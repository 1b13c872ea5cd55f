"""The fictional sample trust: a complete, valid tracker with known, planted problems.

Other modules' tests and the notebooks run on this trust, so its facts are a contract
(``/tmp/sample-spec.md``, summarised here): ten schools, URNs 900001..900010, designation
stories over four termly assessments (2025/26 Autumn, Spring, Summer; 2026/27 Autumn),
visits up to 20 November 2026, and a handful of planted exceptions (late and missing
reports, a missed minimum visit, late paperwork, a visit without its learning walk, an
off-rule EIT meeting, an over-allocation and an under-delivery). ``SampleTrust.planted``
names every planted exception so tests can check the toolkit finds exactly these.

Larger trusts (``n_schools`` 100 or 1000, for benchmarks) repeat the ten patterns with
generated fictional names. Everything is drawn from a seeded ``random.Random``, so the
same arguments always give the same rows (and, through ``write_tracker``, the same bytes).

Calendar values (working days allowed for reports and paperwork, visit months, meeting
months and gaps, support days) come from the policy, never literals, so a sample built
under another policy still shows on-time visits as on time.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import holidays

from toolkit.calendar.terms import AcademicYear
from toolkit.policy import Policy, default_policy
from toolkit.tracker.schema import (
    HALF_TERMS,
    INDICATORS,
    MEASURE_INFO,
    MEASURES,
    PROGRESS_BANDS,
    PUPIL_GROUPS,
)

Row = dict[str, Any]

TRUST_NAME = "Severn Vale Academy Trust"
FIRST_URN = 900001
YEARS = ("2025/26", "2026/27")
OUTCOME_YEARS = ("2024/25", "2025/26")
#: The four termly assessments of the sample: (academic year, term).
ASSESSED_TERMS = (("2025/26", "Autumn"), ("2025/26", "Spring"), ("2025/26", "Summer"), ("2026/27", "Autumn"))
#: Visits are recorded up to this day (the project's "today" is 2026-11-23).
VISITS_UNTIL = dt.date(2026, 11, 20)

TERM_DATES: dict[str, tuple[tuple[dt.date, dt.date], ...]] = {
    "2025/26": (
        (dt.date(2025, 9, 3), dt.date(2025, 10, 24)),
        (dt.date(2025, 11, 3), dt.date(2025, 12, 19)),
        (dt.date(2026, 1, 5), dt.date(2026, 2, 13)),
        (dt.date(2026, 2, 23), dt.date(2026, 3, 27)),
        (dt.date(2026, 4, 13), dt.date(2026, 5, 22)),
        (dt.date(2026, 6, 1), dt.date(2026, 7, 21)),
    ),
    "2026/27": (
        (dt.date(2026, 9, 2), dt.date(2026, 10, 23)),
        (dt.date(2026, 11, 2), dt.date(2026, 12, 18)),
        (dt.date(2027, 1, 4), dt.date(2027, 2, 12)),
        (dt.date(2027, 2, 22), dt.date(2027, 3, 25)),
        (dt.date(2027, 4, 12), dt.date(2027, 5, 28)),
        (dt.date(2027, 6, 7), dt.date(2027, 7, 21)),
    ),
}
# Trust-wide closures (INSET) and, per pattern, a school's own closure (a polling station).
TRUST_CLOSURES = ((dt.date(2025, 9, 2), "INSET day"), (dt.date(2026, 3, 13), "INSET day"), (dt.date(2026, 9, 1), "INSET day"))
SCHOOL_CLOSURES = {2: ((dt.date(2026, 5, 7), "Polling station for local elections"),)}


# --------------------------------------------------------------------------- the ten patterns
@dataclass(frozen=True)
class Pattern:
    """One of the ten sample schools; larger trusts repeat these with new names."""

    name: str
    phase: str
    sixth_form: bool
    membership: str
    story: tuple[str, str, str, str]  # agreed designation for each of ASSESSED_TERMS
    legacy: tuple[dt.date, str, dict[str, str]]  # inspection date, overall, sub-judgement overrides
    joined: dt.date | None


def _legacy(day: tuple[int, int, int], overall: str, **subs: str) -> tuple[dt.date, str, dict[str, str]]:
    return dt.date(*day), overall, subs


PATTERNS: tuple[Pattern, ...] = (
    Pattern("Brookside Primary School", "Primary", False, "Member", ("Sustain",) * 4,
            _legacy((2023, 6, 14), "Good", personal_development="Outstanding"), dt.date(2015, 9, 1)),
    Pattern("Hollins Lane Primary School", "Primary", False, "Member", ("Improve",) * 4,
            _legacy((2024, 11, 12), "Not graded", quality_of_education="Requires improvement", leadership_and_management="Requires improvement", behaviour_and_attitudes="Good", personal_development="Good"),
            dt.date(2017, 4, 1)),
    Pattern("St Aldhelm's CofE Primary School", "Primary", False, "Member", ("Repair",) * 4,
            _legacy((2022, 3, 8), "Requires improvement", behaviour_and_attitudes="Good"), dt.date(2019, 9, 1)),
    Pattern("Kingsmead Primary School", "Primary", False, "Member", ("Sustain",) * 4,
            _legacy((2022, 11, 16), "Good"), dt.date(2014, 9, 1)),
    Pattern("Ridgeway High School and Sixth Form", "Secondary", True, "Member", ("Improve",) * 4,
            _legacy((2023, 2, 1), "Requires improvement", sixth_form="Good", personal_development="Good"), dt.date(2016, 1, 1)),
    Pattern("Castle Hill Academy", "Secondary", False, "Member", ("Repair", "Stabilise", "Stabilise", "Stabilise"),
            _legacy((2022, 5, 10), "Requires improvement"), dt.date(2018, 9, 1)),
    Pattern("Oakfield School", "Secondary", False, "Member", ("Sustain",) * 4,
            _legacy((2023, 5, 9), "Outstanding"), dt.date(2013, 9, 1)),
    Pattern("Westbury All-Through Academy", "All-through", False, "Member", ("Improve",) * 4,
            _legacy((2023, 10, 4), "Requires improvement", early_years="Good", personal_development="Good"), dt.date(2020, 9, 1)),
    Pattern("Millbrook Academy", "Secondary", False, "Member", ("Repair", "Repair", "Improve", "Improve"),
            _legacy((2024, 1, 23), "Requires improvement"), dt.date(2021, 1, 1)),
    Pattern("Elmwood Primary School", "Primary", False, "Prospective joiner", ("Improve",) * 4,
            _legacy((2023, 3, 15), "Requires improvement", behaviour_and_attitudes="Good"), None),
)
REPORT_CARDS: dict[int, dict[str, Any]] = {
    2: {  # St Aldhelm's: several "Needs attention", safeguarding Met
        "inspection_date": dt.date(2026, 3, 10),
        "inclusion": "Needs attention",
        "curriculum_and_teaching": "Needs attention",
        "achievement": "Needs attention",
        "attendance_and_behaviour": "Expected standard",
        "personal_development_and_wellbeing": "Expected standard",
        "leadership_and_governance": "Needs attention",
        "early_years": "Expected standard",
        "safeguarding": "Met",
        "category_of_concern": "None",
    },
    5: {  # Castle Hill: Urgent improvement in Leadership and governance -> Stabilise
        "inspection_date": dt.date(2026, 2, 3),
        "inclusion": "Needs attention",
        "curriculum_and_teaching": "Needs attention",
        "achievement": "Needs attention",
        "attendance_and_behaviour": "Needs attention",
        "personal_development_and_wellbeing": "Expected standard",
        "leadership_and_governance": "Urgent improvement",
        "safeguarding": "Met",
    },
}
# Pattern indices the planted exceptions use.
P_HOLLINS, P_ALDHELM, P_KINGSMEAD, P_CASTLE, P_OAKFIELD, P_WESTBURY, P_MILLBROOK, P_ELMWOOD, P_RIDGEWAY = 1, 2, 3, 5, 6, 7, 8, 9, 4


# --------------------------------------------------------------------------- fictional names
_FIRST = ("Amelia", "Ben", "Chloe", "Daniel", "Eleanor", "Farid", "Grace", "Harun", "Isla", "Jonah", "Kavita", "Liam",
          "Maya", "Nathan", "Olivia", "Priya", "Rhys", "Sophie", "Tobias", "Uma", "Vikram", "Wendy", "Yusuf", "Zara", "Callum")
_LAST = ("Ashdown", "Brierley", "Calloway", "Dunmore", "Ellery", "Fenwick", "Garside", "Holloway", "Ingleby", "Jessop",
         "Kettleby", "Lowther", "Marchbank", "Nettleford", "Ormerod", "Pennock", "Quarrie", "Redfern", "Stanwick",
         "Tolland", "Underhill", "Varley", "Whitcombe", "Yardley", "Zellick", "Abbotsley")
_PLACE_A = ("Ash", "Birch", "Cold", "Elm", "Fern", "Hazel", "Lark", "Maple", "Oak", "Pen", "Rose", "Stan",
            "Thorn", "Wil", "Brad", "Hart")
_PLACE_B = ("brook", "field", "ford", "ley", "more", "wood", "by", "hurst", "combe", "stead", "ton", "well")
_PLACE_EXTRA = ("", " Vale", " Park", " Green", " Hill", " Cross", " Heath", " Meadow")
_TYPES = {
    "Primary": ("Primary School", "Primary Academy", "CofE Primary School", "Community Primary School"),
    "Secondary": ("High School", "Academy", "School", "Community College"),
    "All-through": ("All-Through Academy", "All-Through School"),
}
_LAS = ("Severnshire", "Wyebridge", "Malvern Chase", "Forest Vale")


def _person(k: int) -> str:
    """The k-th fictional name: first and last names stepped so pairs repeat rarely."""
    return f"{_FIRST[k % len(_FIRST)]} {_LAST[(k * 7 + k // len(_FIRST)) % len(_LAST)]}"


def _school_name(i: int, phase: str, sixth_form: bool, order: list[str]) -> str:
    place = order[i % len(order)] + _PLACE_EXTRA[(i // len(order)) % len(_PLACE_EXTRA)]
    types = _TYPES.get(phase, ("School",))
    name = f"{place} {types[(i // 3) % len(types)]}"
    if sixth_form:
        name += " and Sixth Form"
    if i >= len(order) * len(_PLACE_EXTRA):
        name += f" ({i // (len(order) * len(_PLACE_EXTRA)) + 1})"
    return name


# --------------------------------------------------------------------------- calendar
class Calendar:
    """Working days and school days for the sample, from the policy's calendar settings.

    Working days exclude weekends and bank holidays in England (``holidays``), and, if the
    policy says so, school holidays and trust-wide closures (DOMAIN.md "Calendar rules").
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        years = range(2024, 2029)
        self.bank_holidays = set(holidays.country_holidays("GB", subdiv=policy.calendar.bank_holiday_subdivision, years=years))
        self.term_days: set[dt.date] = set()
        for halves in TERM_DATES.values():
            for start, end in halves:
                d = start
                while d <= end:
                    if d.weekday() < 5 and d not in self.bank_holidays:
                        self.term_days.add(d)
                    d += dt.timedelta(days=1)
        self.trust_closures = {d for d, _ in TRUST_CLOSURES}
        self.school_days = sorted(self.term_days - self.trust_closures)

    def is_working(self, d: dt.date) -> bool:
        cal = self.policy.calendar
        if d.weekday() >= 5 or d in self.bank_holidays:
            return False
        if cal.exclude_school_holidays and d not in self.term_days:
            return False
        return not (cal.exclude_closures and d in self.trust_closures)

    def add_working(self, d: dt.date, n: int) -> dt.date:
        """The date ``n`` working days after (n > 0) or before (n < 0) ``d``."""
        step = dt.timedelta(days=1 if n >= 0 else -1)
        for _ in range(abs(n)):
            d += step
            while not self.is_working(d):
                d += step
        return d

    def next_working(self, d: dt.date) -> dt.date:
        """The policy's non-working-day rule: move to the next (or previous) working day."""
        step = dt.timedelta(days=1 if self.policy.calendar.non_working_day_rule == "next" else -1)
        while not self.is_working(d):
            d += step
        return d

    def school_days_between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        lo = bisect_left(self.school_days, first)
        hi = bisect_left(self.school_days, last + dt.timedelta(days=1))
        return self.school_days[lo:hi]

    def month_days(self, year: str, month: int, *, until: dt.date | None = None) -> list[dt.date]:
        """School days in a calendar month of an academic year (term time, no closures)."""
        first = AcademicYear.parse(year).month_date(month)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if until is not None:
            last = min(last, until)
        return self.school_days_between(first, last)


def term_of(day: dt.date) -> tuple[str, str]:
    """(academic year, term) for a date: Autumn Sep-Dec, Spring Jan-Easter, Summer after."""
    year = AcademicYear.of(day).label
    halves = TERM_DATES.get(year)
    if halves is None or day < halves[2][0]:
        return year, "Autumn"
    if day < halves[4][0]:
        return year, "Spring"
    return year, "Summer"


def _term_span(year: str, term: str) -> tuple[dt.date, dt.date]:
    i = ("Autumn", "Spring", "Summer").index(term) * 2
    halves = TERM_DATES[year]
    return halves[i][0], halves[i + 1][1]


# --------------------------------------------------------------------------- text
_EVIDENCE: dict[str, dict[str, str]] = {
    "qi1": {
        "Sustain": "Latest inspection {ofsted}. No concerns raised since; safeguarding effective.",
        "Improve": "Latest inspection {ofsted}. Areas for improvement from the report are being addressed.",
        "Repair": "Latest inspection {ofsted}. Several areas need attention and progress on them is slow.",
        "Stabilise": "Latest inspection {ofsted}. The school is a cause for concern; monitoring inspection expected.",
    },
    "qi2": {
        "Sustain": "{ks} outcomes above national for all pupils; disadvantaged pupils close the gap year on year.",
        "Improve": "{ks} outcomes close to national; disadvantaged & SEN pupils remain below their peers.",
        "Repair": "{ks} outcomes well below national in {year}; current progress measures show little improvement.",
        "Stabilise": "{ks} outcomes in the lowest 10% nationally; in-year data shows groups falling further behind.",
    },
    "qi3": {
        "Sustain": "Senior leaders have an accurate view of the school; middle leaders drive improvement in their areas.",
        "Improve": "Leaders know the priorities; middle leadership is developing but not yet consistent.",
        "Repair": "Leadership capacity is thin; several key posts are interim and actions are not always followed through.",
        "Stabilise": "Leaders have not secured improvement; the headteacher post is covered by an interim arrangement.",
    },
    "qi4": {
        "Sustain": "Ambitious, well-sequenced curriculum in all subjects; stable, well-qualified staffing.",
        "Improve": "Curriculum is planned in most subjects; foundation subjects are still being sequenced.",
        "Repair": "Curriculum gaps in several subjects; reliance on supply staff in maths & science.",
        "Stabilise": "No coherent curriculum in several subjects; high staff turnover and vacancies.",
    },
    "qi5": {
        "Sustain": "Learning walks show consistently strong teaching; assessment is used well to adapt lessons.",
        "Improve": "Teaching is mostly good; checking for understanding is inconsistent in some classes.",
        "Repair": "Teaching is too variable; low-level disruption seen in a third of lessons visited.",
        "Stabilise": "Weak teaching in many lessons seen; pupils' work shows low expectations.",
    },
    "qi6": {
        "Sustain": "Attendance above national; persistent absence falling; suspensions rare.",
        "Improve": "Attendance slightly below national and improving slowly; persistent absence above national.",
        "Repair": "Attendance well below national; persistent absence high for disadvantaged pupils.",
        "Stabilise": "Attendance consistently low and not improving; suspensions well above national.",
    },
    "qi7": {
        "Sustain": "Governors challenge leaders effectively; statutory duties met.",
        "Improve": "Governors are supportive; challenge on outcomes for groups is developing.",
        "Repair": "Governance lacks the skills to hold leaders to account; a governance review is under way.",
        "Stabilise": "Governance ineffective; the trust has appointed an interim board.",
    },
}
_FOCI = ("phonics and early reading", "maths fluency in KS2", "writing across the curriculum", "SEND provision and EHC plan reviews",
         "behaviour and the rewards system", "attendance of disadvantaged pupils", "KS4 options and curriculum breadth",
         "assessment and feedback", "pupil premium strategy", "curriculum sequencing in foundation subjects",
         "sixth form study programmes", "early career teacher support")
_MIN_PURPOSE = {
    9: "Start-of-year visit: review the {prev} outcomes and agree the school improvement priorities for the year.",
    11: "Headteacher's appraisal with the chair of governors; review of autumn assessment information.",
    1: "Mid-year review of progress against the school development plan; autumn term attendance.",
    3: "Review of curriculum implementation and the pupil premium strategy.",
    6: "End-of-year review; agree targets and key lines of enquiry for next year.",
}
_OUTCOME_TEXT = {
    "Sustain": "Leaders' evaluation is accurate. Teaching seen was consistently strong and pupils were engaged.",
    "Improve": "Improvements are visible since the last visit; consistency across classes is the next step.",
    "Repair": "Some improvement in routines, but teaching remains variable and actions are behind schedule.",
    "Stabilise": "Urgent concerns remain about leadership capacity and behaviour; support must continue at full intensity.",
}


def _visit_text(rng: random.Random, role: str, month: int, designation: str, school: Row, *, minimum: bool, prev_year: str) -> dict[str, str]:
    focus = rng.choice(_FOCI)
    if role == "SIP" and minimum:
        purpose = _MIN_PURPOSE.get(month, "Termly SIP visit.").format(prev=prev_year)
    elif role == "SIP":
        purpose = f"Additional SIP visit focused on {focus}."
    elif role == "SIA":
        purpose = f"Intensive support visit: {focus}."
    elif role == "SLE":
        purpose = f"Specialist support for the subject leader: {focus}."
    else:
        purpose = f"Quality assurance of the support package; {focus}."
    head = school["headteacher"]
    activities = (
        f"Meeting with {head} (headteacher) and the senior team; "
        f"one-hour learning walk covering {rng.choice(('Years 3-6', 'Years 7-9', 'KS1 & KS2', 'Years 10 & 11'))}; "
        f"scrutiny of work in {rng.choice(('maths', 'English', 'science', 'history', 'geography'))}; "
        f"discussion with pupils and the {rng.choice(('SENDCo', 'attendance lead', 'curriculum lead', 'DSL'))}."
    )
    outcomes = _OUTCOME_TEXT[designation] + f" Attendance of pupils with attendance < 90% reviewed with the attendance lead ({focus})."
    recs = (
        f"1. Sharpen the action plan for {focus}, with measurable success criteria. "
        f"2. Middle leaders to monitor {rng.choice(('books', 'lessons', 'assessment data'))} half-termly. "
        "3. Report progress to the next Progress Board."
    )
    return {"purpose": purpose, "activities": activities, "outcomes": outcomes, "recommendations": recs}


# --------------------------------------------------------------------------- national figures
# England, approximately: (All pupils value, per-group offsets). Percent on 0-100.
_KS2_GROUP = {"All pupils": 0, "Disadvantaged": -14, "Not disadvantaged": 6, "SEN support": -37, "EHC plan": -52,
              "No SEN": 9, "EAL": -1, "Boys": -4, "Girls": 4}
_SCORE_GROUP = {"All pupils": 0, "Disadvantaged": -0.6, "Not disadvantaged": 0.25, "SEN support": -0.9, "EHC plan": -1.3,
                "No SEN": 0.2, "EAL": 0.3, "Boys": -0.2, "Girls": 0.2}
_NATIONAL_OUTCOMES: dict[str, tuple[float, str]] = {
    # measure: (All pupils 2024/25, group offset table: "pct" scales _KS2_GROUP, "score" scales _SCORE_GROUP)
    "RWM expected standard %": (62.0, "pct"),
    "RWM higher standard %": (8.0, "pct_small"),
    "Reading progress": (0.0, "score"),
    "Writing progress": (0.0, "score"),
    "Maths progress": (0.0, "score"),
    "Reading scaled score": (105.0, "scaled"),
    "Maths scaled score": (104.0, "scaled"),
    "Attainment 8": (45.9, "a8"),
    "Progress 8": (0.0, "score"),
    "English and maths 4+ %": (64.5, "pct"),
    "English and maths 5+ %": (45.5, "pct"),
    "EBacc APS": (4.07, "aps"),
    "A level APS": (35.8, "a8"),
    "A level value added": (0.0, "score"),
}
_GROUP_SCALE = {"pct": 1.0, "pct_small": 0.25, "score": 1.0, "scaled": 4.0, "a8": 12.0, "aps": 1.1}
# Attendance measures by phase: (attendance %, persistent absence %, severe absence %,
# suspension rate % per term, permanent exclusion rate % per term).
_NATIONAL_CLIMATE = {"Primary": (95.1, 14.0, 0.8, 0.6, 0.01), "Secondary": (91.2, 24.0, 3.4, 4.0, 0.06), "All schools": (93.0, 18.5, 2.0, 2.1, 0.03)}
_ATT_GROUP = {"All pupils": (0, 0), "Disadvantaged": (-2.5, 10), "Not disadvantaged": (1.0, -4), "SEN support": (-2.0, 8),
              "EHC plan": (-4.0, 15), "No SEN": (0.4, -2), "EAL": (0.6, -2), "Boys": (-0.1, 0.5), "Girls": (0.1, -0.5)}
_SUSP_GROUP = {"All pupils": 1.0, "Disadvantaged": 2.2, "Not disadvantaged": 0.6, "SEN support": 2.5, "EHC plan": 2.5,
               "No SEN": 0.7, "EAL": 0.6, "Boys": 1.5, "Girls": 0.5}
# How far a school of each designation sits from national (in "steps" the measures scale).
_QUALITY = {"Sustain": 0.7, "Improve": -0.5, "Repair": -1.5, "Stabilise": -2.2}
_MEASURE_STEP = {"percent": 6.0, "Reading progress": 0.4, "Writing progress": 0.4, "Maths progress": 0.4,
                 "Reading scaled score": 1.5, "Maths scaled score": 1.5, "Attainment 8": 3.0, "Progress 8": 0.35,
                 "EBacc APS": 0.3, "A level APS": 3.0, "A level value added": 0.3}
_ATTENDANCE_GAP = {"Sustain": 0.6, "Improve": -0.6, "Repair": -2.0, "Stabilise": -3.4}


def national_outcome(year: str, measure: str, group: str) -> float:
    base, kind = _NATIONAL_OUTCOMES[measure]
    drift = 0.0 if year == "2024/25" else (0.8 if MEASURE_INFO[measure]["unit"] == "percent" else 0.0)
    if kind in ("pct", "pct_small"):
        value = base + drift + _KS2_GROUP[group] * _GROUP_SCALE[kind]
        return round(min(100.0, max(0.0, value)), 0)
    return round(base + _SCORE_GROUP[group] * _GROUP_SCALE[kind], 2)


def national_climate(phase: str, group: str) -> dict[str, float]:
    att, pa, sa, susp, pex = _NATIONAL_CLIMATE[phase]
    da, dpa = _ATT_GROUP[group]
    return {
        "Attendance %": round(att + da, 1),
        "Persistent absence %": round(pa + dpa, 1),
        "Severe absence %": round(sa * (1 + dpa / 15), 1),
        "Suspension rate %": round(susp * _SUSP_GROUP[group], 2),
        "Permanent exclusion rate %": round(pex * _SUSP_GROUP[group], 3),
    }


def _published_places(measure: str) -> int:
    """Decimal places DfE publishes: KS2 progress 1, Progress 8 and value added 2."""
    if measure in ("Reading progress", "Writing progress", "Maths progress"):
        return 1
    return 2 if measure in ("Progress 8", "A level value added", "EBacc APS") else 1


def _split(total: int, wanted: list[int], caps: list[int]) -> list[int]:
    """Pupils per group that add up to ``total``: as wanted where possible, each between 0
    and its group's size; the difference is taken from the last group first."""
    got = [min(max(w, 0), c) for w, c in zip(wanted, caps, strict=True)]
    diff = total - sum(got)
    for i in reversed(range(len(got))):
        room = caps[i] - got[i] if diff > 0 else -got[i]
        move = min(diff, room) if diff > 0 else max(diff, room)
        got[i] += move
        diff -= move
    return got


def _consistent_groups(draw: dict[str, float], n: dict[str, int], percent: bool, places: int) -> dict[str, float | None]:
    """Group results that add up to All pupils (issue 9: the sample's groups must be
    consistent). Disadvantaged and Not disadvantaged are drawn, All pupils is what they add
    up to, then Boys (and SEN support, EHC plan) are drawn and their partners take the rest.
    Percentages are built from whole pupils, so they add up exactly before rounding."""
    if percent:
        def want(g: str) -> int:
            return round(min(100.0, max(0.0, draw[g])) / 100 * n[g])

        dis, nd = _split(want("Disadvantaged") + want("Not disadvantaged"), [want("Disadvantaged"), want("Not disadvantaged")], [n["Disadvantaged"], n["Not disadvantaged"]])
        total = dis + nd
        boys, girls = _split(total, [want("Boys"), want("Girls")], [n["Boys"], n["Girls"]])
        sen, ehc, no_sen = _split(total, [want("SEN support"), want("EHC plan"), want("No SEN")], [n["SEN support"], n["EHC plan"], n["No SEN"]])
        eal = min(max(want("EAL"), total - (n["All pupils"] - n["EAL"]), 0), n["EAL"], total)
        pupils = {"All pupils": total, "Disadvantaged": dis, "Not disadvantaged": nd, "SEN support": sen, "EHC plan": ehc,
                  "No SEN": no_sen, "EAL": eal, "Boys": boys, "Girls": girls}
        return {g: (round(100 * pupils[g] / n[g]) if n[g] else None) for g in PUPIL_GROUPS}
    v = dict(draw)
    total = n["All pupils"]
    v["All pupils"] = (n["Disadvantaged"] * v["Disadvantaged"] + n["Not disadvantaged"] * v["Not disadvantaged"]) / total
    v["Girls"] = (total * v["All pupils"] - n["Boys"] * v["Boys"]) / n["Girls"]
    v["No SEN"] = (total * v["All pupils"] - n["SEN support"] * v["SEN support"] - n["EHC plan"] * v["EHC plan"]) / n["No SEN"]
    return {g: round(v[g], places) for g in PUPIL_GROUPS}


def _benchmark_phase(school_phase: str) -> str:
    return {"Primary": "Primary", "Secondary": "Secondary"}.get(school_phase, "All schools")


def _key_stages(phase: str, sixth_form: bool) -> list[str]:
    stages = {"Primary": ["KS2"], "Secondary": ["KS4"], "All-through": ["KS2", "KS4"]}.get(phase, [])
    return stages + (["16-18"] if sixth_form else [])


# --------------------------------------------------------------------------- the result
@dataclass
class SampleTrust:
    """The sample's rows (sheet key -> records keyed by column key) and its planted facts."""

    rows: dict[str, list[Row]]
    planted: dict[str, Any] = field(default_factory=dict)

    @property
    def urns(self) -> list[int]:
        return [r["urn"] for r in self.rows["schools"]]


@dataclass
class _School:
    index: int
    pattern_index: int
    pattern: Pattern
    row: Row
    rng: random.Random
    designations: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def urn(self) -> int:
        return self.row["urn"]

    def designation_at_term(self, year: str, term: str) -> str:
        """The agreed designation for a term; for terms after the last assessed, the latest."""
        if (year, term) in self.designations:
            return self.designations[(year, term)]
        return self.designations[ASSESSED_TERMS[-1]]


class _Builder:
    def __init__(self, n_schools: int, seed: int, policy: Policy) -> None:
        self.policy = policy
        self.rng = random.Random(seed)
        self.seed = seed
        self.cal = Calendar(policy)
        self.rows: dict[str, list[Row]] = {}
        self.planted: dict[str, Any] = {
            "late_reports": {},
            "missing_reports": [],
            "missed_visits": [],
            "late_paperwork": {},
            "no_learning_walk": [],
            "off_rule_meetings": [],
            "designations": {},
            "recommendation_differs": [],
            "over_allocation": [],
            "under_delivery": [],
            "suppressed_values": [],
        }
        self.schools = self._schools(n_schools)
        self.used_days: dict[int, set[dt.date]] = {s.urn: set() for s in self.schools}
        self.school_closures: dict[int, set[dt.date]] = {}
        self.pb_dates: dict[tuple[int, str, int], dt.date] = {}  # (urn, year, month) -> PB date
        self.eit_dates: dict[tuple[str, int], dt.date] = {}  # (year, month) -> EIT date
        self.signoff: dict[tuple[int, str, str], dt.date] = {}  # (urn, year, term) -> EIT sign-off
        self.sip_plan: dict[tuple[int, str], list[int]] = {}  # (urn, year) -> months of planned SIP visits

    # ------------------------------------------------------------------ schools
    def _schools(self, n: int) -> list[_School]:
        taken = {p.name.split()[0] for p in PATTERNS}  # no "Oakfield Primary" beside Oakfield School
        places = [a + b for a in _PLACE_A for b in _PLACE_B if a + b not in taken]
        self.rng.shuffle(places)
        out = []
        for i in range(n):
            p_idx = i % len(PATTERNS)
            pat = PATTERNS[p_idx]
            srng = random.Random(f"{self.seed}-{i}")
            name = pat.name if i < len(PATTERNS) else _school_name(i - len(PATTERNS), pat.phase, pat.sixth_form, places)
            row = {
                "urn": FIRST_URN + i,
                "name": name,
                "phase": pat.phase,
                "sixth_form": "Yes" if pat.sixth_form else "No",
                "local_authority": _LAS[i % len(_LAS)],
                "headteacher": _person(3 * i + 11),
                "sip": _person(i // 2 + 1),
                "date_joined": pat.joined,
                "membership": pat.membership,
            }
            school = _School(i, p_idx, pat, row, srng)
            school.designations = dict(zip(ASSESSED_TERMS, pat.story, strict=True))
            out.append(school)
            self.planted["designations"][school.urn] = {f"{y} {t}": d for (y, t), d in school.designations.items()}
        self.rows["schools"] = [s.row for s in out]
        return out

    def _is_high_risk(self, d: str) -> bool:
        return self.policy.is_high_risk(d)

    # ------------------------------------------------------------------ term dates, closures
    def term_dates(self) -> None:
        self.rows["term_dates"] = [
            {"academic_year": year, "half_term": HALF_TERMS[i], "start": s, "end": e}
            for year, halves in TERM_DATES.items()
            for i, (s, e) in enumerate(halves)
        ]

    def closures(self) -> None:
        rows: list[Row] = [{"urn": None, "date": d, "reason": why} for d, why in TRUST_CLOSURES]
        for s in self.schools:
            for d, why in SCHOOL_CLOSURES.get(s.pattern_index, ()):
                rows.append({"urn": s.urn, "date": d, "reason": why})
                self.school_closures.setdefault(s.urn, set()).add(d)
        self.rows["closures"] = rows

    def _free_days(self, s: _School, days: list[dt.date]) -> list[dt.date]:
        closed = self.school_closures.get(s.urn, set())
        used = self.used_days[s.urn]
        return [d for d in days if d not in closed and d not in used]

    # ------------------------------------------------------------------ meetings
    def meetings(self) -> None:
        cal, pol = self.cal, self.policy.calendar
        rows: list[Row] = []
        rounds: list[tuple[str, int]] = [(YEARS[0], m) for m in sorted({*pol.progress_board_months_all, *pol.progress_board_months_high_risk}, key=lambda m: (m < 9, m))]
        rounds += [(YEARS[1], m) for m in sorted({*pol.progress_board_months_all, *pol.progress_board_months_high_risk}, key=lambda m: (m < 9, m))
                   if AcademicYear.parse(YEARS[1]).month_date(m) <= VISITS_UNTIL]
        last_pbs: dict[tuple[str, int], dt.date] = {}
        for year, month in rounds:
            first = cal.next_working(AcademicYear.parse(year).month_date(month, pol.planning_day_of_month))
            window = cal.school_days_between(first, first + dt.timedelta(days=14))[:8]
            term = term_of(first)
            members = [s for s in self.schools
                       if month in pol.progress_board_months_all
                       or (month in pol.progress_board_months_high_risk and self._is_high_risk(s.designation_at_term(*term)))]
            for s in members:
                day = s.rng.choice(window)
                self.pb_dates[(s.urn, year, month)] = day
                rows.append({"meeting_type": "Progress Board", "urn": s.urn, "date": day,
                             "notes": f"Termly review of designation, targets, support package and SDP delivery ({term[1]} {year})."})
            if members:
                last_pbs[(year, month)] = max(self.pb_dates[(s.urn, year, month)] for s in members)
        # The planted off-rule EIT: the first round (spring/summer 2025/26 preferred) where both
        # the rule's date and three days later are working days, so the slip is unambiguous.
        gap, late = pol.eit_days_after_progress_board, pol.eit_days_after_progress_board + 3
        candidates = sorted(last_pbs, key=lambda r: (r[0] != YEARS[0], r[1] not in (1, 3, 5, 6), rounds.index(r)))
        off_round = next((r for r in candidates
                          if cal.is_working(last_pbs[r] + dt.timedelta(days=gap)) and cal.is_working(last_pbs[r] + dt.timedelta(days=late))), None)
        for key, last_pb in last_pbs.items():
            eit = cal.next_working(last_pb + dt.timedelta(days=gap))
            note = "Designations, targets and support packages signed off after the Progress Board round."
            if key == off_round:
                eit = last_pb + dt.timedelta(days=late)
                note = "Meeting moved: CEO unavailable in the usual week."
                self.planted["off_rule_meetings"].append(
                    {"meeting_type": "EIT", "date": eit, "progress_board_last": last_pb, "days_after": late})
            self.eit_dates[key] = eit
            rows.append({"meeting_type": "EIT", "urn": None, "date": eit, "notes": note})
            sc = cal.next_working(eit + dt.timedelta(days=pol.standards_committee_days_after_eit))
            rows.append({"meeting_type": "Standards Committee", "urn": None, "date": sc, "notes": "Trust-wide standards report."})
        # Trust meetings: LSIP training, the monthly SIT meeting; per-school reviews.
        for year in YEARS:
            ay = AcademicYear.parse(year)
            for month in (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7):
                d = cal.next_working(ay.month_date(month, 4))
                if d > VISITS_UNTIL:
                    continue
                rows.append({"meeting_type": "SIT meeting", "urn": None, "date": d, "notes": "Monthly remote SIT meeting chaired by the Deputy CEO."})
                if month in pol.lsip_training_months:
                    t = cal.next_working(ay.month_date(month, pol.planning_day_of_month))
                    rows.append({"meeting_type": "LSIP training", "urn": None, "date": t, "notes": "LSIP training for SIPs."})
                reviews = [("Safeguarding audit", pol.safeguarding_audit_months), ("Pupil premium review", pol.pupil_premium_review_months),
                           ("Governor review", pol.governor_review_months)]
                for mtype, months in reviews:
                    if month not in months:
                        continue
                    days = cal.month_days(year, month, until=VISITS_UNTIL)
                    for s in self.schools:
                        free = self._free_days(s, days)
                        if free:
                            rows.append({"meeting_type": mtype, "urn": s.urn, "date": s.rng.choice(free), "notes": None})
        self.rows["meetings"] = rows

    # ------------------------------------------------------------------ assessments
    def _judgements(self, s: _School, year: str, term: str, designation: str, qi1: str) -> dict[str, str | None]:
        order = self.policy.designations.order
        rank = order.index(designation)
        j: dict[str, str | None] = {k: designation for k, _ in INDICATORS}
        j["qi1"] = qi1
        # Indicators the toolkit can judge from data (Ofsted, outcomes, climate) follow the
        # data; the reviewer-only ones vary a step either way around the story.
        others = ["qi3", "qi4", "qi5", "qi7"]
        rng = s.rng
        if s.pattern_index == P_WESTBURY and (year, term) == ASSESSED_TERMS[-1]:
            # Indicators best-fit Repair although EIT agrees Improve (agreed differs from proposal).
            return {"qi1": qi1, "qi2": "Repair", "qi3": "Repair", "qi4": "Repair", "qi5": "Repair", "qi6": "Improve", "qi7": "Improve"}
        if designation == "Stabilise":
            j.update({"qi2": "Repair", "qi3": "Stabilise", "qi4": "Repair", "qi5": "Repair", "qi6": "Stabilise", "qi7": "Repair"})
            return j
        a, b = rng.sample(others, 2)
        if rank + 1 < len(order):
            j[a] = order[rank + 1]
        if rank - 1 >= 0 and rng.random() < 0.7:
            j[b] = order[rank - 1]
        if s.pattern_index == P_CASTLE:
            j["qi6"] = "Stabilise"  # suspensions well above national all year
        if s.pattern_index == P_HOLLINS and (year, term) == ASSESSED_TERMS[-1]:
            j["qi6"] = None  # left blank: the toolkit suggests it from attendance data
        return j

    def _qi1(self, s: _School, day: dt.date) -> tuple[str, str]:
        """QI1 judgement and its evidence phrase from the latest inspection before ``day``."""
        card = REPORT_CARDS.get(s.pattern_index)
        if card and card["inspection_date"] <= day:
            grades = [v for k, v in card.items() if k not in ("inspection_date", "safeguarding", "category_of_concern")]
            when = f"{card['inspection_date']:%-d %b %Y}"
            if any(g in self.policy.proposal.report_card_limiting_grades for g in grades):
                return "Stabilise", f"report card {when}: Urgent improvement in Leadership and governance"
            n = grades.count("Needs attention")
            step = "Repair" if n >= self.policy.data_suggestions.report_card_needs_attention_repair else "Improve"
            return step, f"report card {when}: {n} areas Needs attention"
        date, overall, subs = s.pattern.legacy
        grade = overall if overall != "Not graded" else subs.get("quality_of_education", "Good")
        step = self.policy.data_suggestions.legacy_grade_steps[grade]
        return step, f"{overall} ({date:%b %Y})"

    def assessments(self) -> None:
        rows: list[Row] = []
        # Each term's assessment goes to the Progress Board round all schools attend that term.
        round_month: dict[str, int] = {}
        for m in self.policy.calendar.progress_board_months_all:
            round_month.setdefault(term_of(AcademicYear.parse(YEARS[0]).month_date(m, 15))[1], m)
        for s in self.schools:
            prev: str | None = None
            for year, term in ASSESSED_TERMS:
                agreed = s.designations[(year, term)]
                month = round_month[term]
                if s.pattern_index == P_CASTLE and (year, term) == ("2025/26", "Spring"):
                    month = 3  # assessed after the February 2026 report-card inspection
                pb = self.pb_dates[(s.urn, year, month)]
                assessed = self.cal.add_working(pb, -5)
                signoff = self.eit_dates[(year, month)]
                self.signoff[(s.urn, year, term)] = signoff
                qi1, ofsted = self._qi1(s, assessed)
                j = self._judgements(s, year, term, agreed, qi1)
                ks = "/".join(_key_stages(s.pattern.phase, s.pattern.sixth_form))
                row: Row = {"urn": s.urn, "academic_year": year, "term": term}
                for key, _ in INDICATORS:
                    judgement = j[key]
                    row[f"{key}_judgement"] = judgement
                    row[f"{key}_evidence"] = None if judgement is None else _EVIDENCE[key][judgement].format(ofsted=ofsted, ks=ks, year=OUTCOME_YEARS[-1])
                proposed = agreed
                rationale = "EIT agreed the proposed designation."
                if s.pattern_index == P_WESTBURY and (year, term) == ASSESSED_TERMS[-1]:
                    proposed = "Repair"
                    rationale = ("Indicators best-fit Repair, driven by weak 2025/26 outcomes. EIT agreed Improve: attendance is close "
                                 "to national, governance is strong, and autumn assessment shows Year 6 & Year 11 on track to recover.")
                elif agreed == "Stabilise" and prev != "Stabilise":
                    rationale = f"Ofsted {ofsted}: a limiting judgement. EIT agreed Stabilise."
                elif prev is not None and self._is_high_risk(prev) and not self._is_high_risk(agreed):
                    rationale = ("Indicators best-fit below High risk for the first time. EIT agreed the change and kept support "
                                 "at its current level until the improvement is secure.")
                row.update({
                    "assessor": s.row["sip"],
                    "assessment_date": assessed,
                    "proposed_designation": proposed,
                    "agreed_designation": agreed,
                    "eit_signoff_date": signoff,
                    "rationale": rationale,
                })
                rows.append(row)
                prev = agreed
        self.rows["assessments"] = rows

    def current_designation(self, s: _School, day: dt.date) -> str | None:
        """The agreed designation in force on ``day``: the latest one EIT had signed off."""
        best: tuple[dt.date, str] | None = None
        for (year, term), d in s.designations.items():
            signed = self.signoff[(s.urn, year, term)]
            if signed <= day and (best is None or signed > best[0]):
                best = (signed, d)
        return best[1] if best else None

    # ------------------------------------------------------------------ Ofsted
    def ofsted(self) -> None:
        legacy, cards = [], []
        subs_keys = ("quality_of_education", "behaviour_and_attitudes", "personal_development", "leadership_and_management")
        for s in self.schools:
            date, overall, subs = s.pattern.legacy
            base = overall if overall != "Not graded" else "Good"
            row: Row = {"urn": s.urn, "inspection_date": date, "inspection_type": "Graded", "overall_effectiveness": overall}
            for k in subs_keys:
                row[k] = subs.get(k, base)
            row["early_years"] = subs.get("early_years", base) if s.pattern.phase in ("Primary", "All-through") else None
            row["sixth_form"] = subs.get("sixth_form", base) if s.pattern.sixth_form else None
            row["safeguarding_effective"] = "Yes"
            row["category_of_concern"] = "None"
            legacy.append(row)
            card = REPORT_CARDS.get(s.pattern_index)
            if card:
                cards.append({"urn": s.urn, **card})
        self.rows["ofsted_legacy"] = legacy
        self.rows["ofsted_report_cards"] = cards

    # ------------------------------------------------------------------ outcomes, benchmarks, targets
    def _quality(self, s: _School, year: str) -> float:
        # Outcomes of a year reflect the designation the school held through it.
        term = ("2025/26", "Summer") if year == "2025/26" else ("2025/26", "Autumn")
        return _QUALITY[s.designations[term]]

    def _cohorts(self, s: _School, stage: str) -> dict[str, int]:
        rng = s.rng
        total = {"KS2": rng.randint(28, 62), "KS4": rng.randint(140, 240), "16-18": rng.randint(60, 120)}[stage]
        dis = round(total * rng.uniform(0.2, 0.45))
        ehc = max(1, round(total * rng.uniform(0.01, 0.04)))
        sen = round(total * rng.uniform(0.1, 0.18))
        boys = round(total * rng.uniform(0.46, 0.54))
        return {"All pupils": total, "Disadvantaged": dis, "Not disadvantaged": total - dis, "SEN support": sen,
                "EHC plan": ehc, "No SEN": total - sen - ehc, "EAL": round(total * rng.uniform(0.04, 0.3)),
                "Boys": boys, "Girls": total - boys}

    def outcomes(self) -> None:
        rows: list[Row] = []
        codes = {0: ("2025/26", "EHC plan", None, "x"), 2: ("2024/25", "EHC plan", "RWM higher standard %", "SUPP"),
                 4: ("2025/26", "EHC plan", "A level value added", "c")}
        for s in self.schools:
            rng = s.rng
            for year in OUTCOME_YEARS:
                q = self._quality(s, year)
                if (s.pattern_index == P_WESTBURY and year == OUTCOME_YEARS[-1]) or s.pattern_index == P_CASTLE:
                    q = _QUALITY["Repair"]  # Westbury: the weak 2025/26 results behind its Repair best fit
                for stage in _key_stages(s.pattern.phase, s.pattern.sixth_form):
                    cohorts = self._cohorts(s, stage)
                    for measure, ks, unit, _ in MEASURES:
                        if ks != stage:
                            continue
                        step = _MEASURE_STEP["percent" if unit == "percent" else measure]

                        # One draw per group, in the schema's order (as the generator always has,
                        # so every later random choice in the sample is unchanged).
                        raw = {g: national_outcome(year, measure, g) + q * step + rng.gauss(0, step / 4) for g in PUPIL_GROUPS}
                        values = _consistent_groups(raw, cohorts, unit == "percent", _published_places(measure))
                        for group in PUPIL_GROUPS:
                            n = cohorts[group]
                            value: Any = values[group]
                            row: Row = {"urn": s.urn, "academic_year": year, "measure": measure, "pupil_group": group, "cohort": n, "value": value}
                            code = codes.get(s.pattern_index)
                            if code and code[0] == year and code[1] == group and code[2] in (None, measure):
                                row["value"] = code[3]
                                self.planted["suppressed_values"].append((s.urn, year, measure, group, code[3]))
                            elif value is not None:
                                row.update(self._interval(measure, group, value, n))
                            rows.append(row)
        self.rows["outcomes"] = rows

    def _interval(self, measure: str, group: str, value: float, n: int) -> Row:
        """A progress score's 95% interval (DfE's method: +/- 1.96 x sd / sqrt(n)) and, for
        All pupils, DfE's band, as the performance tables publish them."""
        sig = self.policy.significance
        scale = sig.progress.get(measure)
        if scale is None or not n:
            return {}
        places = _published_places(measure)
        half = 1.959964 * scale.pupil_sd / n ** 0.5
        lower, upper = round(value - half, places), round(value + half, places)
        out: Row = {"ci_lower": lower, "ci_upper": upper}
        if group == "All pupils":
            if lower <= 0 <= upper:
                band = 2
            elif lower > 0:
                band = 0 if value >= scale.well_above else 1
            else:
                band = 4 if value <= scale.well_below else 3
            out["band"] = PROGRESS_BANDS[band]
        return out

    def benchmarks(self) -> None:
        rows: list[Row] = []
        for year in OUTCOME_YEARS:
            for phase, stages in (("Primary", ("KS2",)), ("Secondary", ("KS4", "16-18")), ("All schools", ("16-18",))):
                for measure, ks, _, _ in MEASURES:
                    if ks in stages:
                        for group in PUPIL_GROUPS:
                            rows.append({"academic_year": year, "phase": phase, "measure": measure, "pupil_group": group,
                                         "value": national_outcome(year, measure, group)})
        for year in (*OUTCOME_YEARS, YEARS[1]):
            for phase in _NATIONAL_CLIMATE:
                for group in PUPIL_GROUPS:
                    for measure, value in national_climate(phase, group).items():
                        rows.append({"academic_year": year, "phase": phase, "measure": measure, "pupil_group": group, "value": value})
        self.rows["benchmarks"] = rows

    def attendance(self) -> None:
        rows: list[Row] = []
        self._attendance_all: dict[tuple[int, str, str], Row] = {}
        for s in self.schools:
            rng = s.rng
            phase = _benchmark_phase(s.pattern.phase)
            roll = {"Primary": rng.randint(190, 420), "Secondary": rng.randint(850, 1450)}.get(s.pattern.phase, rng.randint(1500, 1900))
            split = self._cohorts(s, "KS4")
            shares = {g: split[g] / split["All pupils"] for g in PUPIL_GROUPS}
            for t_i, (year, term) in enumerate(ASSESSED_TERMS):
                d = s.designations[(year, term)]
                gap = _ATTENDANCE_GAP[d] + rng.uniform(-0.2, 0.2)
                if s.pattern_index == P_CASTLE:
                    gap = -2.8 - 0.6 * t_i  # poor and declining
                susp_ratio = 2.5 if s.pattern_index == P_CASTLE else {"Sustain": 0.6, "Improve": 1.1, "Repair": 1.5, "Stabilise": 2.5}[d]
                for group in PUPIL_GROUPS:
                    nat = national_climate(phase, group)
                    n = max(1, round(roll * shares[group]))
                    att = round(min(99.5, nat["Attendance %"] + gap), 1)
                    pa = round(max(0.0, nat["Persistent absence %"] - gap * 2.2), 1)
                    sa = round(max(0.0, nat["Severe absence %"] - gap * 0.4), 1)
                    susp = round(n * nat["Suspension rate %"] * susp_ratio / 100 * rng.uniform(0.9, 1.1))
                    pex = 1 if (s.pattern_index == P_CASTLE and group in ("All pupils", "Disadvantaged", "Boys") and t_i in (1, 3)) else 0
                    row = {"urn": s.urn, "academic_year": year, "term": term, "pupil_group": group, "cohort": n,
                           "attendance_pct": att, "persistent_absence_pct": pa, "severe_absence_pct": sa,
                           "suspensions": susp, "permanent_exclusions": pex}
                    rows.append(row)
                    if group == "All pupils":
                        self._attendance_all[(s.urn, year, term)] = row
        self.rows["attendance"] = rows

    def targets(self) -> None:
        rows: list[Row] = []
        headline = {"KS2": ("RWM expected standard %", "RWM higher standard %"), "KS4": ("Attainment 8", "Progress 8", "English and maths 4+ %"),
                    "16-18": ("A level APS",)}
        outcome_value = {(r["urn"], r["academic_year"], r["measure"], r["pupil_group"]): r["value"] for r in self.rows["outcomes"]}
        for s in self.schools:
            phase = _benchmark_phase(s.pattern.phase)
            for year, base_year in zip(YEARS, OUTCOME_YEARS, strict=True):
                for stage in _key_stages(s.pattern.phase, s.pattern.sixth_form):
                    for measure in headline[stage]:
                        for group in ("All pupils", "Disadvantaged"):
                            prior = outcome_value.get((s.urn, base_year, measure, group))
                            if not isinstance(prior, int | float):
                                prior = national_outcome(base_year, measure, group)
                            lift = 3 if MEASURE_INFO[measure]["unit"] == "percent" else (0.15 if "Progress" in measure else 1.0)
                            target = min(100.0, round(max(prior + lift, national_outcome(base_year, measure, group) - 2 * lift), 1))
                            rows.append({"urn": s.urn, "academic_year": year, "measure": measure, "pupil_group": group, "target": target})
                autumn = self._attendance_all[(s.urn, year, "Autumn")]
                nat = national_climate(phase, "All pupils")
                for measure, value, better in (("Attendance %", autumn["attendance_pct"], 0.8), ("Persistent absence %", autumn["persistent_absence_pct"], -2.0)):
                    rows.append({"urn": s.urn, "academic_year": year, "measure": measure, "pupil_group": "All pupils", "target": round(value + better, 1)})
                rows.append({"urn": s.urn, "academic_year": year, "measure": "Suspension rate %", "pupil_group": "All pupils",
                             "target": round(max(nat["Suspension rate %"], 100 * autumn["suspensions"] / autumn["cohort"] * 0.8), 2)})
        self.rows["targets"] = rows

    # ------------------------------------------------------------------ visits
    def _visit(self, s: _School, role: str, visitor: str, start: dt.date, *, days: int = 1, mode: str = "On-site",
               minimum: bool = False, designation: str) -> Row:
        cal, pol = self.cal, self.policy.calendar
        end = start
        for _ in range(days - 1):
            end = cal.add_working(end, 1)
        for d in self.cal.school_days_between(start, end):
            self.used_days[s.urn].add(d)
        year, _ = term_of(start)
        prev_year = AcademicYear(AcademicYear.parse(year).start_year - 1).label
        rng = s.rng
        row: Row = {"visit_id": None, "urn": s.urn, "role": role, "visitor": visitor, "status": "Held", "mode": mode,
                    "visit_start": start, "visit_end": end, "days": days,
                    "learning_walk": "Yes" if mode == "On-site" and role == "SIP" else ("No" if role == "SIP" else None),
                    "paperwork_received": None,
                    "report_sent": cal.add_working(end, rng.randint(0, pol.report_working_days_after))}
        if role in pol.paperwork_roles:
            row["paperwork_received"] = cal.add_working(start, -(pol.paperwork_working_days_before + rng.randint(0, 4)))
        row.update(_visit_text(rng, role, start.month, designation, s.row, minimum=minimum, prev_year=prev_year))
        row["recommended_designation"] = None
        if minimum:
            by_date = self.current_designation(s, start)
            by_term = s.designation_at_term(*term_of(start))
            if by_date == by_term:
                row["recommended_designation"] = by_term
        return row

    def _pick(self, s: _School, days: list[dt.date]) -> dt.date | None:
        free = self._free_days(s, days)
        return s.rng.choice(free) if free else None

    def visits(self) -> None:
        pol = self.policy.calendar
        cal = self.cal
        visits: list[Row] = []
        planted_rows: dict[str, list[tuple[Row, Any]]] = {k: [] for k in ("late", "missing", "paper", "walk", "differs")}
        # The last day a visit may start so that its report is due by VISITS_UNTIL.
        last_start = cal.add_working(VISITS_UNTIL, -pol.report_working_days_after - 2)
        sia_pool = [_person(400 + k) for k in range(max(3, len(self.schools) // 4))]
        lsip = _person(500)
        for s in self.schools:
            minimum_rows: dict[tuple[str, int], Row] = {}
            for year in YEARS:
                ay = AcademicYear.parse(year)
                # Minimum SIP visits, one a month, on site with the learning walk.
                for month in pol.minimum_visit_months:
                    if ay.month_date(month) > last_start:
                        continue
                    if s.pattern_index == P_KINGSMEAD and (year, month) == ("2025/26", 3):
                        self.planted["missed_visits"].append((s.urn, year, month))
                        continue
                    day = self._pick(s, cal.month_days(year, month, until=last_start))
                    if day is None:
                        continue
                    d = s.designation_at_term(*term_of(day))
                    v = self._visit(s, "SIP", s.row["sip"], day, minimum=True, designation=d)
                    visits.append(v)
                    minimum_rows[(year, month)] = v
                # Extra SIP visits up to the designation's SIP days.
                package = self.policy.package(s.designation_at_term(year, "Autumn"))
                extra = int(package.sip_days_per_year) - len(pol.minimum_visit_months)
                if package.sip_days_up_to:
                    extra = max(0, extra - s.rng.randint(1, 2))
                extra_months = [m for m in (10, 12, 2, 4, 7, 5) if m not in pol.minimum_visit_months][:max(0, extra)]
                self.sip_plan[(s.urn, year)] = [*pol.minimum_visit_months, *extra_months]
                for month in extra_months:
                    if ay.month_date(month) > last_start:
                        continue
                    day = self._pick(s, cal.month_days(year, month, until=last_start))
                    if day is None:
                        continue
                    mode = "Remote" if s.rng.random() < 0.3 else "On-site"
                    visits.append(self._visit(s, "SIP", s.row["sip"], day, mode=mode, designation=s.designation_at_term(*term_of(day))))
            # SIA visits by term: High risk several a term (one two days long), Improve one a term.
            sia = sia_pool[s.index % len(sia_pool)]
            for year, term in ASSESSED_TERMS:
                d = s.designations[(year, term)]
                first, last = _term_span(year, term)
                days = cal.school_days_between(first, min(last, last_start))
                if self._is_high_risk(d):
                    plan = [2, 1, 1]
                elif self.policy.package(d).sia_days > 0:
                    plan = [1]
                else:
                    plan = []
                for length in plan:
                    free = self._free_days(s, days)
                    if length == 2:
                        free_set = set(free)
                        free = [x for x in free if cal.add_working(x, 1) in free_set]
                    if not free:
                        continue
                    visits.append(self._visit(s, "SIA", sia, s.rng.choice(free), days=length, designation=d))
                if self._is_high_risk(d) and term == "Spring":
                    day = self._pick(s, days)
                    if day:
                        visits.append(self._visit(s, "SLE", _person(450 + s.index % 5), day, designation=d))
                if self._is_high_risk(d) and term == "Summer":
                    day = self._pick(s, days)
                    if day:
                        visits.append(self._visit(s, "LSIP", lsip, day, designation=d))
            # Planted exceptions (each pattern school carries its own).
            p = s.pattern_index
            if p == P_HOLLINS and ("2025/26", 11) in minimum_rows:
                planted_rows["late"].append((minimum_rows[("2025/26", 11)], 1))
            if p == P_MILLBROOK and ("2026/27", 9) in minimum_rows:
                planted_rows["late"].append((minimum_rows[("2026/27", 9)], 5))
            if p == P_CASTLE:
                sias = [v for v in visits if v["urn"] == s.urn and v["role"] == "SIA" and term_of(v["visit_start"]) == ("2025/26", "Spring")]
                if sias:
                    planted_rows["late"].append((sias[0], 2))
            if p == P_WESTBURY and ("2026/27", 9) in minimum_rows:
                planted_rows["missing"].append((minimum_rows[("2026/27", 9)], None))
            if p == P_ALDHELM and ("2025/26", 1) in minimum_rows:
                planted_rows["paper"].append((minimum_rows[("2025/26", 1)], 2))
            if p == P_ELMWOOD and ("2026/27", 11) in minimum_rows:
                planted_rows["paper"].append((minimum_rows[("2026/27", 11)], 4))
            if p == P_OAKFIELD and ("2025/26", 1) in minimum_rows:
                planted_rows["walk"].append((minimum_rows[("2025/26", 1)], None))
            if p == P_MILLBROOK and ("2025/26", 3) in minimum_rows:
                planted_rows["differs"].append((minimum_rows[("2025/26", 3)], None))

        visits.sort(key=lambda v: (v["visit_start"], v["urn"], v["role"]))
        width = max(4, len(str(len(visits))))
        for i, v in enumerate(visits, start=1):
            v["visit_id"] = f"V{i:0{width}d}"
        allowed = pol.report_working_days_after
        for v, late in planted_rows["late"]:
            v["report_sent"] = cal.add_working(v["visit_end"], allowed + late)
            self.planted["late_reports"][v["visit_id"]] = late
        for v, _ in planted_rows["missing"]:
            v["report_sent"] = None
            v.update({"purpose": None, "activities": None, "outcomes": None, "recommendations": None, "recommended_designation": None})
            self.planted["missing_reports"].append(v["visit_id"])
        for v, short in planted_rows["paper"]:
            v["paperwork_received"] = cal.add_working(v["visit_start"], -(pol.paperwork_working_days_before - short))
            self.planted["late_paperwork"][v["visit_id"]] = short
        for v, _ in planted_rows["walk"]:
            v["learning_walk"] = "No"
            v["activities"] = v["activities"].replace("one-hour learning walk covering", "no learning walk (mocks in the hall); meetings about")
            self.planted["no_learning_walk"].append(v["visit_id"])
        order = self.policy.designations.order
        for v, _ in planted_rows["differs"]:
            s = self.schools[v["urn"] - FIRST_URN]
            current = self.current_designation(s, v["visit_start"])
            better = order[min(len(order) - 1, order.index(current) + 1)]
            v["recommended_designation"] = better
            self.planted["recommendation_differs"].append(v["visit_id"])
        self.rows["visits"] = visits

    # ------------------------------------------------------------------ deployments, SDP
    def deployments(self) -> None:
        rows: list[Row] = []
        sip_days: dict[tuple[int, str, str], float] = {}
        for v in self.rows["visits"]:
            if v["role"] == "SIP":
                key = (v["urn"], *term_of(v["visit_start"]))
                sip_days[key] = sip_days.get(key, 0) + v["days"]
        current = ASSESSED_TERMS[-1]
        weeks = self.policy.capacity.weeks_per_term
        dhts = [_person(300 + k) for k in range(max(4, self.policy.capacity.mat_wide_dhts))]
        directors = [_person(350 + k) for k in range(max(3, self.policy.capacity.directors_of_subject))]
        deputy_ceo = _person(520)
        for s in self.schools:
            rng = s.rng
            for year, term in ASSESSED_TERMS:
                d = s.designations[(year, term)]
                pkg = self.policy.package(d)
                frac = (0.65, 0.8) if (year, term) == current else (0.85, 1.0)
                share = {"Autumn": 0.4, "Spring": 0.3, "Summer": 0.3}[term]
                ay = AcademicYear.parse(year)
                # One day per planned SIP visit month in the term.
                sip_plan = sum(1 for m in self.sip_plan[(s.urn, year)] if term_of(ay.month_date(m, 15))[1] == term)
                if s.pattern_index == P_RIDGEWAY and year == YEARS[0]:
                    sip_plan += 1  # one more day every term: above the Improve allocation for the year
                used = sip_days.get((s.urn, year, term), 0.0)
                rows.append({"urn": s.urn, "academic_year": year, "term": term, "person": s.row["sip"], "role": "SIP",
                             "days_planned": float(sip_plan), "days_used": float(used)})
                if pkg.sia_days_per == "term":
                    sia_plan = pkg.sia_days
                else:  # a yearly allocation: what is left of it this year, spread over the terms
                    so_far = sum(r["days_planned"] for r in rows if r["urn"] == s.urn and r["academic_year"] == year and r["role"] == "SIA")
                    sia_plan = max(0, min(round(pkg.sia_days * share), pkg.sia_days - so_far))
                if sia_plan:
                    sia_used = round(sia_plan * rng.uniform(*frac))
                    if s.pattern_index == P_CASTLE and (year, term) == current:
                        sia_used = 6  # well below the 20 planned: under-delivery
                        self.planted["under_delivery"].append({"urn": s.urn, "academic_year": year, "term": term, "role": "SIA",
                                                               "days_planned": float(sia_plan), "days_used": float(sia_used)})
                    rows.append({"urn": s.urn, "academic_year": year, "term": term, "person": _person(400 + s.index % max(3, len(self.schools) // 4)),
                                 "role": "SIA", "days_planned": float(sia_plan), "days_used": float(sia_used)})
                n_dht = pkg.mat_wide_dhts[1] if d == "Stabilise" else pkg.mat_wide_dhts[0]
                for k in range(n_dht):
                    plan = pkg.mat_wide_dht_days_per_week * weeks
                    rows.append({"urn": s.urn, "academic_year": year, "term": term, "person": dhts[(s.index + k) % len(dhts)],
                                 "role": "MAT-wide Deputy Headteacher", "days_planned": float(plan), "days_used": float(round(plan * rng.uniform(*frac)))})
                for k in range(pkg.directors_of_subject):
                    rows.append({"urn": s.urn, "academic_year": year, "term": term, "person": directors[(s.index + k) % len(directors)],
                                 "role": "Director of Subject", "days_planned": 10.0, "days_used": float(round(10 * rng.uniform(*frac)))})
                if pkg.deputy_ceo_intensive:
                    rows.append({"urn": s.urn, "academic_year": year, "term": term, "person": deputy_ceo, "role": "Deputy CEO",
                                 "days_planned": 15.0, "days_used": float(round(15 * rng.uniform(*frac)))})
            if s.pattern_index == P_RIDGEWAY:
                planned = sum(r["days_planned"] for r in rows if r["urn"] == s.urn and r["role"] == "SIP" and r["academic_year"] == YEARS[0])
                self.planted["over_allocation"].append({"urn": s.urn, "academic_year": YEARS[0], "role": "SIP", "days_planned": planned,
                                                        "allocation": self.policy.package("Improve").sip_days_per_year})
        self.rows["deployments"] = rows

    def sdp_actions(self) -> None:
        priorities = (
            ("Raise attainment in reading", "Daily phonics catch-up for pupils below the expected standard; fortnightly assessment."),
            ("Improve attendance", "Attendance officer to meet families of persistently absent pupils weekly; rewards for 97%+."),
            ("Close gaps for disadvantaged pupils", "Targeted tutoring in maths & English for disadvantaged pupils in Years 5-6 / 10-11."),
            ("Strengthen middle leadership", "Subject leaders complete NPQ modules; monthly line-management meetings with SLT."),
            ("Embed the behaviour policy", "Relaunch the behaviour policy; weekly analysis of incidents; restorative conversations."),
            ("Improve SEND provision", "Review every SEN support plan termly with parents; train TAs in adaptive teaching."),
            ("Develop the curriculum in foundation subjects", "Sequence history, geography & RE schemes; knowledge organisers for each unit."),
        )
        rows: list[Row] = []
        for s in self.schools:
            rng = s.rng
            for year in YEARS:
                d = s.designation_at_term(year, "Autumn")
                chosen = rng.sample(priorities, rng.randint(4, 6))
                ay = AcademicYear.parse(year)
                for priority, action in chosen:
                    # Some of this year's actions fall due in the autumn, so a few are overdue by November.
                    due = self.cal.next_working(ay.month_date(rng.choice((10, 11, 12, 2, 3, 5, 7)), rng.randint(1, 25)))
                    if year == YEARS[0]:
                        rag = rng.choices(("Complete", "Green", "Amber", "Red"), (6, 2, 1, 1 if d in ("Repair", "Stabilise") else 0))[0]
                    else:
                        weights = {"Sustain": (1, 6, 2, 0), "Improve": (0, 4, 4, 1), "Repair": (0, 2, 4, 3), "Stabilise": (0, 1, 3, 5)}[d]
                        rag = rng.choices(("Complete", "Green", "Amber", "Red"), weights)[0]
                    rows.append({"urn": s.urn, "academic_year": year, "priority": priority, "action": action,
                                 "owner": rng.choice(("Headteacher", "Deputy headteacher", "SENDCo", "Attendance lead", "English lead", "Maths lead")),
                                 "due_date": due, "rag": rag})
        self.rows["sdp_actions"] = rows

    def build(self) -> SampleTrust:
        self.term_dates()
        self.closures()
        self.meetings()
        self.assessments()
        self.ofsted()
        self.outcomes()
        self.benchmarks()
        self.attendance()
        self.targets()
        self.visits()
        self.deployments()
        self.sdp_actions()
        self.planted["trust_name"] = TRUST_NAME
        return SampleTrust(rows=self.rows, planted=self.planted)


def generate(n_schools: int = 10, seed: int = 2026, *, policy: Policy | None = None) -> SampleTrust:
    """The sample trust's rows and planted facts; the same arguments give the same rows."""
    if n_schools < 1:
        raise ValueError("n_schools must be at least 1")
    return _Builder(n_schools, seed, policy or default_policy()).build()


def write_sample(path: str | Path, n_schools: int = 10, seed: int = 2026, *, policy: Policy | None = None) -> SampleTrust:
    """Generate the sample trust and write it as a tracker workbook (atomically)."""
    from toolkit.tracker.template import write_tracker

    trust = generate(n_schools, seed, policy=policy)
    write_tracker(path, trust.rows, policy=policy)
    return trust
