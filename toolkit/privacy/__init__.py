"""Privacy: the one gate every pupil figure passes, and safe text for every output.

Public API:

- ``Gate`` (``Gate.of(policy)``): the suppression gate. ``gate.figure(value, cohort)`` for
  a school-level figure, ``gate.percent_of_pupils(pct, cohort)`` and ``gate.count(n,
  cohort)`` for figures that are counts in disguise (persistent absence, suspensions,
  exclusions), ``gate.attendance(row)`` for an Attendance-sheet row, ``gate.groups(cohorts,
  withheld)`` for primary and complementary suppression of groups shown beside their
  total. ``SUPPRESSED`` is the word every output shows instead of a suppressed figure;
  ``is_suppressed(value)`` tells it apart. ``PARTITIONS`` and ``IMPLICIT_COMPLEMENT`` are
  the groups that add up to All pupils.
- ``neutralise_cell``, ``neutralise_frame``: CSV and spreadsheet cells that can never run
  as formulas (OWASP CSV injection). ``write_csv`` writes rows or a DataFrame through them;
  ``csv_text`` gives the text; ``xlsx_value`` keeps text in a written workbook literal.
- ``strip_control``, ``clean_text``, ``clean_json``: control characters (and Excel's
  ``_x0000_`` escapes) removed from text before it reaches an output.
- ``find_control``: where a text holds control characters (validation warns at the cell).

Modules: ``suppression`` (the gate), ``text`` (cells and characters).
"""

from toolkit import lazy_api

_API = {
    "Gate": "toolkit.privacy.suppression:Gate",
    "SUPPRESSED": "toolkit.privacy.suppression:SUPPRESSED",
    "is_suppressed": "toolkit.privacy.suppression:is_suppressed",
    "PARTITIONS": "toolkit.privacy.suppression:PARTITIONS",
    "IMPLICIT_COMPLEMENT": "toolkit.privacy.suppression:IMPLICIT_COMPLEMENT",
    "neutralise_cell": "toolkit.privacy.text:neutralise_cell",
    "neutralise_frame": "toolkit.privacy.text:neutralise_frame",
    "write_csv": "toolkit.privacy.text:write_csv",
    "csv_text": "toolkit.privacy.text:csv_text",
    "xlsx_value": "toolkit.privacy.text:xlsx_value",
    "strip_control": "toolkit.privacy.text:strip_control",
    "clean_text": "toolkit.privacy.text:clean_text",
    "clean_json": "toolkit.privacy.text:clean_json",
    "find_control": "toolkit.privacy.text:find_control",
}
__all__ = sorted(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
