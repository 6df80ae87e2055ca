"""The command line: ``nomodel [build|check] …`` and ``python build.py …`` alike."""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from . import checks, scaffold, schema
from .errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, NomodelError, display_path
from .model import Booklet, CardFrontMatter, SectionFrontMatter
from .paper import BOOKLET_FORMATS, CARD_VARIANT, PAPER_SIZES

if TYPE_CHECKING:
    from .pipeline import BuildResult

MAX_BLEED_MM = 20.0
SCHEMAS: dict[str, type[BaseModel]] = {
    "booklet": Booklet,
    "section": SectionFrontMatter,
    "card": CardFrontMatter,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nomodel",
        description="Turn a folder of Markdown cards into a print-ready PDF booklet.",
        epilog="Without a command, nomodel builds. 'nomodel COMMAND --help' tells more.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_build(commands)
    _add_check(commands)
    _add_init(commands)
    _add_new(commands)
    _add_watch(commands)
    _add_schema(commands)
    return parser


def _add_build(commands: argparse._SubParsersAction) -> None:
    build = commands.add_parser(
        "build",
        help="check the content and write the booklet PDF (the default)",
        description="Check the content folder and write DIR/booklet.pdf"
        " (and, if asked, the print-shop and the imposed PDFs).",
    )
    _add_content_options(build)
    _add_output_option(build)
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


def _add_check(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser(
        "check",
        help="check the content without rendering",
        description="Check every file of the content folder and report all problems at once.",
    )
    _add_content_options(check)


def _add_init(commands: argparse._SubParsersAction) -> None:
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


def _add_new(commands: argparse._SubParsersAction) -> None:
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
        _add_content_option(parser)


def _add_watch(commands: argparse._SubParsersAction) -> None:
    watch = commands.add_parser(
        "watch",
        help="rebuild the booklet at every save (Ctrl-C stops)",
        description="Build DIR/booklet.pdf, then again whenever a file of the content folder,"
        " templates/ or styles/ changes; a broken save keeps the last good PDF.",
    )
    _add_content_options(watch)
    _add_output_option(watch)


def _add_schema(commands: argparse._SubParsersAction) -> None:
    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of booklet.yml, for editors that check it as you type",
        description="Print the JSON Schema of booklet.yml, or of a section's or a card's front"
        " matter, made from the definitions nomodel checks the content with.",
    )
    schema.add_argument("file", nargs="?", choices=tuple(SCHEMAS), default="booklet")
    schema.add_argument(
        "--markdown", action="store_true", help="the table of keys, as in the README, instead"
    )


def _add_output_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        metavar="DIR",
        type=Path,
        default=Path("output"),
        help="folder for the PDFs (default: output)",
    )


def _add_content_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content",
        metavar="DIR",
        type=Path,
        default=Path("content"),
        help="the content folder (default: content)",
    )


def _add_content_options(parser: argparse.ArgumentParser) -> None:
    _add_content_option(parser)
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="let cards load images and styles from http(s) addresses (off: nothing is"
        " fetched from the network)",
    )


def _millimetres(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mm)?\s*", text)
    if not match or float(match[1]) > MAX_BLEED_MM:
        raise argparse.ArgumentTypeError(f"expected millimetres up to {MAX_BLEED_MM}, e.g. 3mm")
    return float(match[1])


