"""Jobs and their results: what a worker is asked to make and what it reports back.

Plain dataclasses that cross the process boundary (pickled), so they hold only paths and
strings, never a kernel or a tracker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------- jobs and results


@dataclass(frozen=True)
class Job:
    """One report to make: a notebook, its parameters and where its HTML/PDF go (run-relative)."""

    key: str
    notebook: str
    parameters: dict[str, Any]
    html: str
    pdf: str | None
    title: str
    section: str = "Reports"  # heading in index.html ("Trust reports", a school's name ...)
    overrides: dict[str, Any] = field(default_factory=dict)  # report metadata (school, title ...)


@dataclass
class JobResult:
    key: str
    ok: bool
    seconds: float = 0.0
    html: str | None = None
    pdf: str | None = None
    cell_index: int | None = None
    exec_count: int | None = None
    ename: str | None = None
    evalue: str | None = None
    error_notebook: str | None = None
    message: str | None = None
    cell_source: str | None = None  # the failing cell's first line, to find it in the notebook
    execute_seconds: float = 0.0  # running the notebook in the warm kernel
    render_seconds: float = 0.0  # HTML and PDF

    def describe(self) -> str:
        if self.ok:
            return f"{self.key}: ok"
        where = (
            f"in cell {self.cell_index} (In [{self.exec_count}])"
            if self.cell_index is not None
            else "outside a cell"
        )
        if self.cell_source:
            where += f" `{self.cell_source}`"
        kept = f"; error notebook kept at {self.error_notebook}" if self.error_notebook else ""
        return f"{self.key}: failed {where}: {self.ename}: {self.evalue}{kept}"
