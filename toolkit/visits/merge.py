"""Collected visit reports into a tracker, in memory: what the reports and compliance read.

``toolkit collect-visits`` writes a Visits workbook for the data manager to paste into the
tracker; until they do, ``merge_collected(tracker, "visits.xlsx")`` gives the reports the
same view: a new ``Tracker`` whose Visits sheet has each collected row in place of the
tracker's row with the same Visit ID (a scheduled visit's row is added). The tracker file
is never written. Compliance (``late_reports``) then reads the date each report was
actually sent from the form.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from toolkit.tracker.model import Tracker
from toolkit.tracker.problems import UnreadableFile
from toolkit.tracker.schema import Kind, sheet

VISITS = sheet("visits")


def _value(kind: Kind, value: object) -> object:
    if value is None or value == "":
        return None
    if kind == Kind.YESNO:
        return str(value).strip().casefold() == "yes"
    if kind in (Kind.NUMBER,):
        return float(value)
    if kind == Kind.URN:
        return int(float(value))
    if kind == Kind.DATE:
        return pd.Timestamp(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_collected(path: str | Path) -> pd.DataFrame:
    """The Visits sheet of a workbook written by ``toolkit collect-visits``, typed like the tracker's."""
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_name(VISITS.title).to_python()
    except (CalamineError, OSError, ValueError, KeyError) as exc:
        raise UnreadableFile(f"{path.name} is not a collected visits workbook with a {VISITS.title} sheet ({exc}). "
                             "Give the file written by toolkit collect-visits.") from None
    if not rows:
        return pd.DataFrame(columns=VISITS.keys)
    headers = [str(h).strip() for h in rows[0]]
    wanted = [c.header for c in VISITS.columns]
    if headers[: len(wanted)] != wanted:
        raise UnreadableFile(f"{path.name}: the {VISITS.title} sheet's headers are not the tracker's Visits columns. "
                             "Give the file written by toolkit collect-visits.")
    records = []
    for r in rows[1:]:
        if not any(v not in (None, "") for v in r):
            continue
        records.append({c.key: _value(c.kind, r[i] if i < len(r) else None) for i, c in enumerate(VISITS.columns)})
    frame = pd.DataFrame(records, columns=VISITS.keys)
    for c in VISITS.columns:
        if c.kind == Kind.DATE:
            frame[c.key] = pd.to_datetime(frame[c.key])
    return frame


def merge_collected(tracker: Tracker, collected: str | Path | pd.DataFrame) -> Tracker:
    """A new ``Tracker`` whose Visits include the collected rows (matched by Visit ID).

    ``collected`` is the workbook ``toolkit collect-visits`` wrote, or its rows. The
    result's problem report gains a warning naming how many rows came from the forms, so
    the reports say their visits are not all from the tracker file.
    """
    rows = collected if isinstance(collected, pd.DataFrame) else read_collected(collected)
    visits = tracker.visits
    if rows.empty:
        return tracker
    ids = set(rows["visit_id"].astype(str))
    kept = visits[~visits["visit_id"].astype(str).isin(ids)]
    added = rows.assign(_row=pd.NA)[[c for c in visits.columns if c in rows.columns or c == "_row"]]
    merged = pd.concat([kept, added.astype(object)], ignore_index=True)
    merged = merged.assign(_sort=pd.to_datetime(merged["visit_start"])).sort_values(["_sort", "visit_id"], kind="stable")
    merged = merged.drop(columns="_sort").reset_index(drop=True)
    for c in VISITS.columns:
        if c.kind == Kind.DATE:
            merged[c.key] = pd.to_datetime(merged[c.key])
    report = replace(tracker.report, problems=list(tracker.report.problems))
    source = collected.name if isinstance(collected, Path) else (Path(collected).name if isinstance(collected, str) else "collected forms")
    n_new = len(ids - set(visits["visit_id"].astype(str)))
    report.warning(f"{len(rows)} visit report(s) come from the collected forms in {source} ({n_new} new), not yet pasted into the tracker.",
                   f"Paste the Visits rows of {source} into the tracker.", sheet=VISITS.title, code="collected-visits")
    return Tracker(tables={**tracker.tables, "visits": merged}, policy=tracker.policy, path=tracker.path,
                   sha256=tracker.sha256, report=report)
