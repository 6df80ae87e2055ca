"""``nomodel new card|section``: a card (with the next free number) or a section, to fill in."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from ..errors import EXIT_OK, display_path
from .options import Environment, SubParsers, add_content_option


def add(commands: SubParsers) -> None:
    new = commands.add_parser(
        "new",
        help="create a card or a section, ready to fill in",
        description="Create a card (with the next free number) or a section, and print its path.",
    )
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    card = kinds.add_parser("card", help="a new card in a section")
    card.add_argument("--section", required=True, help="the section's folder, e.g. nos-cousins")
    card.add_argument(
        "--title", required=True, help='the card\'s title, e.g. "Le labo de la Loire"'
    )
    section = kinds.add_parser("section", help="a new section")
    section.add_argument("--title", required=True, help='the section\'s title, e.g. "Nos labos"')
    section.add_argument("--series", required=True, help="its cards' letter, e.g. A")
    for parser in (card, section):
        add_content_option(parser)


def run(args: argparse.Namespace, environment: Environment) -> int:
    print(display_path(_new(args)))
    return EXIT_OK


def _new(args: argparse.Namespace) -> Path:
    from .. import scaffold

    if args.kind == "card":
        return scaffold.new_card(args.content, args.section, args.title, datetime.date.today())
    return scaffold.new_section(args.content, args.title, args.series)
