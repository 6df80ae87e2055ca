"""The command line: ``nomodel [build|check] …`` and ``python build.py …`` alike."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import pipeline
from .errors import ContentErrors, display_path

COMMANDS = ("build", "check")
EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nomodel",
        description="Turn a folder of Markdown cards into a print-ready PDF booklet.",
        epilog="Without a command, nomodel builds. 'nomodel COMMAND --help' tells more.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser(
        "build",
        help="check the content and write the booklet PDF (the default)",
        description="Check the content folder and write DIR/booklet.pdf.",
    )
    _add_content_option(build)
    build.add_argument(
        "--output",
        metavar="DIR",
        type=Path,
        default=Path("output"),
        help="folder for the PDF (default: output)",
    )
    check = commands.add_parser(
        "check",
        help="check the content without rendering",
        description="Check every file of the content folder and report all problems at once.",
    )
    _add_content_option(check)
    return parser


def _add_content_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content",
        metavar="DIR",
        type=Path,
        default=Path("content"),
        help="the content folder (default: content)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in (*COMMANDS, "-h", "--help"):
        args_list.insert(0, "build")
    parser = _parser()
    args = parser.parse_args(args_list)
    if not args.content.is_dir():
        parser.error(f"content folder not found: {args.content}")
    try:
        if args.command == "check":
            rendered = pipeline.check(args.content)
            print(f"{display_path(args.content)}: {len(rendered.content.cards)} cards, no problems")
        else:
            result = pipeline.build(args.content, args.output)
            print(
                f"{result.pages} pages, {result.cards} cards, {result.seconds:.1f} s"
                f" → {display_path(result.output)}"
            )
    except ContentErrors as problems:
        for problem in problems.errors:
            print(problem, file=sys.stderr)
        count = len(problems.errors)
        print(f"{count} problem{'s' if count > 1 else ''}: nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_OK
