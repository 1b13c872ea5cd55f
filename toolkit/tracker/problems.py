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

    def add(self, severity: Severity, message: str, fix: str, *, sheet: str = "", cell: str = "", code: str = "") -> None:
        self.problems.append(Problem(severity, message, fix, self.file, sheet, cell, code))

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
