"""The pipeline, stage by stage: load → Markdown → templates → one layout → PDF outputs."""

from __future__ import annotations

import datetime
import io
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from pypdf import PdfReader

from .compose import compose
from .errors import ContentErrors
from .impose import impose
from .layout import LayoutOptions, lay_out, trimmed
from .load import read_content
from .markdown_html import RenderedContent, render_content
from .paper import PAPER_SIZES, SHEET_FOR
from .preflight import Preflight, preflight
from .print_pdf import add_crop_marks
from .write import write_atomically


@dataclass(frozen=True)
class BuildOptions:
    output_dir: Path = Path("output")
    format: str | None = None  # overrides booklet.yml's
    pdf_variant: str | None = None
    bleed_mm: float = 3.0
    print_pdf: bool = False  # also write booklet-print.pdf, with bleed and crop marks
    impose: bool = False  # also write booklet-imposed.pdf, for saddle stitching
    sheet: str | None = None  # the imposition's sheet; twice the page size by default


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Path, ...]
    pages: int
    cards: int
    seconds: float
    preflight: Preflight | None = None


def build_date() -> datetime.date:
    """Today, or the day given by SOURCE_DATE_EPOCH so that rebuilds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.date.today()


def check(content_dir: Path) -> RenderedContent:
    """Everything a build checks, without the layout: raises ContentErrors with all problems."""
    content, problems = read_content(content_dir)
    rendered, more_problems = render_content(content)
    if problems or more_problems:
        raise ContentErrors((*problems, *more_problems))
    return rendered


def build(content_dir: Path, options: BuildOptions) -> BuildResult:
    """Lays the booklet out once and writes every output asked for from that layout."""
    started = time.perf_counter()
    rendered = _with_format(check(content_dir), options.format)
    html = compose(rendered, build_date())
    layout = LayoutOptions(bleed_mm=options.bleed_mm, pdf_variant=options.pdf_variant)
    document = lay_out(html, content_dir.resolve(), layout)

    folder, variant = options.output_dir, options.pdf_variant
    booklet = trimmed(document).write_pdf(pdf_variant=variant)
    outputs = [folder / "booklet.pdf"]
    write_atomically(outputs[-1], lambda stream: stream.write(booklet))
    report = None
    if options.print_pdf:
        printable = add_crop_marks(document.write_pdf(pdf_variant=variant), options.bleed_mm)
        outputs.append(folder / "booklet-print.pdf")
        write_atomically(outputs[-1], printable.write)
        report = preflight(document, printable.pages, options.bleed_mm)
    if options.impose:
        sheet = PAPER_SIZES[options.sheet or SHEET_FOR[rendered.content.booklet.format]]
        imposed = impose(PdfReader(io.BytesIO(booklet)), sheet.landscape_points())
        outputs.append(folder / "booklet-imposed.pdf")
        write_atomically(outputs[-1], imposed.write)
    return BuildResult(
        outputs=tuple(outputs),
        pages=len(document.pages),
        cards=len(rendered.content.cards),
        seconds=time.perf_counter() - started,
        preflight=report,
    )


def _with_format(rendered: RenderedContent, page_format: str | None) -> RenderedContent:
    if page_format is None:
        return rendered
    booklet = replace(rendered.content.booklet, format=page_format)
    return replace(rendered, content=replace(rendered.content, booklet=booklet))
