"""The one table from the toolkit's codes to the words a committee reads.

Reports show people words, never internal codes (``late_report``, ``sip_days_under``,
``up``): every code a report might print goes through ``label``. The compliance finding
kinds keep their description in ``toolkit.calendar.compliance.FINDING_KINDS`` (the rule's
own module); they are folded in here so there is one place to look a code up.
"""

from __future__ import annotations

from toolkit.calendar.compliance import FINDING_KINDS

#: Movement of a designation since last term: arrow and words (the arrow is decoration;
#: the words carry the meaning for screen readers and greyscale print).
MOVEMENT = {
    "up": ("\u2191", "improved"),
    "down": ("\u2193", "declined"),
    "same": ("\u2192", "no change"),
    "new": ("\u2022", "first assessment"),
}

LABELS: dict[str, str] = {
    **FINDING_KINDS,
    **{code: words for code, (_, words) in MOVEMENT.items()},
    "reviewer": "Reviewer",
    "data": "Suggested from data",
    "none": "No evidence",
    "what-if": "What-if",
    "above": "above national",
    "below": "below national",
    "in line": "in line with national",
}


def label(code: object) -> str:
    """The human words for a code; an unknown code is returned as given, with underscores
    as spaces (so even a new code never reaches a page as ``snake_case``)."""
    text = str(code)
    return LABELS.get(text, text.replace("_", " "))


def days_phrase(days: float, per: str) -> str:
    """'10 a year' rather than '3.33' days a term: allocations are set per year or per
    term in the strategy, and are written the way they were set."""
    return f"{days:g} a {per}"
