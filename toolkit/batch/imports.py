"""What a batch's processes leave unimported, to start faster.

papermill validates notebooks with nbformat, which imports ``jsonschema``; jsonschema
then imports the optional IRI checker ``rfc3987_syntax`` if it is installed (JupyterLab's
``jupyter-events`` installs it, through ``jsonschema[format-nongpl]``). That module
compiles some twenty Earley grammars when it is imported: 0.7 s of CPU on an idle
machine, paid by the batch's main process and again by every worker it starts, before
any report is made (upstream: python-jsonschema/jsonschema#1428, and #1521 for a fork
that loads lazily). Notebook validation never checks the ``iri`` format, so a batch
process marks the module as absent; jsonschema then simply registers no IRI checker.

JupyterLab and the LSIP's kernels are untouched: only ``toolkit batch`` calls this.
"""

from __future__ import annotations

import sys

#: Optional modules jsonschema looks for that no batch process needs.
UNUSED_OPTIONAL = ("rfc3987_syntax",)


def skip_unused_imports() -> None:
    """Make ``import`` of each ``UNUSED_OPTIONAL`` module raise ImportError in this process.

    Harmless if the module is already imported (nothing changes) or is not installed.
    """
    for name in UNUSED_OPTIONAL:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
