"""What several commands share: the content and output folders, and the environment."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SubParsers = argparse._SubParsersAction  # argparse's type for add_subparsers()' result


@dataclass(frozen=True)
class Environment:
    """The environment variables nomodel reads, read once when a command starts."""

    source_date: int | None = None  # SOURCE_DATE_EPOCH: the booklet's date, in seconds
    debug: bool = False  # NOMODEL_DEBUG: show the traceback of an unexpected failure

    @classmethod
    def read(cls, environ: Mapping[str, str]) -> Environment:
        """ValueError, saying what is expected, for a variable that makes no sense."""
        epoch = environ.get("SOURCE_DATE_EPOCH")
        if epoch is not None and not epoch.isdigit():
            raise ValueError("SOURCE_DATE_EPOCH must be a number of seconds since 1970")
        return cls(
            source_date=int(epoch) if epoch is not None else None,
            debug=bool(environ.get("NOMODEL_DEBUG")),
        )


def add_output_option(
    parser: argparse.ArgumentParser, purpose: str = "folder for the PDFs"
) -> None:
    parser.add_argument(
        "--output",
        metavar="DIR",
        type=Path,
        default=Path("output"),
        help=f"{purpose} (default: output)",
    )


def add_content_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content",
        metavar="DIR",
        type=Path,
        default=Path("content"),
        help="the content folder (default: content)",
    )


def add_content_options(parser: argparse.ArgumentParser) -> None:
    add_content_option(parser)
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="let cards load images and styles from http(s) addresses (off: nothing is"
        " fetched from the network)",
    )


def add_speed_options(parser: argparse.ArgumentParser) -> None:
    """How the booklet is laid out: in how many processes, with the cache or not."""
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="lay the booklet out in N processes (default: one per core; 1: this one only)",
    )
    add_cache_option(parser, "convert and lay out everything again")


def add_cache_option(parser: argparse.ArgumentParser, again: str) -> None:
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help=f"{again}, without DIR/.nomodel-cache (kept for the next run)",
    )
