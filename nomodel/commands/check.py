"""``nomodel check``: check every file of the content folder, without making the PDF."""

from __future__ import annotations

import argparse

from .. import checks
from ..errors import EXIT_OK, display_path
from .options import Environment, SubParsers, add_content_options


def add(commands: SubParsers) -> None:
    check = commands.add_parser(
        "check",
        help="check the content without rendering",
        description="Check every file of the content folder and report all problems at once.",
    )
    add_content_options(check)


def run(args: argparse.Namespace, environment: Environment) -> int:
    rendered = checks.check(args.content, args.allow_remote, typeset=False)
    cards = len(rendered.content.cards)
    print(f"{display_path(args.content)}: {cards} cards, no problems")
    return EXIT_OK
