"""``nomodel schema``: the JSON Schema of ``booklet.yml`` or of a front matter, for editors, or
the README's table of its keys; made from ``nomodel/model.py``, which the checks use too."""

from __future__ import annotations

import argparse
import json

from pydantic import BaseModel

from .. import schema
from ..errors import EXIT_OK
from ..model import Booklet, CardFrontMatter, SectionFrontMatter
from .options import Environment, SubParsers

NEEDS_CONTENT = False
SCHEMAS: dict[str, type[BaseModel]] = {
    "booklet": Booklet,
    "section": SectionFrontMatter,
    "card": CardFrontMatter,
}


def add(commands: SubParsers) -> None:
    parser = commands.add_parser(
        "schema",
        help="print the JSON Schema of booklet.yml, for editors that check it as you type",
        description="Print the JSON Schema of booklet.yml, or of a section's or a card's front"
        " matter, made from the definitions nomodel checks the content with.",
    )
    parser.add_argument("file", nargs="?", choices=tuple(SCHEMAS), default="booklet")
    parser.add_argument(
        "--markdown", action="store_true", help="the table of keys, as in the README, instead"
    )


def run(args: argparse.Namespace, environment: Environment) -> int:
    model = SCHEMAS[args.file]
    if args.markdown:
        print(schema.key_table(model), end="")
    else:
        print(json.dumps(schema.json_schema(model), indent=2, ensure_ascii=False))
    return EXIT_OK
