"""``nomodel init DIR``: make a booklet project, with an example card."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_OK, display_path
from .options import Environment, SubParsers

NEEDS_CONTENT = False  # it makes the content folder


def add(commands: SubParsers) -> None:
    init = commands.add_parser(
        "init",
        help="make a new booklet project, with an example card",
        description="Make DIR a booklet project: DIR/content/ with booklet.yml, a section and"
        " an example card showing every feature, and a README; then 'cd DIR && nomodel'.",
    )
    init.add_argument("folder", metavar="DIR", type=Path, help="the project's folder")
    init.add_argument(
        "--with-theme",
        action="store_true",
        help="also copy nomodel's templates/ and styles/ into DIR, to change the look",
    )


def run(args: argparse.Namespace, environment: Environment) -> int:
    from .. import scaffold

    made = scaffold.init_project(args.folder, args.with_theme)
    print(f"made {', '.join(display_path(path) for path in made)}")
    print(f"next: cd {display_path(args.folder)} && nomodel")
    return EXIT_OK
