"""The trust tracker's shape: every sheet, column and closed vocabulary, declared once.

The template writer, the validating reader, the sample generator and the docs all read
this module, so a column added here appears everywhere at once (pandera-style: the
declaration is the API; the machinery lives in ``template``, ``workbook`` and ``sample``).

Column keys (``urn``, ``visit_start`` ...) are the names used in the typed pandas tables;
headers are what the data manager sees in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a cell is parsed and checked."""

    URN = "urn"  # 6-digit unique reference number (GIAS)
    TEXT = "text"  # short free text (names, roles)
    LONGTEXT = "longtext"  # evidence, notes, recommendations: escaped on render
    CHOICE = "choice"  # closed vocabulary -> dropdown fed from the Lists sheet
    DATE = "date"
    INT = "int"  # whole numbers (cohort sizes, counts)
    NUMBER = "number"  # decimals (scores, days)
    PERCENT = "percent"  # 0-100 scale; 0.93, 93 and "93%" all read as 93
    YESNO = "yesno"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind
    help: str
    required: bool = False
    vocab: str | None = None  # name of a list in VOCABULARIES, for CHOICE
    suppressible: bool = False  # DfE suppression codes allowed; kept as suppressed, never 0
    width: int = 16
    minimum: float | None = None
    maximum: float | None = None
    # Added after trackers were in use: a tracker without the column reads it as blank,
    # without a warning (old trackers keep working).
    may_be_absent: bool = False


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str  # the Excel sheet name
    purpose: str  # one line for the Instructions sheet
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # column keys that identify a row (duplicates are errors)
    example: dict[str, object] = field(default_factory=dict)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.title} has no column {key!r}")

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


# --------------------------------------------------------------------------- vocabularies
# Spellings here are canonical: the reader maps any case / spacing variant onto them.

LEGACY_GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")
REPORT_CARD_GRADES = (
    "Exceptional",
    "Strong standard",
    "Expected standard",
    "Needs attention",
    "Urgent improvement",
)

INDICATORS: tuple[tuple[str, str], ...] = (
    ("qi1", "Ofsted categorisation"),
    ("qi2", "Outcomes and current progress measures"),
    ("qi3", "Leadership capability and capacity"),
    ("qi4", "Curriculum and staffing"),
    ("qi5", "Teaching, learning and assessment"),
    ("qi6", "Climate for learning"),
    ("qi7", "Governance"),
)
INDICATOR_SHORT = {
    "qi1": "Ofsted",
    "qi2": "Outcomes",
    "qi3": "Leadership",
    "qi4": "Curriculum",
    "qi5": "Teaching",
    "qi6": "Climate",
    "qi7": "Governance",
}

# Outcome measures: (name, key stage, unit, higher_is_better)
MEASURES: tuple[tuple[str, str, str, bool], ...] = (
    ("RWM expected standard %", "KS2", "percent", True),
    ("RWM higher standard %", "KS2", "percent", True),
    ("Reading progress", "KS2", "score", True),
    ("Writing progress", "KS2", "score", True),
    ("Maths progress", "KS2", "score", True),
    ("Reading scaled score", "KS2", "score", True),
    ("Maths scaled score", "KS2", "score", True),
    ("Attainment 8", "KS4", "score", True),
    ("Progress 8", "KS4", "score", True),
    ("English and maths 4+ %", "KS4", "percent", True),
    ("English and maths 5+ %", "KS4", "percent", True),
    ("EBacc APS", "KS4", "score", True),
    ("A level APS", "16-18", "score", True),
    ("A level value added", "16-18", "score", True),
)
# Attendance and behaviour measures, as named in Benchmarks and Targets.
CLIMATE_MEASURES: tuple[tuple[str, str, str, bool], ...] = (
    ("Attendance %", "All", "percent", True),
    ("Persistent absence %", "All", "percent", False),
    ("Severe absence %", "All", "percent", False),
    ("Suspension rate %", "All", "percent", False),
    ("Permanent exclusion rate %", "All", "percent", False),
)
ALL_MEASURES = MEASURES + CLIMATE_MEASURES
MEASURE_INFO = {m[0]: {"key_stage": m[1], "unit": m[2], "higher_is_better": m[3]} for m in ALL_MEASURES}

