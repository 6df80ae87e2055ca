"""One chunk laid out and written as PDF, in whichever process runs it (``engine.py``).

What comes back is plain data (a laid-out WeasyPrint page cannot be pickled): the chunk's PDF
in each variant asked for, and what the merge and the build need from its layout — its anchors
and bookmarks, its fonts (their glyphs are embedded once for the whole booklet by
``fonts.py``), the tables wider than the text, the resources refused, the problems of the
theme's CSS and every resource read, for the cache to know when it is stale."""

from __future__ import annotations

import contextlib
import copy
import gc
import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from weasyprint import Document
from weasyprint.urls import URLFetcherResponse

from .checks import resource_policy
from .chunks import ANCHOR_SCHEME
from .compat import (
    KeptLayout,
    fixed_document_id,
    font_features_freed,
    font_programs_left_out,
    font_state,
    forget_link_annotations,
    kept_layouts,
    page_references_once,
    pagination_as_artifacts,
    renumbered,
    sided,
)
from .layout import LayoutOptions, SandboxedFetcher, lay_out, without_dead_links
from .memory import give_back
from .preflight import LowResImage, low_res_images
from .project import Theme
from .tag_tree import Heading, fixed_tags
from .theme import css_problems
from .wide_tables import TableMeasure, measure_tables

CHUNK_DOCUMENT_ID = uuid.UUID(int=0x6E6F6D6F64656C)  # "nomodel": replaced by the merge


@dataclass(frozen=True)
class ChunkJob:
    html: str
    content_dir: Path
    allow_remote: bool
    bleed_mm: float
    variants: tuple[str | None, ...]
    pad: bool = False  # to a multiple of 4 pages: only when the booklet is one chunk
    trim: bool = False  # written cut at the trim , else with the bleed


@dataclass(frozen=True)
class FontUse:
    """A font as the chunk used it: WeasyPrint's Font without its HarfBuzz objects."""

    key: str  # the font's hash, its name in the pages' resources
    file: str  # sha256 of the font file
    state: dict


@dataclass
class ChunkResult:
    pdfs: dict[str, bytes]  # variant ("" for none) → the chunk's PDF, fonts left out
    pages: int
    anchors: dict[str, int]  # name → page index in the chunk
    linked_elsewhere: list[int]  # the pages with a link to another chunk's anchor
    bookmarks: list[list[tuple]]  # per page: (level, label, (x, y), state)
    page_heights: list[float]
    fonts: list[FontUse]
    tables: list[TableMeasure]
    low_res: list[LowResImage]  # numbered from the chunk's first page, 1
    refused: dict[str, str]
    problems: list[str]  # the theme's CSS that WeasyPrint skipped
    title: str | None
    modified: str | None
    read: dict[str, str]  # URL → sha256 of what was read
    font_files: dict[str, bytes] = field(default_factory=dict)  # sha256 → file, if not known
    headings: dict[str, list[Heading]] = field(default_factory=dict)  # variant → its headings


