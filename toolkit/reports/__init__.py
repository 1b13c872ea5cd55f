"""What the report notebooks call: the data behind each report, its charts, and the HTML
and PDF it becomes. Notebooks import only from here.

Public API:

- Opening the data: ``read_tracker``, ``Term``, ``AcademicYear``; assessments
  ``assess_school``, ``assess_trust``, ``designations_frame``, ``outcomes_year``;
  pupil groups ``group_gaps``, ``display_groups``; support ``trust_support``,
  ``capacity_check``, ``support_flags``; the calendar ``build_schedule``,
  ``deadline_table``, ``non_working_visit_problems``, ``term_dates_for``, ``year_overview``,
  ``compliance``, ``compliance_summary``; ``merge_collected`` (visit report forms
  collected by ``toolkit collect-visits``, merged into the tracker's visits in memory).
- ``review``: the designation review, section by section (``review.load(...)``).
- ``interactive``: the LSIP's interactive review and calendar (JupyterLab and the Voilà
  app): pickers, the what-if panel, every section re-rendered on a school or term change.
- ``cover``: the cover sheet every committee report opens with (key messages linked to
  their sections); ``overview``: the one-page trust overview and the compact outcomes;
  ``labels``: the one table from codes to human words.
- ``committee``: the tables of the Progress Board pack, LSIP summary and Standards
  Committee report.
- Presentation (``html``): ``report_header`` (with the ``data_quality_note``), ``heading``, ``text``, ``table``,
  ``bullet_list``, ``callout``, ``visit_blocks``, ``contents``, ``escape``; ``Chart`` (an image with its text alternative).
- Output: ``write_report`` (HTML and PDF, atomically), ``html_to_pdf`` and the PDF engine
  registry (``pdf``).
"""

from toolkit import lazy_api

_API = {
    # modules
    "review": "toolkit.reports.review",
    "interactive": "toolkit.reports.interactive",
    "committee": "toolkit.reports.committee",
    "pdf": "toolkit.reports.pdf",
    "cover": "toolkit.reports.cover",
    "overview": "toolkit.reports.overview",
    "labels": "toolkit.reports.labels",
    # presentation
    "report_header": "toolkit.reports.html:report_header",
    "data_quality_note": "toolkit.reports.html:data_quality_note",
    "heading": "toolkit.reports.html:heading",
    "text": "toolkit.reports.html:text",
    "table": "toolkit.reports.html:table",
    "bullet_list": "toolkit.reports.html:bullet_list",
    "callout": "toolkit.reports.html:callout",
    "visit_blocks": "toolkit.reports.html:visit_blocks",
    "contents": "toolkit.reports.html:contents",
    "escape": "toolkit.reports.html:escape",
    "HTML": "toolkit.reports.html:HTML",
    "Chart": "toolkit.reports.charts:Chart",
    "write_report": "toolkit.reports.html:write_report",
    "html_to_pdf": "toolkit.reports.pdf:html_to_pdf",
    # data the notebooks open
    "read_tracker": "toolkit.tracker.reader:read_tracker",
    "Term": "toolkit.calendar.terms:Term",
    "AcademicYear": "toolkit.calendar.terms:AcademicYear",
    "assess_school": "toolkit.assessment.designation:assess_school",
    "assess_trust": "toolkit.assessment.designation:assess_trust",
    "designations_frame": "toolkit.assessment.designation:designations_frame",
    "outcomes_year": "toolkit.assessment.evidence:outcomes_year",
    "group_gaps": "toolkit.assessment.groups:group_gaps",
    "display_groups": "toolkit.assessment.groups:display_groups",
    "trust_support": "toolkit.assessment.support:trust_support",
    "capacity_check": "toolkit.assessment.support:capacity_check",
    "support_flags": "toolkit.assessment.support:support_flags",
    "build_schedule": "toolkit.calendar.schedule:build_schedule",
    "deadline_table": "toolkit.calendar.schedule:deadline_table",
    "non_working_visit_problems": "toolkit.calendar.schedule:non_working_visit_problems",
    "term_dates_for": "toolkit.calendar.workingdays:term_dates_for",
    "year_overview": "toolkit.calendar.chart:year_overview",
    "compliance": "toolkit.calendar.compliance:compliance",
    "compliance_summary": "toolkit.calendar.compliance:compliance_summary",
    "merge_collected": "toolkit.visits.merge:merge_collected",
}
__all__ = sorted(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
