"""The trust's Excel tracker: what it holds, how it is checked, and how it is asked questions.

Public API:

- ``read_tracker(path, policy_path=None)`` -> ``Tracker``; ``validate_tracker(path)`` ->
  ``ProblemReport`` (every problem at once, with Sheet!Cell and the fix).
- ``Tracker``: one typed pandas table per sheet plus the policy in force, with the query
  API the rules use: ``tracker.rows(sheet, urn)``, ``tracker.school(urn)``,
  ``tracker.national_figure(...)``, ``tracker.phase(urn)``; ``SchoolRecords`` is what
  ``tracker.school(urn)`` returns.
- ``num``, ``benchmark_phases``: small helpers for figures and national comparisons.
- ``SHEETS``, ``sheet``: the schema, declared once (``schema``).
- ``Problem``, ``ProblemReport``, ``UnreadableFile``, ``InvalidInput``: problems.
- ``write_tracker`` (the blank template), ``write_sample`` (the fictional sample trust),
  ``import_performance`` (DfE performance tables into Outcomes rows).

Modules: ``schema``, ``cells`` (parsing a column of cells), ``reader``, ``problems``,
``model``, ``queries``, ``template``, ``sample``, ``dfe_import``.
"""

from toolkit import lazy_api

_API = {
    "read_tracker": "toolkit.tracker.reader:read_tracker",
    "validate_tracker": "toolkit.tracker.reader:validate_tracker",
    "Tracker": "toolkit.tracker.model:Tracker",
    "SchoolRecords": "toolkit.tracker.queries:SchoolRecords",
    "num": "toolkit.tracker.queries:num",
    "benchmark_phases": "toolkit.tracker.queries:benchmark_phases",
    "SHEETS": "toolkit.tracker.schema:SHEETS",
    "sheet": "toolkit.tracker.schema:sheet",
    "Problem": "toolkit.tracker.problems:Problem",
    "ProblemReport": "toolkit.tracker.problems:ProblemReport",
    "UnreadableFile": "toolkit.tracker.problems:UnreadableFile",
    "InvalidInput": "toolkit.tracker.problems:InvalidInput",
    "write_tracker": "toolkit.tracker.template:write_tracker",
    "write_sample": "toolkit.tracker.sample:write_sample",
    "import_performance": "toolkit.tracker.dfe_import:import_performance",
}
__all__ = sorted(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