PUPIL_GROUPS = (
    "All pupils",
    "Disadvantaged",
    "Not disadvantaged",
    "SEN support",
    "EHC plan",
    "No SEN",
    "EAL",
    "Boys",
    "Girls",
)
# For each group, the group it is compared with as "the other pupils".
GROUP_COMPLEMENT = {
    "Disadvantaged": "Not disadvantaged",
    "Not disadvantaged": "Disadvantaged",
    "SEN support": "No SEN",
    "EHC plan": "No SEN",
    "Boys": "Girls",
    "Girls": "Boys",
}

# DfE's progress bands, best first: code 1 is "Well above average" ... 5 "Well below average".
PROGRESS_BANDS = ("Well above average", "Above average", "Average", "Below average", "Well below average")

HALF_TERMS = ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2")
TERMS = ("Autumn", "Spring", "Summer")
ACADEMIC_YEARS = tuple(f"{y}/{(y + 1) % 100:02d}" for y in range(2015, 2036))

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "academic_year": ACADEMIC_YEARS,
    "term": TERMS,
    "half_term": HALF_TERMS,
    "phase": ("Nursery", "Primary", "Middle", "Secondary", "All-through", "Special", "Alternative provision", "16 plus"),
    "membership": ("Member", "Prospective joiner"),
    "yesno": ("Yes", "No"),
    # The four-step scale: each indicator is judged best-fit against a designation's descriptors.
    "designation": ("Stabilise", "Repair", "Improve", "Sustain"),
    "legacy_grade": LEGACY_GRADES,
    "legacy_overall": (*LEGACY_GRADES, "Not graded"),
    "report_card_grade": REPORT_CARD_GRADES,
    "safeguarding": ("Met", "Not met"),
    "category_of_concern": ("None", "Serious weaknesses", "Special measures"),
    "inspection_type": ("Graded", "Ungraded", "Monitoring", "Report card"),
    "key_stage": ("KS2", "KS4", "16-18"),
    "measure": tuple(m[0] for m in ALL_MEASURES),
    "outcome_measure": tuple(m[0] for m in MEASURES),
    "pupil_group": PUPIL_GROUPS,
    # Special and Alternative provision: national figures for that kind of school, the only
    # ones such a school is compared with (policy significance.separate_benchmark_phases).
    "benchmark_phase": ("Primary", "Secondary", "All schools", "Special", "Alternative provision"),
    # DfE performance-table progress bands (codes 1-5 in the CSVs, *_DESCR and P8_BANDING).
    "progress_band": PROGRESS_BANDS,
    "visit_role": ("SIP", "SIA", "LSIP", "SLE", "Deputy CEO", "Other SIT"),
    "visit_mode": ("On-site", "Remote"),
    "visit_status": ("Held", "Planned", "Cancelled"),
    "sit_role": (
        "Deputy CEO",
        "MAT-wide Deputy Headteacher",
        "Director of Subject",
        "SIA",
        "SIP",
        "SLE",
        "Trust lead",
        "External provider",
    ),
    "rag": ("Red", "Amber", "Green", "Complete"),
    "meeting_type": (
        "Progress Board",
        "EIT",
        "Standards Committee",
        "SIT meeting",
        "LSIP training",
        "Governor review",
        "Safeguarding audit",
        "Pupil premium review",
    ),
}

# Codes DfE and schools use for a value that exists but is withheld or not applicable.
# The reader keeps them as suppressed (NaN plus the code in ``<key>_code``), never as 0.
SUPPRESSION_CODES = ("x", "c", "z", "u", "supp", "ne", "np", "na", "n/a", "low", "lowcov", "-", ":", "..")


def _c(key: str, header: str, kind: Kind, help: str, **kw: object) -> Column:
    return Column(key=key, header=header, kind=kind, help=help, **kw)  # type: ignore[arg-type]


URN = _c("urn", "URN", Kind.URN, "The school's 6-digit URN from Get Information About Schools.", required=True, width=10)
YEAR = _c("academic_year", "Academic year", Kind.CHOICE, "Pick the academic year, e.g. 2026/27.", required=True, vocab="academic_year", width=12)
TERM = _c("term", "Term", Kind.CHOICE, "Autumn, Spring or Summer.", required=True, vocab="term", width=10)
GROUP = _c("pupil_group", "Pupil group", Kind.CHOICE, "Pick the pupil group. 'All pupils' is the whole cohort.", required=True, vocab="pupil_group", width=18)
COHORT = _c("cohort", "Cohort size", Kind.INT, "Number of pupils in the group. Groups under the policy's minimum are suppressed in reports.", suppressible=True, minimum=0, width=10)


