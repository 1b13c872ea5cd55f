"""The trust's year: terms, working days, the schedule of visits and meetings, compliance.

Public API:

- ``Term``, ``AcademicYear``: "2026/27 Autumn" and "2026/27", parsed and ordered (``terms``).
- ``WorkingDays``, ``TrustCalendar``, ``term_dates_for``: working days in England with the
  tracker's term dates and closures (``workingdays``).
- ``build_schedule``, ``deadline_table``, ``report_deadline``, ``paperwork_deadline``,
  ``non_working_visit_problems``: the year's expected events and deadlines (``schedule``).
- ``compliance`` (the module), ``compliance_summary``: what was late, missed or off-rule.
- ``write_calendars``: one ``.ics`` file per school and one for the trust (``ics``).
- ``year_overview``: the trust's year as a chart with its text alternative (``chart``).
"""

from toolkit import lazy_api

_API = {
    "Term": "toolkit.calendar.terms:Term",
    "AcademicYear": "toolkit.calendar.terms:AcademicYear",
    "WorkingDays": "toolkit.calendar.workingdays:WorkingDays",
    "TrustCalendar": "toolkit.calendar.workingdays:TrustCalendar",
    "term_dates_for": "toolkit.calendar.workingdays:term_dates_for",
    "build_schedule": "toolkit.calendar.schedule:build_schedule",
    "deadline_table": "toolkit.calendar.schedule:deadline_table",
    "report_deadline": "toolkit.calendar.schedule:report_deadline",
    "paperwork_deadline": "toolkit.calendar.schedule:paperwork_deadline",
    "non_working_visit_problems": "toolkit.calendar.schedule:non_working_visit_problems",
    "compliance": "toolkit.calendar.compliance",
    "compliance_summary": "toolkit.calendar.compliance:compliance_summary",
    "write_calendars": "toolkit.calendar.ics:write_calendars",
    "year_overview": "toolkit.calendar.chart:year_overview",
}
__all__ = sorted(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
