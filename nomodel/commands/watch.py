"""``nomodel watch``: build the booklet, then again at every save (``nomodel/watch.py``)."""

from __future__ import annotations

import argparse

from .options import (
    Environment,
    SubParsers,
    add_content_options,
    add_output_option,
    add_speed_options,
)


def add(commands: SubParsers) -> None:
    watch = commands.add_parser(
        "watch",
        help="rebuild the booklet at every save (Ctrl-C stops)",
        description="Build DIR/booklet.pdf, then again whenever a file of the content folder,"
        " templates/ or styles/ changes; a broken save keeps the last good PDF.",
    )
    add_content_options(watch)
    add_output_option(watch)
    add_speed_options(watch)


def run(args: argparse.Namespace, environment: Environment) -> int:
    from ..pipeline import BuildOptions  # WeasyPrint and pikepdf take 0.4 s to import
    from ..watch import watch

    options = BuildOptions(
        output_dir=args.output,
        allow_remote=args.allow_remote,
        jobs=args.jobs,
        cache=args.cache,
        source_date=environment.source_date,
    )
    return watch(args.content, options)
