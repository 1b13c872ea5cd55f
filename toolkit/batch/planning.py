"""Planning a term: which notebooks run for the trust and for each school, with which
parameters, and the term's data files (CSV/JSON summaries, calendars) written beside them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.batch.jobs import Job
from toolkit.outputs import atomic_write

# --------------------------------------------------------------------------- a term's reports

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent.parent / "notebooks"
SCHOOL_REPORTS = (
    # (notebook, file stem, title)
    ("designation_review.ipynb", "designation-review", "Designation review"),
    ("progress_board_pack.ipynb", "progress-board-pack", "Progress Board pack"),
)
TRUST_REPORTS = (
    ("standards_committee.ipynb", "standards-committee", "Standards Committee report"),
    ("lsip_summary.ipynb", "lsip-summary", "LSIP summary for EIT"),
)
# Names a notebook's parameters cell may use for each value the batch supplies.
PARAMETER_ALIASES = {
    "tracker": ("tracker", "tracker_path"),
    "term": ("term", "term_label"),
    "urn": ("urn", "school_urn"),
    "as_of": ("as_of", "as_at", "today"),
    "policy": ("policy_path", "policy"),
}


def slugify(text: str) -> str:
    """A file-name-safe slug of a school name (ASCII letters, digits and hyphens)."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "school"


def notebook_parameters(path: Path) -> set[str]:
    """The parameter names a notebook's ``parameters`` cell declares."""
    import papermill

    return set(papermill.inspect_notebook(str(path)))


def bind_parameters(declared: set[str], values: Mapping[str, Any]) -> dict[str, Any]:
    """Map the batch's values onto the names a notebook declares (see PARAMETER_ALIASES)."""
    bound: dict[str, Any] = {}
    for key, value in values.items():
        for name in PARAMETER_ALIASES.get(key, (key,)):
            if name in declared:
                bound[name] = value
                break
    return bound


@dataclass
class TermPlan:
    jobs: list[Job]
    missing: list[str]  # notebooks the plan needed but could not find


def plan_term(
    tracker: Any,
    tracker_path: Path,
    term: Any,
    as_of: dt.date,
    *,
    urns: Sequence[int] | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    policy_path: Path | None = None,
    visits_path: Path | None = None,
) -> TermPlan:
    """Every report of the term: trust reports first (the longest), then each school's two.

    ``visits_path``: a workbook written by ``toolkit collect-visits``, passed to the
    notebooks that declare a ``visits`` parameter (its rows count as if pasted in)."""
    schools = tracker.schools.sort_values("urn")
    if urns:
        unknown = sorted(set(urns) - set(int(u) for u in schools["urn"]))
        if unknown:
            raise ValueError(
                f"URN(s) {', '.join(map(str, unknown))} are not in the Schools sheet of {tracker_path.name}"
            )
        schools = schools[schools["urn"].isin(list(urns))]
    common: dict[str, Any] = {
        "tracker": str(tracker_path.resolve()),
        "term": term.label,
        "as_of": as_of.isoformat(),
    }
    if policy_path is not None:
        common["policy"] = str(Path(policy_path).resolve())
    if visits_path is not None:
        common["visits"] = str(Path(visits_path).resolve())
    jobs: list[Job] = []
    missing: list[str] = []
    declared: dict[str, set[str]] = {}

    def params_for(nb: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        path = notebooks_dir / nb
        if not path.is_file():
            if nb not in missing:
                missing.append(nb)
            return None
        if nb not in declared:
            declared[nb] = notebook_parameters(path)
        return bind_parameters(declared[nb], values)

    def add(nb: str, stem: str, title: str, values: Mapping[str, Any], *, key: str,
            folder: str, section: str, overrides: dict[str, str]) -> None:
        params = params_for(nb, values)
        if params is not None:
            jobs.append(
                Job(
                    key=key,
                    notebook=str(notebooks_dir / nb),
                    parameters=params,
                    html=f"{folder}/{stem}.html",
                    pdf=f"{folder}/{stem}.pdf",
                    title=title,
                    section=section,
                    overrides={"title": title, **overrides},
                )
            )

    for nb, stem, title in TRUST_REPORTS:
        add(nb, stem, title, common, key=f"trust-{stem}", folder="trust",
            section="Trust reports", overrides={})
    for urn, name in zip(schools["urn"], schools["name"], strict=True):
        urn = int(urn)
        for nb, stem, title in SCHOOL_REPORTS:
            add(nb, stem, title, {**common, "urn": urn}, key=f"{urn}-{stem}",
                folder=f"schools/{urn}-{slugify(name)}", section=f"{name} ({urn})",
                overrides={"school": str(name)})
    return TermPlan(jobs, missing)


class PartialOutput(Exception):
    """Some files of a set were written (``links``) and some failed (``problems``)."""

    def __init__(self, links: list[tuple[str, str]], problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.links, self.problems = links, problems


def write_term_data(
    run_dir: Path, tracker: Any, term: Any, as_of: dt.date
) -> tuple[list[tuple[str, str]], list[str]]:
    """The machine-readable summary (CSV, JSON) and the calendar files; (index links, problems)."""
    links: list[tuple[str, str]] = []
    problems: list[str] = []
    try:
        from toolkit.privacy.text import clean_json, write_csv
        from toolkit.reports.committee import school_summary

        frame = school_summary(tracker, term, as_of)
        write_csv(run_dir / "data" / "schools-summary.csv", frame)  # no cell runs as a formula
        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        payload = {
            "term": term.label,
            "as_of": as_of.isoformat(),
            "tracker": tracker.file_name,
            "tracker_sha256": tracker.sha256,
            "schools": records,
        }
        atomic_write(
            run_dir / "data" / "schools-summary.json", json.dumps(clean_json(payload), indent=2, default=str)
        )
        links += [
            ("Schools summary (CSV)", "data/schools-summary.csv"),
            ("Schools summary (JSON)", "data/schools-summary.json"),
        ]
    except Exception as exc:
        problems.append(f"summary: {type(exc).__name__}: {exc}")
    try:
        links += write_calendars(run_dir, tracker, term)
    except PartialOutput as partial:
        links += partial.links
        problems += partial.problems
    except Exception as exc:
        problems.append(f"calendars: {type(exc).__name__}: {exc}")
    return links, problems


def write_calendars(run_dir: Path, tracker: Any, term: Any) -> list[tuple[str, str]]:
    """Calendar files for the academic year, through the calendar engineer's ``toolkit.calendar.ics``."""
    import importlib

    try:
        ics = importlib.import_module("toolkit.calendar.ics")
    except ImportError as exc:
        raise RuntimeError(
            "toolkit.calendar.ics is not available, so no calendar files were written"
        ) from exc
    errors: list[str] = []
    written = ics.write_calendars(tracker, term.year.label, run_dir / "calendars", errors=errors)
    if errors:  # the files that were written are linked; the run still counts as failed
        links = [(f"Calendar: {Path(p).name}", str(Path(p).resolve().relative_to(run_dir.resolve()))) for p in written]
        raise PartialOutput(links, errors)
    return [
        (f"Calendar: {Path(p).name}", str(Path(p).resolve().relative_to(run_dir.resolve())))
        for p in written
    ]
