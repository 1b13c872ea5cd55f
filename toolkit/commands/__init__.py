"""Sub-commands of the ``toolkit`` CLI, one module each (see ``toolkit.cli``)."""
