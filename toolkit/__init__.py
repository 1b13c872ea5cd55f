"""School Improvement Toolkit: designation reviews, calendar rules and committee reports
for a multi-academy trust's School Improvement Strategy.

The package is layered; each layer imports only the ones above it:

- ``toolkit.policy``: the trust's policy file (every threshold, day count and mapping).
- ``toolkit.tracker``: the Excel tracker: schema, template, validating reader, queries.
- ``toolkit.calendar``: terms, working days, the year's schedule, compliance, iCalendar.
- ``toolkit.assessment``: the seven quality indicators, Ofsted, designation, support, groups.
- ``toolkit.reports``: what the report notebooks call: data, charts, HTML and PDF.
- ``toolkit.batch``: every report of a term, in parallel warm kernels.
- ``toolkit.cli`` and ``toolkit.commands``: the ``toolkit`` command.

Each subpackage names its public API in its docstring and ``__all__``; the names load on
first use (so ``toolkit validate`` does not import matplotlib, and the layers stay free of
import cycles).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("school-improvement-toolkit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"


def lazy_api(package: str, api: dict[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a subpackage whose public names load on first use.

    ``api`` maps each public name to ``"module"`` (a submodule) or ``"module:attribute"``.
    Loading lazily keeps the command line quick and lets a lower layer import
    ``toolkit.tracker.schema`` without pulling in the whole tracker reader.
    """

    def __getattr__(name: str) -> object:
        target = api.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_name, _, attribute = target.partition(":")
        module = importlib.import_module(module_name)
        value = getattr(module, attribute) if attribute else module
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(api)

    return __getattr__, __dir__
