"""The suppression gate: every figure about pupils passes here before any output.

DOMAIN.md "Data that must be handled with care": a figure for fewer than the policy's
``suppression.min_group_size`` pupils is shown as suppressed (never 0), and a suppressed
figure must not be derivable from what is shown beside it. One gate, so tables, chart
figures, alt text, reason sentences, JSON, CSV, iCalendar and PDF all agree.

Three rules:

1. *Cohort*: a school-level figure whose cohort is below the minimum, or unknown, is
   suppressed (``figure``).
2. *Counts in disguise*: persistent and severe absence are percentages of pupils;
   suspensions and permanent exclusions are counts. Beyond the cohort rule, each is
   suppressed where the number it implies (``pct x cohort / 100``, or the count itself) is
   between 1 and the minimum - 1: "40% of 5 pupils" is 2 pupils, "1 exclusion" is one
   child (``percent_of_pupils``, ``count``, ``per_100``). Zero is shown: it names nobody.
   The attendance rate is an average over sessions, not a count of pupils, so it follows
   the cohort rule only.
3. *Complementary*: groups shown beside their total must not let a reader subtract their
   way to a suppressed group (``groups``). For each set of groups that adds up to All
   pupils (``PARTITIONS``; a listed group such as EAL with "everyone else" not listed),
   All pupils minus the shown members reveals the rest taken together. That rest must
   not be exactly one suppressed group, nor fewer than the minimum pupils; if it would
   be, the smallest shown member is suppressed too, until neither holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ALL = "All pupils"
SUPPRESSED = "suppressed"

# Groups that together make up All pupils.
PARTITIONS: tuple[tuple[str, ...], ...] = (
    ("Disadvantaged", "Not disadvantaged"),
    ("Boys", "Girls"),
    ("SEN support", "EHC plan", "No SEN"),
)
# Listed groups whose complement is "everyone else" (never a listed group).
IMPLICIT_COMPLEMENT: tuple[str, ...] = ("EAL",)

# Attendance-sheet columns by rule.
PUPIL_PERCENTS = ("persistent_absence_pct", "severe_absence_pct")
COUNTS = ("suspensions", "permanent_exclusions")


def _number(value: object) -> float | None:
    """A finite float, or None for blank, NaN, text or a suppression marker."""
    if value is None or isinstance(value, bool | str):
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def is_suppressed(value: object) -> bool:
    """Whether a gated value is the suppression marker (not a number, not blank)."""
    return isinstance(value, str) and value == SUPPRESSED


@dataclass(frozen=True)
class Gate:
    """The policy's minimum group size, applied the same way to every output."""

    minimum: int

    @classmethod
    def of(cls, policy: Any) -> Gate:
        """The gate for a ``Policy`` (or anything with ``suppression.min_group_size``)."""
        return cls(int(policy.suppression.min_group_size))

    # ------------------------------------------------------------------ single figures

    def cohort_ok(self, cohort: object) -> bool:
        """A figure for this cohort may be shown: the cohort is known and not small."""
        n = _number(cohort)
        return n is not None and n >= self.minimum

    def small_count(self, count: object) -> bool:
        """A number of pupils (or events) from 1 to ``minimum - 1``. A positive fraction
        counts as at least one: 0.4 pupils means a rounded percentage of someone."""
        c = _number(count)
        if c is None or c <= 0:
            return False
        return max(1, round(c)) < self.minimum

    def figure(self, value: object, cohort: object) -> float | str | None:
        """A school-level figure: SUPPRESSED for a small or unknown cohort, None for a
        blank figure (no data, which is not the same as suppressed), else the number."""
        if not self.cohort_ok(cohort):
            return SUPPRESSED
        return _number(value)

    def percent_of_pupils(self, pct: object, cohort: object) -> float | str | None:
        """A percentage of pupils (persistent absence): the cohort rule, then the number
        of pupils it implies."""
        v = self.figure(pct, cohort)
        if isinstance(v, float) and self.small_count(v * float(cohort) / 100.0):  # type: ignore[arg-type]
            return SUPPRESSED
        return v

    def count(self, n: object, cohort: object) -> float | str | None:
        """A count (suspensions, exclusions): the cohort rule, then the count itself."""
        v = self.figure(n, cohort)
        if isinstance(v, float) and self.small_count(v):
            return SUPPRESSED
        return v

    def per_100(self, n: object, cohort: object, digits: int = 2) -> float | str | None:
        """A count per 100 pupils (suspension rate), gated as the count it comes from."""
        v = self.count(n, cohort)
        if not isinstance(v, float):
            return v
        return round(v / float(cohort) * 100.0, digits)  # type: ignore[arg-type]

    def attendance(self, row: Mapping[str, object]) -> dict[str, float | str | None]:
        """Every pupil figure of one Attendance-sheet row, gated. Keys are the sheet's
        column keys plus ``suspensions_per_100``; a value withheld at source (``<key>_code``)
        is suppressed."""
        cohort = row.get("cohort")
        if isinstance(row.get("cohort_code"), str) and row.get("cohort_code"):
            cohort = None
        out: dict[str, float | str | None] = {"cohort": _number(cohort) if self.cohort_ok(cohort) else SUPPRESSED}
        out["attendance_pct"] = self.figure(row.get("attendance_pct"), cohort)
        for key in PUPIL_PERCENTS:
            out[key] = self.percent_of_pupils(row.get(key), cohort)
        for key in COUNTS:
            out[key] = self.count(row.get(key), cohort)
        out["suspensions_per_100"] = self.per_100(row.get("suspensions"), cohort)
        for key in ("attendance_pct", *PUPIL_PERCENTS, *COUNTS):
            code = row.get(f"{key}_code")
            if isinstance(code, str) and code:
                out[key] = SUPPRESSED
                if key == "suspensions":
                    out["suspensions_per_100"] = SUPPRESSED
        return out

    # ------------------------------------------------------------------ groups

    def attendance_groups(self, rows: Any, key: str) -> dict[str, float | str | None]:
        """One attendance figure (``key``, a column of ``attendance``) for every group of
        one school and term, gated: each row by ``attendance`` (cohort and implied count),
        then complementary suppression over the groups, counting a figure suppressed for
        its implied count as hidden too (else All minus its partner would give it back)."""
        records = rows.to_dict("records")
        gated = {str(r["pupil_group"]): self.attendance(r).get(key) for r in records}
        small = {g for g, v in gated.items() if is_suppressed(v)}
        hidden = self.groups_of(rows, key, extra_withheld=small)
        return {g: SUPPRESSED if g in hidden else v for g, v in gated.items()}

    def groups_of(self, rows: Any, value_key: str, extra_withheld: Any = ()) -> dict[str, str]:
        """``groups`` for tracker rows (one measure or term; columns ``pupil_group``,
        ``cohort`` and, where present, ``cohort_code``, ``<value_key>``, ``<value_key>_code``).
        A blank value counts as withheld: nothing shown beside it may reveal it."""
        cohorts: dict[str, float | None] = {}
        withheld: dict[str, str] = {}
        for r in rows.to_dict("records"):
            g = str(r["pupil_group"])
            cohorts[g] = _number(r.get("cohort"))
            for code in (r.get("cohort_code"), r.get(f"{value_key}_code")):
                if isinstance(code, str) and code:
                    withheld[g] = code
            if g not in withheld and _number(r.get(value_key)) is None:
                withheld[g] = "no value"
            if g not in withheld and g in extra_withheld:
                withheld[g] = "a small number"
        return self.groups(cohorts, withheld)

    def groups(self, cohorts: Mapping[str, float | None], withheld: Mapping[str, str] | None = None) -> dict[str, str]:
        """Which groups to suppress for one measure, and why (rules 1 and 3).

        ``cohorts`` maps group -> cohort (None where unknown), All pupils included;
        ``withheld`` maps group -> the source's suppression code. Returns group -> reason
        for every suppressed group.
        """
        withheld = withheld or {}
        minimum = self.minimum
        sizes = {g: _number(n) for g, n in cohorts.items()}
        out: dict[str, str] = {}
        for g, n in sizes.items():
            if g in withheld:
                out[g] = f"withheld at source ({withheld[g]})"
            elif n is None:
                out[g] = "cohort not given"
            elif n < minimum:
                out[g] = f"fewer than {minimum} pupils"
        if ALL in out:  # the whole cohort is too small: nothing can be shown
            return {g: out.get(g, "the whole cohort is suppressed") for g in sizes}
        total = sizes.get(ALL)
        parts = [*PARTITIONS, *((g,) for g in IMPLICIT_COMPLEMENT)]
        changed = True
        while changed:
            changed = False
            for part in parts:
                present = [g for g in part if g in sizes]
                shown = [g for g in present if g not in out]
                if not shown or total is None:
                    continue
                hidden = [g for g in present if g in out]
                complete = len(part) > 1 and len(present) == len(part)
                rest = total - sum(sizes[g] for g in shown)  # type: ignore[misc]
                smallest = min(shown, key=lambda g: (sizes[g], g))
                if complete and len(hidden) == 1:
                    out[smallest] = f"complementary: with All pupils it would reveal {hidden[0]}"
                elif 0 < rest < minimum:
                    if len(part) == 1:
                        out[smallest] = f"complementary: All pupils minus {smallest} would reveal fewer than {minimum} pupils"
                    else:
                        out[smallest] = f"complementary: with All pupils it would reveal fewer than {minimum} pupils ({', '.join(g for g in part if g not in shown)})"
                else:
                    continue
                changed = True
        return out
