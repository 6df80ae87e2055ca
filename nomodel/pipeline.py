"""The pipeline, stage by stage: load → Markdown → templates → one layout → PDF outputs."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import TemplateError

from .cache import Cache
from .cache_key import FOLDER as CACHE_FOLDER
from .cards import CardInfo
from .check_cache import CheckCache
from .checks import check
from .chunks import Marks
from .compose import compose
from .derive import CARDS_FOLDER, Wanted, derive
from .engine import Booklet, Settings, Workers, in_chunks, lay_out_booklet
from .errors import ContentError, ContentErrors, ThemeError
from .markdown_html import RenderedContent
from .model import Content
from .paper import CARD_VARIANT, PAPER_SIZES, SHEET_FOR
from .preflight import LowResImage, Preflight
from .project import Theme
from .qr import qr_problems
from .schema import NUMBER_PATTERN
from .selection import Target, targets
from .theme import template_error
from .wide_tables import wide_table_problems
from .write import Outputs


@dataclass(frozen=True)
class BuildOptions:
    output_dir: Path = Path("output")
    format: str | None = None  # overrides booklet.yml's
    pdf_variant: str | None = None
    bleed_mm: float = 3.0
    print_pdf: bool = False  # also write NAME-print.pdf, with bleed and crop marks
    impose: bool = False  # also write NAME-imposed.pdf, for saddle stitching
    sheet: str | None = None  # the imposition's sheet; twice the page size by default
    cards: bool = False  # also write cards/NUMBER.pdf, one per card
    allow_remote: bool = False  # let content load http(s) resources
    html: bool = False  # also write NAME.html, the HTML handed to WeasyPrint
    edition: str | None = None  # build this edition of booklet.yml instead of the booklet
    all_editions: bool = False
    only: tuple[str, ...] = ()  # a proof of these cards
    sections: tuple[str, ...] = ()  # a proof of these sections
    qr: bool = False  # QR codes beside the cards' links, whatever booklet.yml says
    tint: bool = True  # False: white covers and dividers, whatever booklet.yml says
    jobs: int | None = None  # processes laying out chunks; None: one per core, 1: this one
    cache: bool = True  # keep bodies and chunks in OUTPUT/.nomodel-cache for the next build
    source_date: int | None = None  # SOURCE_DATE_EPOCH: the booklet's date, in seconds


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Path, ...]
    pages: int
    cards: int
    seconds: float
    preflight: Preflight | None = None
    laid_out: int | None = None  # cards laid out by this build, the others were cached


Stage = Callable[[str], AbstractContextManager[object]]


def quietly(name: str) -> AbstractContextManager[object]:
    """The stage reporter that reports nothing."""
    return nullcontext()


def version_time(content_dir: Path, source_date: int | None = None) -> datetime.datetime:
    """When the booklet was last changed: ``source_date`` (SOURCE_DATE_EPOCH) if given, else
    the newest file of the content. Never the clock, so that two builds of the same content
    are identical."""
    if source_date is not None:
        seconds = source_date
    else:
        files = (path for path in content_dir.rglob("*") if path.is_file())
        seconds = int(max((path.stat().st_mtime for path in files), default=0))
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def build(
    content_dir: Path,
    options: BuildOptions,
    stage: Stage = quietly,
    workers: Workers | None = None,
) -> list[BuildResult]:
    """Loads the content once, then lays out each booklet asked for (the booklet, editions or
    a proof) once, and makes every output from that layout. Nothing is written until every
    output of every booklet is made: then they replace the previous ones together.
    ``stage`` times each step; ``workers`` lay out chunks (``watch`` gives its own)."""
    own_workers = workers is None
    workers = workers or Workers(options.jobs, warm=content_dir)
    try:
        return _build(content_dir, options, stage, workers)
    finally:
        if own_workers:
            workers.close()


def _build(
    content_dir: Path, options: BuildOptions, stage: Stage, workers: Workers
) -> list[BuildResult]:
    cache_folder = options.output_dir / CACHE_FOLDER if options.cache else None
    kept = CheckCache(cache_folder)
    with stage("load and check the content"):
        rendered = check(content_dir, options.allow_remote, kept=kept)
    chosen = targets(
        rendered.content,
        edition=options.edition,
        all_editions=options.all_editions,
        only=options.only,
        sections=options.sections,
    )
    if any(in_chunks(len(target.content.cards)) for target in chosen):
        workers.start()  # importing WeasyPrint takes them a second: meanwhile, the templates
    version = version_time(content_dir, options.source_date)
    results = []
    cache = Cache(cache_folder)
    with Outputs(options.output_dir) as outputs:
        for target in chosen:
            started = time.perf_counter()
            content = _with_options(target.content, options)
            if content.booklet.qr and (problems := list(qr_problems(content))):
                raise ContentErrors(problems)
            target_rendered = replace(rendered, content=content)
            result = _build_target(
                target_rendered, target, options, version, outputs, stage, workers, cache
            )
            results.append(replace(result, seconds=time.perf_counter() - started))
        outputs.commit()
    cache.commit()
    kept.save()
    return results


def _build_target(
    rendered: RenderedContent,
    target: Target,
    options: BuildOptions,
    version: datetime.datetime,
    outputs: Outputs,
    stage: Stage,
    workers: Workers,
    cache: Cache,
) -> BuildResult:
    """One booklet: laid out in chunks (engine.py), on every core and only what changed,
    written once, then every other output derived from that PDF (``_derived``)."""
    content = rendered.content
    content_dir = content.root
    marks = Marks()
    with stage(f"compose {target.stem}"):
        try:
            html = compose(rendered, version, proof=target.proof, mark=marks)
        except TemplateError as error:
            raise template_error(error, Theme.of(content_dir)) from None
    if options.html:
        outputs.write(f"{target.stem}.html", marks.strip(html).encode())
    # Card PDFs are cut from the booklet, so with ``--cards`` the booklet is written in the
    # cards' variant (archival and tagged) unless ``--pdf-variant`` names another.
    variant = options.pdf_variant or (CARD_VARIANT if options.cards else None)
    settings = Settings(
        content_dir,
        options.allow_remote,
        options.bleed_mm,
        (variant,),
        pad=not target.proof,
        trim=not options.print_pdf,  # else written with the bleed, the print PDF's master
    )
    with stage(f"lay out {target.stem}"):
        booklet = lay_out_booklet(html, marks, settings, workers, cache)
    _fail_on_problems(booklet, content)
    wanted = _wanted(booklet, content, options, target.stem, trim=not settings.trim)
    with stage(_writing(wanted)):
        made = derive(booklet.pdfs[variant], wanted, outputs.staging)
    if options.cards:
        outputs.replace_folder(CARDS_FOLDER, _card_pdf)
    return BuildResult(
        tuple(outputs.adopt(file) for file in made.files),
        booklet.pages,
        len(content.cards),
        0.0,
        made.report,
        laid_out=booklet.laid_out_cards,
    )


def _fail_on_problems(booklet: Booklet, content: Content) -> None:
    """What the layout found wrong: the theme's CSS that WeasyPrint skipped, resources it
    refused (what the checks could not see: SVG images reference others while drawn), tables
    wider than the text."""
    if problems := [line for result in booklet.results for line in result.problems]:
        raise ThemeError("\n".join(dict.fromkeys(problems)))
    refused = {url: why for result in booklet.results for url, why in result.refused.items()}
    if refused:
        raise ContentErrors(
            ContentError(content.root, 0, f'"{url}" {reason}') for url, reason in refused.items()
        )
    measures = [measure for result in booklet.results for measure in result.tables]
    if wide := wide_table_problems(measures, content):
        raise ContentErrors(wide)


def _wanted(
    booklet: Booklet, content: Content, options: BuildOptions, stem: str, trim: bool
) -> Wanted:
    sheet = None
    if options.impose:
        sheet = PAPER_SIZES[options.sheet or SHEET_FOR[content.booklet.format]].landscape_points()
    return Wanted(
        stem=stem,
        trim=trim,
        bleed_mm=options.bleed_mm,
        print_pdf=options.print_pdf,
        sheet=sheet,
        cards=tuple(CardInfo.of(card) for card in content.cards) if options.cards else (),
        subject=content.booklet.subject,
        low_res=tuple(_low_res(booklet)) if options.print_pdf else (),
    )


def _writing(wanted: Wanted) -> str:
    """The stage's name: what it writes."""
    names = [f"{wanted.stem}.pdf"]
    if wanted.print_pdf:
        names.append(f"{wanted.stem}-print.pdf (checked)")
    if wanted.sheet is not None:
        names.append(f"{wanted.stem}-imposed.pdf")
    if wanted.cards:
        names.append("the cards")
    return "write " + " and ".join([", ".join(names[:-1]), names[-1]] if names[1:] else names)


def _low_res(booklet: Booklet) -> list[LowResImage]:
    """The images below print resolution, numbered by the booklet's pages."""
    return [
        replace(image, page=start + image.page - 1)
        for result, start in zip(booklet.results, booklet.starts, strict=True)
        for image in result.low_res
    ]


def _card_pdf(path: Path) -> bool:
    """A file that a build made for a card: a card removed from the content loses it."""
    return path.suffix == ".pdf" and re.fullmatch(NUMBER_PATTERN, path.stem) is not None


def _with_options(content: Content, options: BuildOptions) -> Content:
    """The booklet as the command line asks: another format, QR codes, no tint."""
    booklet = content.booklet
    return replace(
        content,
        booklet=booklet.model_copy(
            update={
                "format": options.format or booklet.format,
                "qr": booklet.qr or options.qr,
                "tint": booklet.tint and options.tint,
            }
        ),
    )
