"""``nomodel build`` (and plain ``nomodel``): check the content and write the booklet's PDFs."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..cache_key import FOLDER, PREVIOUS_LAYOUT
from ..errors import EXIT_OK, EXIT_PROBLEMS, display_path
from ..paper import BOOKLET_FORMATS, CARD_VARIANT, PAPER_SIZES
from ..telling import say, summary
from ..workers import Workers
from .options import (
    Environment,
    SubParsers,
    add_content_options,
    add_output_option,
    add_speed_options,
)

if TYPE_CHECKING:
    from ..pipeline import BuildOptions, BuildResult

MAX_BLEED_MM = 20.0


def add(commands: SubParsers) -> None:
    build = commands.add_parser(
        "build",
        help="check the content and write the booklet PDF (the default)",
        description="Check the content folder and write DIR/booklet.pdf"
        " (and, if asked, the print-shop and the imposed PDFs).",
    )
    add_content_options(build)
    add_output_option(build)
    build.add_argument(
        "--format",
        choices=BOOKLET_FORMATS,
        type=str.upper,
        help="page size (default: booklet.yml's, else A5)",
    )
    build.add_argument(
        "--pdf-variant",
        metavar="VARIANT",
        help="a PDF standard WeasyPrint knows, for every PDF written: pdf/a-1b … pdf/a-4u,"
        " pdf/ua-1, pdf/ua-2, pdf/x-1a … pdf/x-5g",
    )
    build.add_argument(
        "--cards",
        action="store_true",
        help="also write cards/NUMBER.pdf, one PDF per card, for reports"
        f" (archival and tagged: {CARD_VARIANT} unless --pdf-variant says otherwise)",
    )
    build.add_argument(
        "--qr",
        action="store_true",
        help="a QR code beside each link of a card, for phones (booklet.yml: qr: true)",
    )
    build.add_argument(
        "--html",
        action="store_true",
        help="also write NAME.html, the exact HTML handed to WeasyPrint (open it in a browser)",
    )
    add_speed_options(build)
    which = build.add_argument_group("which booklet (default: the whole content)")
    which.add_argument("--edition", metavar="NAME", help="an edition of booklet.yml → NAME.pdf")
    which.add_argument("--all-editions", action="store_true", help="every edition of booklet.yml")
    which.add_argument(
        "--only",
        metavar="NUMBER",
        action="append",
        default=[],
        help="a quick proof of these cards with their dividers → proof.pdf (00C.002,00C.003)",
    )
    which.add_argument(
        "--section",
        metavar="FOLDER",
        action="append",
        default=[],
        help="a quick proof of a whole section → proof.pdf",
    )
    shown = build.add_argument_group("what is printed")
    shown.add_argument("--quiet", action="store_true", help="only errors")
    shown.add_argument("--verbose", action="store_true", help="the seconds of each stage")
    printing = build.add_argument_group("print shop")
    printing.add_argument(
        "--print",
        action="store_true",
        dest="print_pdf",
        help="also write booklet-print.pdf: bleed, crop marks, then a preflight report",
    )
    printing.add_argument(
        "--bleed",
        metavar="LENGTH",
        type=_millimetres,
        default=3.0,
        help="bleed around each page, e.g. 5mm (default: 3mm)",
    )
    printing.add_argument(
        "--strict",
        action="store_true",
        help="with --print: exit 1 when the preflight finds a problem",
    )
    office = build.add_argument_group("office printing")
    office.add_argument(
        "--no-tint",
        action="store_false",
        dest="tint",
        help="white covers and dividers, to save toner (booklet.yml: tint: false)",
    )
    office.add_argument(
        "--impose",
        choices=("booklet",),
        help="also write booklet-imposed.pdf: two pages a sheet, for printing duplex "
        "(flip on the short edge), folding and stapling",
    )
    office.add_argument(
        "--sheet",
        choices=tuple(PAPER_SIZES),
        type=str.upper,
        help="with --impose: the sheet (default: twice the page, A4 for an A5 booklet)",
    )


def _millimetres(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mm)?\s*", text)
    if not match or float(match[1]) > MAX_BLEED_MM:
        raise argparse.ArgumentTypeError(f"expected millimetres up to {MAX_BLEED_MM}, e.g. 3mm")
    return float(match[1])


def usage_problem(args: argparse.Namespace) -> str | None:
    """What the options cannot mean together, if anything."""
    chosen = [args.edition, args.all_editions, args.only or args.section]
    if sum(map(bool, chosen)) > 1:
        return "choose one of --edition, --all-editions and --only/--section"
    if args.cards and any(chosen):
        return "--cards goes with the whole booklet"
    if args.quiet and args.verbose:
        return "--quiet or --verbose, not both"
    if args.sheet and not args.impose:
        return "--sheet goes with --impose booklet"
    if args.strict and not args.print_pdf:
        return "--strict goes with --print"
    if args.pdf_variant and args.pdf_variant not in pdf_variants():
        known = ", ".join(pdf_variants())
        return f"unknown --pdf-variant {args.pdf_variant!r} (choose from {known})"
    return None


def pdf_variants() -> list[str]:
    """The PDF standards WeasyPrint writes (its "debug" variant is no standard)."""
    from weasyprint.pdf import VARIANTS  # imported here: check has no use for WeasyPrint

    return sorted(variant for variant in VARIANTS if variant != "debug")


def run(args: argparse.Namespace, environment: Environment) -> int:
    workers = _early_workers(args)
    try:
        from .. import pipeline  # WeasyPrint and pikepdf take 0.3 s to import
        from ..notices import notices
        from ..progress import stage_reporter

        with (
            _weasyprint_silenced(args.quiet),
            stage_reporter(quiet=args.quiet, verbose=args.verbose) as stage,
            notices() as told,
        ):
            options = build_options(args, environment)
            results = pipeline.build(args.content, options, stage, workers)
    finally:
        if workers is not None:
            workers.close()
    say(sys.stderr, told)
    code = EXIT_OK
    for result in results:
        if not args.quiet:
            print(summary(result))
        code = max(code, _preflight(result, args))
    return code


def _early_workers(args: argparse.Namespace) -> Workers | None:
    """The worker processes started now, before anything heavy is imported, when the last
    build was laid out in chunks (its cache says so): meanwhile, they import WeasyPrint and
    warm up, so that the chunk an edit changed is laid out at once, beside this process
    reading the others from the cache. Else the pipeline starts them once it knows the
    booklet is large enough (pipeline.py)."""
    if args.jobs == 1 or not args.cache:
        return None
    if not (args.output / FOLDER / PREVIOUS_LAYOUT).is_file():
        return None
    workers = Workers(args.jobs, warm=args.content)
    workers.start()
    return workers


def build_options(args: argparse.Namespace, environment: Environment) -> BuildOptions:
    from ..pipeline import BuildOptions

    return BuildOptions(
        output_dir=args.output,
        format=args.format,
        pdf_variant=args.pdf_variant,
        bleed_mm=args.bleed,
        print_pdf=args.print_pdf,
        impose=bool(args.impose),
        sheet=args.sheet,
        cards=args.cards,
        allow_remote=args.allow_remote,
        html=args.html,
        edition=args.edition,
        all_editions=args.all_editions,
        only=tuple(number for value in args.only for number in value.split(",") if number),
        sections=tuple(args.section),
        qr=args.qr,
        tint=args.tint,
        jobs=args.jobs,
        cache=args.cache,
        source_date=environment.source_date,
    )


@contextmanager
def _weasyprint_silenced(quiet: bool) -> Iterator[None]:
    """With ``--quiet``, WeasyPrint's own warnings (for developers) are not shown, for this
    build only."""
    logger = logging.getLogger("weasyprint")
    level = logger.level
    if quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _preflight(result: BuildResult, args: argparse.Namespace) -> int:
    if result.preflight is None:
        return EXIT_OK
    if not args.quiet:
        print(f"Preflight of {display_path(result.outputs[1])}:")  # NAME-print.pdf
        for line in result.preflight.report():
            print(f"  {line}")
    problems = result.preflight.problems
    if problems and args.strict:
        for problem in problems:
            print(f"preflight: {problem}", file=sys.stderr)
        print(f"{len(problems)} preflight problem(s) (--strict)", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK
