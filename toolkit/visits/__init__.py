"""Visit report forms (Appendix D): written prefilled for each visit, collected back checked.

Public API:

- ``plan_forms(tracker, start, end)`` -> list of ``VisitForm`` (one per recorded or
  scheduled visit in the range, prefilled from the tracker and the year's schedule);
  ``write_forms(forms, out_dir)`` -> ``FormBatch``; ``write_form(path, form=None)`` (the
  blank template when ``form`` is None); ``scheduled_reference`` (``SIP-<URN>-<YYYY>-<MM>``).
- ``collect_forms(folder, tracker)`` -> ``Collection`` (Visits rows, each report's working
  days late, every problem at once naming file and field); ``write_collection(collection,
  path)``; ``read_form(path)`` -> ``FormContent``; ``UnreadableFolder``.
- ``merge_collected(tracker, collected)`` -> a new ``Tracker`` whose Visits include the
  collected rows (in memory; the tracker file is never written); ``read_collected(path)``.
- ``write_sample_forms(out_dir)``: the sample trust's filled forms for one half term.
- ``FORM_VERSION``: the template version every form carries.

Modules: ``layout`` (where each field sits), ``forms`` (writing), ``collect`` (reading and
checking), ``merge`` (into the tracker in memory), ``sample``.
"""

from toolkit import lazy_api

_API = {
    "plan_forms": "toolkit.visits.forms:plan_forms",
    "write_forms": "toolkit.visits.forms:write_forms",
    "write_form": "toolkit.visits.forms:write_form",
    "VisitForm": "toolkit.visits.forms:VisitForm",
    "FormBatch": "toolkit.visits.forms:FormBatch",
    "scheduled_reference": "toolkit.visits.forms:scheduled_reference",
    "collect_forms": "toolkit.visits.collect:collect_forms",
    "write_collection": "toolkit.visits.collect:write_collection",
    "read_form": "toolkit.visits.collect:read_form",
    "FormContent": "toolkit.visits.collect:FormContent",
    "Collection": "toolkit.visits.collect:Collection",
    "UnreadableFolder": "toolkit.visits.collect:UnreadableFolder",
    "merge_collected": "toolkit.visits.merge:merge_collected",
    "read_collected": "toolkit.visits.merge:read_collected",
    "write_sample_forms": "toolkit.visits.sample:write_sample_forms",
    "FORM_VERSION": "toolkit.visits.layout:FORM_VERSION",
}
__all__ = sorted(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