def _parse(argv: list[str]) -> argparse.Namespace:
    if not argv or argv[0] not in (*_COMMANDS, "-h", "--help"):
        argv.insert(0, "build")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in ("init", "schema"):
        return args
    if not args.content.is_dir():
        parser.error(f"content folder not found: {args.content}")
    if args.command != "build":
        return args
    chosen = [args.edition, args.all_editions, args.only or args.section]
    if sum(map(bool, chosen)) > 1:
        parser.error("choose one of --edition, --all-editions and --only/--section")
    if args.cards and any(chosen):
        parser.error("--cards goes with the whole booklet")
    if args.quiet and args.verbose:
        parser.error("--quiet or --verbose, not both")
    if args.sheet and not args.impose:
        parser.error("--sheet goes with --impose booklet")
    if args.strict and not args.print_pdf:
        parser.error("--strict goes with --print")
    if args.pdf_variant and args.pdf_variant not in pdf_variants():
        known = ", ".join(pdf_variants())
        parser.error(f"unknown --pdf-variant {args.pdf_variant!r} (choose from {known})")
    if not os.environ.get("SOURCE_DATE_EPOCH", "0").isdigit():
        parser.error("SOURCE_DATE_EPOCH must be a number of seconds since 1970")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; every failure ends here as plain lines and an exit code
    (``errors.NomodelError`` carries its own). Signals are set up by ``entry.main``."""
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    try:
        return _COMMANDS[args.command](args)
    except NomodelError as error:
        for line in error.lines():
            print(line, file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("nomodel: interrupted; the previous outputs are as they were", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:  # reading the content folder itself, say
        where = f" {display_path(Path(error.filename))}:" if error.filename else ""
        print(f"nomodel:{where} {error.strerror or error}", file=sys.stderr)
        return EXIT_PROBLEMS
    except Exception as error:
        if os.environ.get("NOMODEL_DEBUG"):
            raise
        print(
            f"nomodel: the build failed ({type(error).__name__}: {error}); the previous"
            " outputs are as they were. NOMODEL_DEBUG=1 shows the details.",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS


def _check(args: argparse.Namespace) -> int:
    rendered = checks.check(args.content, args.allow_remote, typeset=False)
    cards = len(rendered.content.cards)
    print(f"{display_path(args.content)}: {cards} cards, no problems")
    return EXIT_OK


def _new_command(args: argparse.Namespace) -> int:
    print(display_path(_new(args)))
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    made = scaffold.init_project(args.folder, args.with_theme)
    print(f"made {', '.join(display_path(path) for path in made)}")
    print(f"next: cd {display_path(args.folder)} && nomodel")
    return EXIT_OK


def _new(args: argparse.Namespace) -> Path:
    if args.kind == "card":
        return scaffold.new_card(args.content, args.section, args.title, datetime.date.today())
    return scaffold.new_section(args.content, args.title, args.series)


def _schema(args: argparse.Namespace) -> int:
    model = SCHEMAS[args.file]
    if args.markdown:
        print(schema.key_table(model), end="")
    else:
        print(json.dumps(schema.json_schema(model), indent=2, ensure_ascii=False))
    return EXIT_OK


def pdf_variants() -> list[str]:
    """The PDF standards WeasyPrint writes (its "debug" variant is no standard)."""
    from weasyprint.pdf import VARIANTS  # imported here: check has no use for WeasyPrint

    return sorted(variant for variant in VARIANTS if variant != "debug")


def _watch(args: argparse.Namespace) -> int:
    from .pipeline import BuildOptions
    from .watch import watch

    return watch(args.content, BuildOptions(output_dir=args.output, allow_remote=args.allow_remote))


def _build(args: argparse.Namespace) -> int:
    from . import pipeline  # WeasyPrint and pypdf take 0.4 s to import; check does without
    from .notices import notices
    from .progress import stage_reporter

    options = pipeline.BuildOptions(
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
    )
    if args.quiet:  # WeasyPrint's own warnings are for developers
        logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    with (
        stage_reporter(quiet=args.quiet, verbose=args.verbose) as stage,
        notices() as told,
    ):
        results = pipeline.build(args.content, options, stage)
    for notice in told:
        print(notice, file=sys.stderr)
    code = EXIT_OK
    for result in results:
        if not args.quiet:
            print(_summary(result))
        code = max(code, _preflight(result, args))
    return code


def _summary(result: BuildResult) -> str:
    cards = [path for path in result.outputs if path.parent.name == "cards"]
    shown = [display_path(path) for path in result.outputs if path not in cards]
    if cards:
        shown.append(f"{display_path(cards[0].parent)}/ ({len(cards)} PDFs)")
    outputs = ", ".join(shown)
    cards_count = f"{result.cards} card{'s' if result.cards != 1 else ''}"
    return f"{result.pages} pages, {cards_count}, {result.seconds:.1f} s → {outputs}"


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


_COMMANDS = {
    "build": _build,
    "check": _check,
    "init": _init,
    "new": _new_command,
    "watch": _watch,
    "schema": _schema,
}
