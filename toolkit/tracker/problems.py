"""Problems found in an input file, reported all at once with where they are and the fix.

Every reader in the toolkit (tracker, policy, DfE imports) collects ``Problem`` objects
into a ``ProblemReport`` instead of raising on the first one, so the data manager sees
the whole list in one go.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # stop: the tracker cannot be used as it is
    WARNING = "warning"  # go on: probably wrong, worth a look


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str
    fix: str
    file: str = ""
    sheet: str = ""
    cell: str = ""  # "F12", or "" for a whole sheet / file
    code: str = ""  # a stable identifier, e.g. "unknown-urn", for tests and filtering
    urn: int | None = None  # the school the problem's row belongs to (None: trust-wide)

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.file or "(file)"

    def __str__(self) -> str:
        return f"{self.where}: {self.message} Fix: {self.fix}"

    def to_dict(self) -> dict[str, str]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        d["where"] = self.where
        return d


@dataclass
class ProblemReport:
    file: str = ""
    problems: list[Problem] = field(default_factory=list)

    def add(
        self, severity: Severity, message: str, fix: str, *, sheet: str = "", cell: str = "", code: str = "",
        urn: int | None = None,
    ) -> None:
        self.problems.append(Problem(severity, message, fix, self.file, sheet, cell, code, urn))

    def error(self, message: str, fix: str, **where: str) -> None:
        self.add(Severity.ERROR, message, fix, **where)

    def warning(self, message: str, fix: str, **where: str) -> None:
        self.add(Severity.WARNING, message, fix, **where)

    def extend(self, other: Iterable[Problem]) -> None:
        self.problems.extend(other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def touching(self, urn: int | None = None) -> list[Problem]:
        """The warnings a report should carry: for one school's report (``urn`` given), the
        warnings on that school's rows plus the trust-wide ones (no school); for a trust
        report (``urn`` None), every warning.

        Why: a report built from a tracker with warnings must say so, but a school's
        headteacher should not read about another school's rows.
        """
        if urn is None:
            return list(self.warnings)
        return [p for p in self.warnings if p.urn is None or p.urn == int(urn)]

    def summary_lines(self, problems: Iterable[Problem] | None = None, *, first: int = 5) -> list[str]:
        """Short lines for a console or a report: the first ``first`` problems one per line,
        then one line per problem code for the rest, so a long list stays readable."""
        items = list(self.warnings if problems is None else problems)
        lines = [f"{p.where}: {p.message}" for p in items[:first]]
        rest = items[first:]
        if rest:
            by_code: dict[str, list[Problem]] = {}
            for p in rest:
                by_code.setdefault(p.code or "other", []).append(p)
            for code, group in by_code.items():
                lines.append(f"... and {len(group)} more '{code}' (first at {group[0].where})")
        return lines

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def render(self) -> str:
        """Plain-text report: errors first, then warnings, each with its place and fix."""
        lines: list[str] = []
        for title, items in (("Errors (must be fixed)", self.errors), ("Warnings (check these)", self.warnings)):
            if not items:
                continue
            lines.append(f"{title}: {len(items)}")
            for p in items:
                lines.append(f"  {p.where}: {p.message}")
                lines.append(f"      Fix: {p.fix}")
        if not lines:
            lines.append("No problems found.")
        return "\n".join(lines)


class UnreadableFile(Exception):
    """The file cannot be read at all (missing, not a workbook, corrupt, password-protected)."""


class InvalidInput(Exception):
    """Raised when a caller asks for data that failed validation; carries the report."""

    def __init__(self, report: ProblemReport):
        self.report = report
        super().__init__(report.render())
