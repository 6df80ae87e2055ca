"""The command line: ``nomodel [build|check|…] …`` and ``python build.py …`` alike.

Each command is a module of ``nomodel/commands/``; here the command line is parsed, the
environment read once, and every failure ends as plain lines and an exit code."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from .commands import build, check, init, new, schema, watch
from .commands.options import Environment
from .errors import EXIT_INTERRUPTED, EXIT_PROBLEMS, NomodelError, display_path
from .telling import say

COMMANDS: dict[str, ModuleType] = {
    "build": build,
    "check": check,
    "init": init,
    "new": new,
    "watch": watch,
    "schema": schema,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nomodel",
        description="Turn a folder of Markdown cards into a print-ready PDF booklet.",
        epilog="Without a command, nomodel builds. 'nomodel COMMAND --help' tells more.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS.values():
        command.add(commands)
    return parser


def _parse(argv: list[str]) -> tuple[argparse.Namespace, Environment]:
    """The arguments and the environment; a usage error (exit code 2) for either."""
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "build")
    parser = _parser()
    args = parser.parse_args(argv)
    command = COMMANDS[args.command]
    if getattr(command, "NEEDS_CONTENT", True) and not args.content.is_dir():
        parser.error(f"content folder not found: {args.content}")
    usage_problem = getattr(command, "usage_problem", None)
    if usage_problem and (problem := usage_problem(args)):
        parser.error(problem)
    try:
        return args, Environment.read(os.environ)
    except ValueError as problem:
        parser.error(str(problem))


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; every failure ends here as plain lines and an exit code
    (``errors.NomodelError`` carries its own). Signals are set up by ``entry.main``."""
    args, environment = _parse(list(sys.argv[1:] if argv is None else argv))
    try:
        code: int = COMMANDS[args.command].run(args, environment)
        return code
    except NomodelError as error:
        say(sys.stderr, error.lines())
        return error.exit_code
    except KeyboardInterrupt:
        print("nomodel: interrupted; the previous outputs are as they were", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:  # reading the content folder itself, say
        where = f" {display_path(Path(error.filename))}:" if error.filename else ""
        print(f"nomodel:{where} {error.strerror or error}", file=sys.stderr)
        return EXIT_PROBLEMS
    except Exception as error:
        if environment.debug:
            raise
        print(
            f"nomodel: the build failed ({type(error).__name__}: {error}); the previous"
            " outputs are as they were. NOMODEL_DEBUG=1 shows the details.",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
