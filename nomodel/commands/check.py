"""``nomodel check``: check every file of the content folder, without making the PDF."""

from __future__ import annotations

import argparse

from ..errors import EXIT_OK, display_path
from .options import (
    Environment,
    SubParsers,
    add_cache_option,
    add_content_options,
    add_output_option,
)


def add(commands: SubParsers) -> None:
    check = commands.add_parser(
        "check",
        help="check the content without rendering",
        description="Check every file of the content folder and report all problems at once.",
    )
    add_content_options(check)
    add_output_option(check, "the build's output folder, where DIR/.nomodel-cache is kept")
    add_cache_option(check, "convert every card again")


def run(args: argparse.Namespace, environment: Environment) -> int:
    from .. import checks
    from ..cache_key import FOLDER
    from ..check_cache import CheckCache

    # Kept whatever the check finds: after fixing one card, the next check converts it alone.
    kept = CheckCache(args.output / FOLDER if args.cache else None, problems_only=True)
    try:
        rendered = checks.check(args.content, args.allow_remote, problems_only=True, kept=kept)
    finally:
        kept.save()
    cards = len(rendered.content.cards)
    print(f"{display_path(args.content)}: {cards} cards, no problems")
    return EXIT_OK