def _indicator_columns() -> tuple[Column, ...]:
    cols: list[Column] = []
    for key, name in INDICATORS:
        n = key[2:]
        cols.append(
            _c(f"{key}_judgement", f"QI{n} {INDICATOR_SHORT[key]} judgement", Kind.CHOICE,
               f"Best-fit judgement for '{name}' against the Appendix A descriptors. Leave blank to let the toolkit suggest one from data.",
               vocab="designation", width=14)
        )
        cols.append(
            _c(f"{key}_evidence", f"QI{n} {INDICATOR_SHORT[key]} evidence", Kind.LONGTEXT,
               f"The evidence behind the '{name}' judgement.", width=40)
        )
    return tuple(cols)


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        key="schools",
        title="Schools",
        purpose="One row per school in the trust or considering joining it.",
        unique=("urn",),
        columns=(
            URN,
            _c("name", "School name", Kind.TEXT, "The school's name as on GIAS.", required=True, width=36),
            _c("phase", "Phase", Kind.CHOICE, "Phase of education.", required=True, vocab="phase", width=14),
            _c("sixth_form", "Sixth form", Kind.YESNO, "Yes if the school has a sixth form.", required=True, vocab="yesno", width=10),
            _c("local_authority", "Local authority", Kind.TEXT, "The local authority the school is in.", width=18),
            _c("headteacher", "Headteacher", Kind.TEXT, "Name of the headteacher.", width=22),
            _c("sip", "SIP", Kind.TEXT, "Name of the school's School Improvement Partner.", width=22),
            _c("date_joined", "Date joined", Kind.DATE, "Date the school joined the trust (blank for a prospective joiner).", width=12),
            _c("membership", "Membership", Kind.CHOICE, "Member, or Prospective joiner for a school that may join.", required=True, vocab="membership", width=16),
        ),
    ),
    Sheet(
        key="term_dates",
        title="Term dates",
        purpose="The six half terms of each academic year, from the local authority calendar.",
        unique=("academic_year", "half_term"),
        columns=(
            YEAR,
            _c("half_term", "Half term", Kind.CHOICE, "Autumn 1 to Summer 2.", required=True, vocab="half_term", width=10),
            _c("start", "First day", Kind.DATE, "First day pupils attend in this half term.", required=True, width=12),
            _c("end", "Last day", Kind.DATE, "Last day pupils attend in this half term.", required=True, width=12),
        ),
    ),
    Sheet(
        key="closures",
        title="Closures",
        purpose="School closure days (INSET, polling days, emergencies). Leave URN blank for a trust-wide closure.",
        unique=("urn", "date"),
        columns=(
            _c("urn", "URN", Kind.URN, "The school closed; leave blank if every school closed.", width=10),
            _c("date", "Date", Kind.DATE, "The day the school was closed.", required=True, width=12),
            _c("reason", "Reason", Kind.TEXT, "Why, e.g. INSET day.", width=30),
        ),
    ),
    Sheet(
        key="assessments",
        title="Assessments",
        purpose="The termly assessment of each school against the seven quality indicators, and the designation EIT signed off.",
        unique=("urn", "academic_year", "term"),
        columns=(
            URN,
            YEAR,
            TERM,
            *_indicator_columns(),
            _c("assessor", "Assessor", Kind.TEXT, "Who made the assessment (usually the SIP or LSIP).", width=20),
            _c("assessment_date", "Assessment date", Kind.DATE, "The date of the assessment.", width=12),
            _c("proposed_designation", "Proposed designation", Kind.CHOICE, "The designation the LSIP proposes to EIT.", vocab="designation", width=14),
            _c("agreed_designation", "Agreed designation", Kind.CHOICE, "The designation EIT signed off.", vocab="designation", width=14),
            _c("eit_signoff_date", "EIT sign-off date", Kind.DATE, "The date EIT signed the designation off.", width=12),
            _c("rationale", "Rationale", Kind.LONGTEXT, "Why EIT agreed this designation, especially where it differs from the proposal.", width=40),
        ),
    ),
    Sheet(
        key="ofsted_legacy",
        title="Ofsted legacy",
        purpose="Inspections under the framework used until 2025: grades and sub-judgements.",
        unique=("urn", "inspection_date"),
        columns=(
            URN,
            _c("inspection_date", "Inspection date", Kind.DATE, "First day of the inspection.", required=True, width=12),
            _c("inspection_type", "Inspection type", Kind.CHOICE, "Graded, Ungraded or Monitoring.", vocab="inspection_type", width=12),
            _c("overall_effectiveness", "Overall effectiveness", Kind.CHOICE, "Single-word grade (Not graded after September 2024).", vocab="legacy_overall", width=18),
            _c("quality_of_education", "Quality of education", Kind.CHOICE, "Sub-judgement.", vocab="legacy_grade", width=18),
            _c("behaviour_and_attitudes", "Behaviour and attitudes", Kind.CHOICE, "Sub-judgement.", vocab="legacy_grade", width=18),
            _c("personal_development", "Personal development", Kind.CHOICE, "Sub-judgement.", vocab="legacy_grade", width=18),
            _c("leadership_and_management", "Leadership and management", Kind.CHOICE, "Sub-judgement.", vocab="legacy_grade", width=18),
            _c("early_years", "Early years", Kind.CHOICE, "Sub-judgement, where the school has early years.", vocab="legacy_grade", width=14),
            _c("sixth_form", "Sixth form provision", Kind.CHOICE, "Sub-judgement, where the school has a sixth form.", vocab="legacy_grade", width=14),
            _c("safeguarding_effective", "Safeguarding effective", Kind.YESNO, "Was safeguarding effective?", vocab="yesno", width=12),
            _c("category_of_concern", "Category of concern", Kind.CHOICE, "Serious weaknesses or Special measures, else None.", vocab="category_of_concern", width=18),
        ),
    ),
    Sheet(
        key="ofsted_report_cards",
        title="Ofsted report cards",
        purpose="Inspections under the renewed framework (from November 2025): report-card evaluation areas.",
        unique=("urn", "inspection_date"),
        columns=(
            URN,
            _c("inspection_date", "Inspection date", Kind.DATE, "First day of the inspection.", required=True, width=12),
            _c("inclusion", "Inclusion", Kind.CHOICE, "Evaluation area grade.", vocab="report_card_grade", width=16),
            _c("curriculum_and_teaching", "Curriculum and teaching", Kind.CHOICE, "Evaluation area grade.", vocab="report_card_grade", width=16),
            _c("achievement", "Achievement", Kind.CHOICE, "Evaluation area grade.", vocab="report_card_grade", width=16),
            _c("attendance_and_behaviour", "Attendance and behaviour", Kind.CHOICE, "Evaluation area grade.", vocab="report_card_grade", width=16),
            _c("personal_development_and_wellbeing", "Personal development and well-being", Kind.CHOICE, "Evaluation area grade.", vocab="report_card_grade", width=16),
            _c("leadership_and_governance", "Leadership and governance", Kind.CHOICE, "Evaluation area grade.", vocab="report_card_grade", width=16),
            _c("early_years", "Early years", Kind.CHOICE, "Evaluation area grade, where present.", vocab="report_card_grade", width=16),
            _c("sixth_form", "Sixth form", Kind.CHOICE, "Evaluation area grade, where present.", vocab="report_card_grade", width=16),
            _c("safeguarding", "Safeguarding", Kind.CHOICE, "Met or Not met.", required=True, vocab="safeguarding", width=12),
            _c("category_of_concern", "Category of concern", Kind.CHOICE, "Serious weaknesses or Special measures, else None.", vocab="category_of_concern", width=18),
        ),
    ),
    Sheet(
        key="outcomes",
        title="Outcomes",
        purpose="Published or provisional outcomes (KS2, KS4, 16-18), one row per measure and pupil group.",
        unique=("urn", "academic_year", "measure", "pupil_group"),
        columns=(
            URN,
            YEAR,
            _c("measure", "Measure", Kind.CHOICE, "Pick the outcome measure; its key stage is implied.", required=True, vocab="outcome_measure", width=24),
            GROUP,
            COHORT,
            _c("value", "Value", Kind.NUMBER, "The result. Percentages on a 0-100 scale. DfE suppression codes (x, c, SUPP, NE, NP, low) are kept as suppressed.", suppressible=True, width=10),
            _c("ci_lower", "CI lower", Kind.NUMBER, "Progress scores: the lower end of DfE's 95% confidence interval (e.g. READPROG_LOWER, P8CILOW). Leave blank if not published: the toolkit estimates it from the cohort size.", suppressible=True, width=9, may_be_absent=True),
            _c("ci_upper", "CI upper", Kind.NUMBER, "Progress scores: the upper end of DfE's 95% confidence interval (e.g. READPROG_UPPER, P8CIUPP).", suppressible=True, width=9, may_be_absent=True),
            _c("band", "Band", Kind.CHOICE, "Progress scores: DfE's published band (READPROG_DESCR, P8_BANDING): Well above average ... Well below average.", vocab="progress_band", width=18, may_be_absent=True),
        ),
    ),
    Sheet(
        key="attendance",
        title="Attendance",
        purpose="Attendance, absence, suspensions and permanent exclusions by term and pupil group.",
        unique=("urn", "academic_year", "term", "pupil_group"),
        columns=(
            URN,
            YEAR,
            TERM,
            GROUP,
            COHORT,
            _c("attendance_pct", "Attendance %", Kind.PERCENT, "Overall attendance. 93, 0.93 and 93% all mean 93%.", suppressible=True, minimum=0, maximum=100, width=12),
            _c("persistent_absence_pct", "Persistent absence %", Kind.PERCENT, "Pupils missing 10% or more of sessions.", suppressible=True, minimum=0, maximum=100, width=12),
            _c("severe_absence_pct", "Severe absence %", Kind.PERCENT, "Pupils missing 50% or more of sessions.", suppressible=True, minimum=0, maximum=100, width=12),
            _c("suspensions", "Suspensions", Kind.INT, "Number of suspensions in the term.", suppressible=True, minimum=0, width=11),
            _c("permanent_exclusions", "Permanent exclusions", Kind.INT, "Number of permanent exclusions in the term.", suppressible=True, minimum=0, width=11),
        ),
    ),
    Sheet(
        key="benchmarks",
        title="Benchmarks",
        purpose="National figures to compare against, by academic year, phase, measure and pupil group.",
        unique=("academic_year", "phase", "measure", "pupil_group"),
        columns=(
            YEAR,
            _c("phase", "Phase", Kind.CHOICE, "Primary, Secondary or All schools.", required=True, vocab="benchmark_phase", width=12),
            _c("measure", "Measure", Kind.CHOICE, "Outcome, attendance or behaviour measure.", required=True, vocab="measure", width=24),
            GROUP,
            _c("value", "National value", Kind.NUMBER, "The national figure. Percentages on a 0-100 scale.", required=True, suppressible=True, width=12),
        ),
    ),
    Sheet(
        key="targets",
        title="Targets",
        purpose="Each school's targets for the academic year, as signed off by EIT.",
        unique=("urn", "academic_year", "measure", "pupil_group"),
        columns=(
            URN,
            YEAR,
            _c("measure", "Measure", Kind.CHOICE, "Outcome, attendance or behaviour measure.", required=True, vocab="measure", width=24),
            GROUP,
            _c("target", "Target", Kind.NUMBER, "The target value. Percentages on a 0-100 scale.", required=True, width=10),
        ),
    ),
    Sheet(
        key="visits",
        title="Visits",
        purpose="Every visit and its report (Appendix D template), with the dates the calendar rules check.",
        unique=("visit_id",),
        columns=(
            _c("visit_id", "Visit ID", Kind.TEXT, "A short unique reference, e.g. V0042.", required=True, width=10),
            URN,
            _c("role", "Role", Kind.CHOICE, "The visitor's role (SIP, SIA, LSIP, SLE ...).", required=True, vocab="visit_role", width=10),
            _c("visitor", "Visitor", Kind.TEXT, "Who visited.", width=20),
            _c("status", "Status", Kind.CHOICE, "Held, Planned or Cancelled.", required=True, vocab="visit_status", width=10),
            _c("mode", "On-site or remote", Kind.CHOICE, "On-site or Remote (Teams).", vocab="visit_mode", width=10),
            _c("visit_start", "Visit start", Kind.DATE, "First day of the visit.", required=True, width=12),
            _c("visit_end", "Visit end", Kind.DATE, "Last day of the visit (same as start for a day visit).", width=12),
            _c("days", "Days", Kind.NUMBER, "Days of the allocation used (e.g. 1 or 0.5). Blank counts the working days of the visit.", minimum=0, maximum=60, width=8),
            _c("learning_walk", "One-hour learning walk", Kind.YESNO, "Did the visit include the one-hour learning walk?", vocab="yesno", width=12),
            _c("paperwork_received", "Paperwork received", Kind.DATE, "When the school emailed the paperwork to the visitor.", width=12),
            _c("report_sent", "Report sent", Kind.DATE, "When the visit report was emailed.", width=12),
            _c("purpose", "Purpose of visit", Kind.LONGTEXT, "Appendix D: purpose of the visit.", width=30),
            _c("activities", "Summary of activities", Kind.LONGTEXT, "Appendix D: summary of activities during the visit.", width=40),
            _c("outcomes", "Summary of outcomes", Kind.LONGTEXT, "Appendix D: summary of outcomes.", width=40),
            _c("recommendations", "Recommendations", Kind.LONGTEXT, "Appendix D: recommendations.", width=40),
            _c("recommended_designation", "Recommended designation", Kind.CHOICE, "The designation the SIP recommends, if any.", vocab="designation", width=14),
        ),
    ),
    Sheet(
        key="deployments",
        title="Deployments",
        purpose="School Improvement Team deployments: who supports which school, and days planned and used.",
        unique=("urn", "academic_year", "term", "person", "role"),
        columns=(
            URN,
            YEAR,
            TERM,
            _c("person", "Person", Kind.TEXT, "Name of the SIT member or provider.", required=True, width=22),
            _c("role", "Role", Kind.CHOICE, "SIT role.", required=True, vocab="sit_role", width=24),
            _c("days_planned", "Days planned", Kind.NUMBER, "Days planned this term.", minimum=0, maximum=70, width=10),
            _c("days_used", "Days used", Kind.NUMBER, "Days actually delivered this term.", minimum=0, maximum=70, width=10),
        ),
    ),
    Sheet(
        key="sdp_actions",
        title="SDP actions",
        purpose="School development plan actions and their RAG status.",
        unique=(),
        columns=(
            URN,
            YEAR,
            _c("priority", "Priority", Kind.TEXT, "The SDP priority the action serves.", required=True, width=28),
            _c("action", "Action", Kind.LONGTEXT, "What will be done.", required=True, width=40),
            _c("owner", "Owner", Kind.TEXT, "Who is responsible.", width=18),
            _c("due_date", "Due date", Kind.DATE, "When it is due.", width=12),
            _c("rag", "RAG", Kind.CHOICE, "Red, Amber, Green or Complete.", required=True, vocab="rag", width=10),
        ),
    ),
    Sheet(
        key="meetings",
        title="Meetings",
        purpose="Dates of Progress Board, EIT, Standards Committee and other meetings.",
        unique=("meeting_type", "urn", "date"),
        columns=(
            _c("meeting_type", "Meeting", Kind.CHOICE, "Which meeting.", required=True, vocab="meeting_type", width=20),
            _c("urn", "URN", Kind.URN, "For a Progress Board, the school; blank for trust meetings.", width=10),
            _c("date", "Date", Kind.DATE, "The date the meeting was or will be held.", required=True, width=12),
            _c("notes", "Notes", Kind.LONGTEXT, "Anything to record.", width=40),
        ),
    ),
)

SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS}
SHEETS_BY_TITLE: dict[str, Sheet] = {s.title: s for s in SHEETS}
LISTS_SHEET = "Lists"
INSTRUCTIONS_SHEET = "Instructions"
HEADER_ROW = 1  # headers on row 1; data from row 2; the header row is frozen
FIRST_DATA_ROW = 2


def sheet(key: str) -> Sheet:
    return SHEETS_BY_KEY[key]
