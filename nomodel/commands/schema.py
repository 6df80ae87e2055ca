"""``nomodel schema``: the JSON Schema of ``booklet.yml`` or of a front matter, for editors, or
the README's table of its keys; made from ``nomodel/model.py``, which the checks use too."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from ..errors import EXIT_OK
from .options import Environment, SubParsers

if TYPE_CHECKING:
    from pydantic import BaseModel

NEEDS_CONTENT = False
# file → its model in ``nomodel/model.py`` (imported by ``run``: pydantic takes a while)
SCHEMAS = {"booklet": "Booklet", "section": "SectionFrontMatter", "card": "CardFrontMatter"}


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


def model(file: str) -> type[BaseModel]:
    """The model of ``file`` (a key of SCHEMAS)."""
    from .. import model as models

    found: type[BaseModel] = getattr(models, SCHEMAS[file])
    return found


def run(args: argparse.Namespace, environment: Environment) -> int:
    from .. import schema

    model_of_file = model(args.file)
    if args.markdown:
        print(schema.key_table(model_of_file), end="")
    else:
        print(json.dumps(schema.json_schema(model_of_file), indent=2, ensure_ascii=False))
    return EXIT_OK
