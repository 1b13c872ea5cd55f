"""``toolkit`` command line. Each sub-command is a module in ``toolkit.commands``.

A command module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int`` (the exit code). Commands are discovered, not listed here, so adding
one is adding a file (papermill's registry pattern).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

import toolkit.commands
from toolkit import __version__
from toolkit.commands._common import CommandFailed
from toolkit.tracker.problems import InvalidInput


def _command_modules() -> list:
    mods = []
    for info in sorted(pkgutil.iter_modules(toolkit.commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"toolkit.commands.{info.name}"))
    return mods


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="toolkit",
        description="School Improvement Toolkit: trackers, designations, calendars and committee reports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP))
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


# Exit code for a closed output pipe: 128 + SIGPIPE, what a shell reports for `yes | head`.
BROKEN_PIPE_EXIT = 141


def _quiet_broken_pipe() -> int:
    """The reader of our output went away (``toolkit validate ... | head``): stop quietly.

    Standard output is pointed at /dev/null so the interpreter's final flush does not
    raise a second BrokenPipeError ("Exception ignored ...") on the way out.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (e.g. captured in tests)
        pass
    return BROKEN_PIPE_EXIT


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        code = int(args._run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except CommandFailed as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except InvalidInput as exc:  # a rule met input it cannot use (e.g. a year with no term dates)
        print(exc.report.render(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
