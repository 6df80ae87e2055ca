"""The pipeline, stage by stage: load → Markdown → templates → one layout → PDF outputs."""

from __future__ import annotations

import datetime
import io
import os
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from weasyprint import Document

from .cards import cut_cards
from .checks import check, resource_policy
from .compose import compose
from .errors import ContentError, ContentErrors
from .impose import impose
from .layout import LayoutOptions, SandboxedFetcher, lay_out, trimmed
from .markdown_html import RenderedContent
from .model import Content
from .paper import CARD_VARIANT, PAPER_SIZES, SHEET_FOR
from .preflight import Preflight, preflight
from .print_pdf import add_crop_marks
from .project import Theme
from .schema import NUMBER_PATTERN
from .selection import Target, targets
from .write import fonts_dated, pdf_bytes, write_atomically


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


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Path, ...]
    pages: int
    cards: int
    seconds: float
    preflight: Preflight | None = None


Stage = Callable[[str], AbstractContextManager[object]]


def quietly(name: str) -> AbstractContextManager[object]:
    """The stage reporter that reports nothing."""
    return nullcontext()


def version_time(content_dir: Path) -> datetime.datetime:
    """When the booklet was last changed: SOURCE_DATE_EPOCH if set, else the newest file of
    the content. Never the clock, so that two builds of the same content are identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        seconds = int(epoch)
    else:
        files = (path for path in content_dir.rglob("*") if path.is_file())
        seconds = int(max((path.stat().st_mtime for path in files), default=0))
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def build(content_dir: Path, options: BuildOptions, stage: Stage = quietly) -> list[BuildResult]:
    """Loads the content once, then lays out each booklet asked for (the booklet, editions or
    a proof) once, and writes every output from that layout. ``stage`` times each step."""
    with stage("load and check the content"):
        rendered = check(content_dir, options.allow_remote)
    chosen = targets(
        rendered.content,
        edition=options.edition,
        all_editions=options.all_editions,
        only=options.only,
        sections=options.sections,
    )
    version = version_time(content_dir)
    results = []
    for target in chosen:
        started = time.perf_counter()
        content = _with_format(target.content, options.format)
        document = _lay_out(replace(rendered, content=content), target, options, version, stage)
        with fonts_dated(version):
            outputs, report = _write_outputs(document, content, target.stem, options, stage)
        seconds = time.perf_counter() - started
        results.append(
            BuildResult(outputs, len(document.pages), len(content.cards), seconds, report)
        )
    return results


def _lay_out(
    rendered: RenderedContent,
    target: Target,
    options: BuildOptions,
    version: datetime.datetime,
    stage: Stage,
) -> Document:
    with stage(f"compose {target.stem}"):
        html = compose(rendered, version, proof=target.proof)
    if options.html:
        _write(options.output_dir / f"{target.stem}.html", html.encode())
    content_dir = rendered.content.root
    layout = LayoutOptions(options.bleed_mm, options.pdf_variant, pad=not target.proof)
    policy = resource_policy(content_dir, options.allow_remote)
    fetcher = SandboxedFetcher(policy, Theme.of(content_dir))
    with stage(f"lay out {target.stem}"):
        document = lay_out(html, content_dir.resolve(), layout, fetcher)
    if fetcher.refused:  # what the checks could not see: nothing is written
        raise ContentErrors(
            ContentError(content_dir, 0, f'"{url}" {reason}')
            for url, reason in fetcher.refused.items()
        )
    return document


def _write_outputs(
    document: Document, content: Content, stem: str, options: BuildOptions, stage: Stage
) -> tuple[tuple[Path, ...], Preflight | None]:
    folder, variant = options.output_dir, options.pdf_variant
    plain = trimmed(document)  # the booklet and the cards: cut at the trim
    with stage(f"write {stem}.pdf"):
        booklet = pdf_bytes(plain, variant)
        outputs = [_write(folder / f"{stem}.pdf", booklet)]
    report = None
    if options.print_pdf:
        with stage(f"write {stem}-print.pdf and check it"):
            printable = add_crop_marks(pdf_bytes(document, variant), options.bleed_mm)
            outputs.append(_write(folder / f"{stem}-print.pdf", printable))
            report = preflight(document, PdfReader(io.BytesIO(printable)).pages, options.bleed_mm)
    if options.impose:
        with stage(f"write {stem}-imposed.pdf"):
            sheet = PAPER_SIZES[options.sheet or SHEET_FOR[content.booklet.format]]
            imposed = impose(PdfReader(io.BytesIO(booklet)), sheet.landscape_points())
            outputs.append(_write(folder / f"{stem}-imposed.pdf", _bytes(imposed)))
    if options.cards:
        with stage("write the cards"):
            outputs += _write_cards(plain, content, folder / "cards", variant)
    return tuple(outputs), report


def _write_cards(
    document: Document, content: Content, folder: Path, variant: str | None
) -> list[Path]:
    written = []
    for card, single in cut_cards(document, content):
        written.append(
            _write(folder / f"{card.number}.pdf", pdf_bytes(single, variant or CARD_VARIANT))
        )
    # A card removed from the content must not linger as a PDF beside the others.
    for stale in set(folder.glob("*.pdf")) - set(written):
        if re.fullmatch(NUMBER_PATTERN, stale.stem):
            stale.unlink()
    return written


def _bytes(writer: PdfWriter) -> bytes:
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def _write(path: Path, pdf: bytes) -> Path:
    write_atomically(path, lambda stream: stream.write(pdf))
    return path


def _with_format(content: Content, page_format: str | None) -> Content:
    if page_format is None:
        return content
    return replace(content, booklet=replace(content.booklet, format=page_format))
