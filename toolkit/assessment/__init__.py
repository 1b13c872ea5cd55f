"""Designation (Strand 4, Appendix A): the seven quality indicators, the evidence for each,
the proposal rule, risk, support packages and pupil groups.

Public API:

- ``assess_school(tracker, urn, term)`` -> ``SchoolAssessment``; ``assess_trust``;
  ``what_if(tracker, urn, term, overrides)``; ``designations_frame`` (``designation``).
- ``propose``, ``apply_exit_rule``, ``movement``: the rules themselves, policy in hand.
- ``suggest``, ``Suggestion``, ``outcomes_year``: data-based suggestions (``evidence``).
- ``inspections``, ``latest_inspection``, ``limiting_judgements``: Ofsted under both
  frameworks (``ofsted``).
- ``indicators``, ``descriptor_text``: Appendix A as data (``indicators``).
- ``package_for``, ``Package``: the support package for a designation (``packages``);
  ``trust_support``, ``capacity_check``, ``support_flags``: support delivered against it
  (``support``).
- ``group_gaps``, ``display_groups``, ``suppress_cells``: pupil groups (``groups``).
"""

from toolkit import lazy_api

_API = {
    "assess_school": "toolkit.assessment.designation:assess_school",
    "assess_trust": "toolkit.assessment.designation:assess_trust",
    "what_if": "toolkit.assessment.designation:what_if",
    "designations_frame": "toolkit.assessment.designation:designations_frame",
    "SchoolAssessment": "toolkit.assessment.designation:SchoolAssessment",
    "propose": "toolkit.assessment.designation:propose",
    "apply_exit_rule": "toolkit.assessment.designation:apply_exit_rule",
    "movement": "toolkit.assessment.designation:movement",
    "suggest": "toolkit.assessment.evidence:suggest",
    "Suggestion": "toolkit.assessment.evidence:Suggestion",
    "outcomes_year": "toolkit.assessment.evidence:outcomes_year",
    "inspections": "toolkit.assessment.ofsted:inspections",
    "latest_inspection": "toolkit.assessment.ofsted:latest_inspection",
    "limiting_judgements": "toolkit.assessment.ofsted:limiting_judgements",
    "indicators": "toolkit.assessment.indicators:indicators",
    "descriptor_text": "toolkit.assessment.indicators:descriptor_text",
    "Package": "toolkit.assessment.packages:Package",
    "package_for": "toolkit.assessment.packages:package_for",
    "trust_support": "toolkit.assessment.support:trust_support",
    "capacity_check": "toolkit.assessment.support:capacity_check",
    "support_flags": "toolkit.assessment.support:support_flags",
    "group_gaps": "toolkit.assessment.groups:group_gaps",
    "display_groups": "toolkit.assessment.groups:display_groups",
    "suppress_cells": "toolkit.assessment.groups:suppress_cells",
}
__all__ = sorted(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
