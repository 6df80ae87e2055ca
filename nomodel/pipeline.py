"""The pipeline, stage by stage: load → Markdown → templates → one layout → PDF outputs."""

from __future__ import annotations

import datetime
import io
import os
import re
import time
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
from .schema import NUMBER_PATTERN
from .write import pdf_bytes, write_atomically


@dataclass(frozen=True)
class BuildOptions:
    output_dir: Path = Path("output")
    format: str | None = None  # overrides booklet.yml's
    pdf_variant: str | None = None
    bleed_mm: float = 3.0
    print_pdf: bool = False  # also write booklet-print.pdf, with bleed and crop marks
    impose: bool = False  # also write booklet-imposed.pdf, for saddle stitching
    sheet: str | None = None  # the imposition's sheet; twice the page size by default
    cards: bool = False  # also write cards/NUMBER.pdf, one per card
    allow_remote: bool = False  # let content load http(s) resources


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Path, ...]
    pages: int
    cards: int
    seconds: float
    preflight: Preflight | None = None


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


def build(content_dir: Path, options: BuildOptions) -> BuildResult:
    """Lays the booklet out once and writes every output asked for from that layout."""
    started = time.perf_counter()
    rendered = _with_format(check(content_dir, options.allow_remote), options.format)
    html = compose(rendered, version_time(content_dir))
    layout = LayoutOptions(bleed_mm=options.bleed_mm, pdf_variant=options.pdf_variant)
    fetcher = SandboxedFetcher(resource_policy(content_dir, options.allow_remote))
    document = lay_out(html, content_dir.resolve(), layout, fetcher)
    if fetcher.refused:  # what the checks above could not see: nothing is written
        raise ContentErrors(
            ContentError(content_dir, 0, f'"{url}" {reason}')
            for url, reason in fetcher.refused.items()
        )

    folder, variant = options.output_dir, options.pdf_variant
    booklet = pdf_bytes(trimmed(document), variant)
    outputs = [_write(folder / "booklet.pdf", booklet)]
    report = None
    if options.print_pdf:
        printable = add_crop_marks(pdf_bytes(document, variant), options.bleed_mm)
        outputs.append(_write(folder / "booklet-print.pdf", printable))
        report = preflight(document, PdfReader(io.BytesIO(printable)).pages, options.bleed_mm)
    if options.impose:
        sheet = PAPER_SIZES[options.sheet or SHEET_FOR[rendered.content.booklet.format]]
        imposed = impose(PdfReader(io.BytesIO(booklet)), sheet.landscape_points())
        outputs.append(_write(folder / "booklet-imposed.pdf", _bytes(imposed)))
    if options.cards:
        outputs += _write_cards(trimmed(document), rendered.content, folder / "cards", variant)
    return BuildResult(
        outputs=tuple(outputs),
        pages=len(document.pages),
        cards=len(rendered.content.cards),
        seconds=time.perf_counter() - started,
        preflight=report,
    )


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


def _with_format(rendered: RenderedContent, page_format: str | None) -> RenderedContent:
    if page_format is None:
        return rendered
    booklet = replace(rendered.content.booklet, format=page_format)
    return replace(rendered, content=replace(rendered.content, booklet=booklet))