class _RecordingFetcher(SandboxedFetcher):
    """Remembers what it read: a cached chunk is stale once any of it changed."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.read: dict[str, str] = {}

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        response = super().fetch(url, headers)
        data = response.read() if hasattr(response, "read") else b""
        self.read[url] = hashlib.sha256(data).hexdigest()
        return URLFetcherResponse(response.url, data, headers=dict(response.headers or {}))


def variant_key(variant: str | None) -> str:
    return variant or ""


@dataclass(frozen=True)
class Laid:
    """A chunk laid out and kept in its process (``hold``), waiting to know where it starts."""

    pages: int
    anchors: dict[str, int]  # name → page index in the chunk
    sided: bool  # its page breaks ask for sides: its pages depend on its first page's side


@dataclass
class _Layout:
    job: ChunkJob
    document: Document
    kept: KeptLayout
    fetcher: _RecordingFetcher
    problems: list[str]


_HELD: dict[int, _Layout] = {}  # in the process that laid them out: chunk → its layout


def lay_out_chunk(job: ChunkJob, known_fonts: set[str]) -> ChunkResult:
    """Lays out and writes one chunk; the Document is dropped before returning. Font files
    whose sha256 is not in ``known_fonts`` come back with the result."""
    try:
        return _written(_laid_out(job), known_fonts)
    finally:
        gc.collect()  # a chunk's layout is freed before the next one is made
        give_back()


def warm_up(content_dir: Path) -> None:
    """Lays out and writes a page of text with the theme's stylesheet, as a worker waits for
    its first chunk: the fonts loaded, WeasyPrint's caches filled (a process's first chunk
    took 0.13 s longer than the next). Whatever it meets is for the chunks to report."""
    stylesheet = Theme.of(content_dir).stylesheet().as_uri()
    html = (
        f'<html lang="fr"><head><link rel="stylesheet" href="{stylesheet}"></head><body>'
        "<h1>Titre</h1><h2>Sous-titre</h2><p>Un <em>laboratoire</em> d’innovation"
        " <strong>publique</strong>, 1 2 3.</p></body></html>"
    )
    logger = logging.getLogger("weasyprint")
    disabled, logger.disabled = logger.disabled, True
    try:
        with contextlib.suppress(Exception):  # the chunks meet it again, and report it
            lay_out_chunk(ChunkJob(html, content_dir, False, 3.0, (None,)), set())
    finally:
        logger.disabled = disabled


def hold(chunk: int, job: ChunkJob) -> Laid:
    """Lays ``chunk`` out and keeps it in this process until ``release``."""
    layout = _laid_out(job)
    _HELD[chunk] = layout
    return Laid(len(layout.document.pages), _first_pages(layout.document), sided(layout.kept))


def release(chunk: int, shift: int, flip: bool, known_fonts: set[str]) -> ChunkResult | None:
    """The chunk held, written as if laid out with its first page number ``shift`` further
    and, with ``flip``, on the other side; None when that would lay it out otherwise (it is
    then laid out again)."""
    layout = _HELD.pop(chunk)
    try:
        if shift or flip:
            with font_features_freed():
                document = renumbered(layout.document, layout.kept, shift, flip)
            if document is None:
                return None
            layout.document = without_dead_links(document)
        return _written(layout, known_fonts)
    finally:
        del layout
        gc.collect()
        give_back()


def _laid_out(job: ChunkJob) -> _Layout:
    policy = resource_policy(job.content_dir, job.allow_remote)
    theme = Theme.of(job.content_dir)
    fetcher = _RecordingFetcher(policy, theme)
    options = LayoutOptions(job.bleed_mm, next((v for v in job.variants if v), None), job.pad)
    with css_problems(theme) as problems, kept_layouts() as kept, font_features_freed():
        document = lay_out(job.html, job.content_dir.resolve(), options, fetcher)
    return _Layout(job, document, kept[0], fetcher, problems)


def _written(layout: _Layout, known_fonts: set[str]) -> ChunkResult:
    document, fetcher = layout.document, layout.fetcher
    try:
        pdfs, headings = {}, {}
        written = _trimmed(document) if layout.job.trim else document
        for variant in layout.job.variants:
            forget_link_annotations(written)
            with (
                font_programs_left_out(),
                fixed_document_id(CHUNK_DOCUMENT_ID),
                page_references_once(),
                pagination_as_artifacts(),
                fixed_tags() as found,
            ):
                # No /ID: for PDF/A and PDF/X, pydyf would make one from the data of every
                # object, each written a second time for it; the merge gives the booklet its
                # own (deterministic_id).
                pdf = written.write_pdf(pdf_variant=variant, pdf_identifier=False)
            if variant:
                headings[variant_key(variant)] = found
            pdfs[variant_key(variant)] = pdf
        result = ChunkResult(
            pdfs=pdfs,
            pages=len(document.pages),
            anchors=_first_pages(document),
            linked_elsewhere=_linked_elsewhere(document),
            bookmarks=[list(page.bookmarks) for page in document.pages],
            page_heights=[page.height for page in document.pages],
            fonts=[],
            tables=measure_tables(document),
            low_res=list(low_res_images(document)),
            refused=dict(fetcher.refused),
            problems=list(layout.problems),
            title=document.metadata.title,
            modified=document.metadata.modified,
            read=dict(fetcher.read),
            headings=headings,
        )
        _font_uses(written, result, known_fonts)  # filled while writing
    finally:
        del document
    return result


def _trimmed(document: Document) -> Document:
    """The same pages, cut at the trim (the chunk of a plain booklet)."""
    pages = []
    for page in document.pages:
        cut = copy.copy(page)  # a page's drawing is shared; only its box sizes change
        cut.bleed = dict.fromkeys(page.bleed, 0)
        pages.append(cut)
    return document.copy(pages)


def _first_pages(document: Document) -> dict[str, int]:
    """Anchor → the page where it starts (a box cut by a page break is on both)."""
    pages: dict[str, int] = {}
    for i, page in enumerate(document.pages):
        for name in page.anchors:
            pages.setdefault(name, i)
    return pages


def _linked_elsewhere(document: Document) -> list[int]:
    """The pages holding a link to another chunk's anchor (chunks.ANCHOR_SCHEME): the only
    ones the merge has to look at (a booklet's pages hold thousands of other links)."""
    return [
        i
        for i, page in enumerate(document.pages)
        if any(
            kind == "external" and target.startswith(ANCHOR_SCHEME)
            for kind, target, *_ in page.links
        )
    ]


def _font_uses(document: Document, result: ChunkResult, known: set[str]) -> None:
    """The chunk's fonts, and the files of those not in ``known`` (then known)."""
    for font in document.fonts.values():
        data, state = font_state(font)
        sha = hashlib.sha256(data).hexdigest()
        result.fonts.append(FontUse(font.hash, sha, state))
        if sha not in known:
            result.font_files[sha] = data
            known.add(sha)
