"""Workarounds of the dependencies' limitations, all in one place.

Each names the upstream limitation it works around; tests/test_compat.py fails loudly when a
dependency changes under one of them, so that it is revisited (or dropped) on upgrade.
``nomodel check`` imports this module without WeasyPrint: WeasyPrint is imported by the
functions that need it.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pydyf
from PIL import Image, ImageCms

if TYPE_CHECKING:
    from weasyprint import HTML, Document, Page
    from weasyprint.formatting_structure.boxes import Box, PageBox
    from weasyprint.layout import LayoutContext
    from weasyprint.text.fonts import FontConfiguration


@contextmanager
def page_references_once() -> Iterator[None]:
    """pydyf (0.13) computes ``PDF.page_references``, a tuple of every page's reference, anew
    on each read, and WeasyPrint (70) reads it once per link, anchor and tagged element
    (``weasyprint/pdf/anchors.py``, ``tags.py``): writing a PDF is quadratic in its pages
    (a 244-page tagged booklet read it 29 600 times, 7 million tuple items, a third of the
    write). Pages are only ever appended, so the tuple is kept while their number stays."""
    computed = pydyf.PDF.page_references

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        count = pdf.pages["Count"]
        cached = pdf.__dict__.get("_nomodel_page_references")
        if cached is None or cached[0] != count:
            cached = (count, computed.fget(pdf))
            pdf.__dict__["_nomodel_page_references"] = cached
        return cached[1]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = computed


def laid_out_boxes(page: Page) -> Iterator[Box]:
    """Every box drawn on ``page``, parents before their children.

    WeasyPrint (70) has no public API for the layout of a page: it keeps the boxes in the
    private ``Page._page_box``. The checks that need printed sizes (tables) read them here."""
    boxes: Iterator[Box] = page._page_box.descendants()
    return boxes


def add_fontconfig_rules(font_config: FontConfiguration, rules: bytes) -> None:
    """Adds Fontconfig ``rules`` (XML) to the configuration WeasyPrint lays out with.

    WeasyPrint (70) keeps its Fontconfig configuration in the private
    ``FontConfiguration._config`` and has no public way to add a rule; it adds its own
    @font-face rules there the same way."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2

    fontconfig.FcConfigParseAndLoadFromMemory(font_config._config, rules, True)
    pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", font_config.font_map))


@contextmanager
def fixed_document_id(document_id: uuid.UUID) -> Iterator[None]:
    """WeasyPrint (70) gives PDF/X-4 files a random XMP DocumentID (``uuid4()`` in
    ``weasyprint/pdf/metadata.py``), with no option to set it; two builds of the same content
    must be identical, so while the block runs the id is ``document_id`` (derived from what
    identifies the document: write.document_uuid)."""
    import weasyprint.pdf.metadata

    random_uuid = weasyprint.pdf.metadata.uuid4
    weasyprint.pdf.metadata.uuid4 = lambda: document_id
    try:
        yield
    finally:
        weasyprint.pdf.metadata.uuid4 = random_uuid


@contextmanager
def image_size_readable() -> Iterator[None]:
    """Pillow's ``Image.open`` refuses an image over twice ``Image.MAX_IMAGE_PIXELS`` (a
    DecompressionBombError that does not give the size) and takes no limit of its own per
    call: the process-wide limit is lifted while the block reads an image's header, so that
    nomodel can report the size against its own limit (fetch.MAX_PIXELS)."""
    bomb_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = bomb_limit


# ICC.1:2022 7.2: the header's creation date (bytes 24 to 35) and profile ID (84 to 99).
ICC_DATE = slice(24, 36)
ICC_PROFILE_ID = slice(84, 100)
FIXED_ICC_DATE = bytes.fromhex("07d0 0001 0001 0000 0000 0000")  # 2000-01-01 00:00:00


def srgb_profile() -> bytes:
    """An sRGB ICC profile, the same at every build. LittleCMS, through Pillow's
    ``ImageCms.createProfile``, stamps the profile's header with the clock, and Pillow has no
    way to set that date: it is fixed here (the profile has no ID, which would cover it)."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    assert not any(profile[ICC_PROFILE_ID])  # else the ID would have to be computed again
    profile[ICC_DATE] = FIXED_ICC_DATE
    return bytes(profile)


@dataclass
class KeptLayout:
    """What WeasyPrint laid a document out with, kept to renumber its pages."""

    html: HTML
    context: LayoutContext


@contextmanager
def kept_layouts() -> Iterator[list[KeptLayout]]:
    """WeasyPrint (70) drops its layout context (``LayoutContext``: page styles, running
    strings, page states) once ``Document._render`` returns, and has no way to make a page's
    margin boxes again: the context of each document rendered while the block runs is kept,
    through the name ``layout_document`` that ``weasyprint.document`` calls, for
    ``renumbered``."""
    import weasyprint.document

    kept: list[KeptLayout] = []
    lay_out_document = weasyprint.document.layout_document

    def keeping(html: HTML, root_box: Box, context: LayoutContext, *args: object) -> object:
        kept.append(KeptLayout(html, context))
        return lay_out_document(html, root_box, context, *args)

    weasyprint.document.layout_document = keeping
    try:
        yield kept
    finally:
        weasyprint.document.layout_document = lay_out_document


def renumbered(document: Document, kept: KeptLayout, shift: int, flip: bool) -> Document | None:
    """The pages of ``document`` as if its page counter had started ``shift`` further, and,
    with ``flip``, on the other side (left for right): their margin boxes made again, what
    else they hold moved by the difference of the two sides' margins. None when the other
    side's page area differs in size (the pages would be laid out differently)."""
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.layout.background import layout_backgrounds
    from weasyprint.layout.page import make_margin_boxes

    context = kept.context
    if flip and sided(kept):
        return None
    pages = []
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        target = _other_side(box, kept) if flip else box
        if target is None:
            return None
        dx = target.content_box_x() - box.content_box_x()
        body = [child for child in box.children if not isinstance(child, MarginBox)]
        for child in body:
            child.translate(dx=dx)
        context.current_page = number  # the running strings are kept by page number
        state = copy.deepcopy(context.page_maker[number][3])
        state[1]["page"][-1] += shift
        target.children = (*body, *make_margin_boxes(context, target, state))
        layout_backgrounds(target, context.get_image_from_uri)
        pages.append(Page(target))
    return document.copy(pages)


def sided(kept: KeptLayout) -> bool:
    """Whether a page break of the layout asks for a side (``break-before: right``…): on
    the other side, it would leave a blank page where it left none, or the reverse."""
    return any(
        next_page["break"] in ("left", "right", "recto", "verso")
        for _, next_page, *_ in kept.context.page_maker
    )


def _other_side(box: PageBox, kept: KeptLayout) -> PageBox | None:
    """A page box like ``box`` on the other side, without children; None when its page area
    is not of the same size and height (as make_page in weasyprint/layout/page.py)."""
    from weasyprint.formatting_structure.boxes import PageBox
    from weasyprint.layout.page import page_height, page_width, set_page_type_computed_styles
    from weasyprint.layout.percent import resolve_percentages

    context = kept.context
    side = "left" if box.page_type.side == "right" else "right"
    page_type = box.page_type._replace(side=side)
    set_page_type_computed_styles(page_type, kept.html, context.style_for)
    style = context.style_for(page_type)
    style["overflow"] = box.style["overflow"]
    other = PageBox(page_type, style)
    resolve_percentages(other, other.style["size"])
    other.position_x = other.position_y = 0
    page_width(other, context, other.style["size"][0])
    page_height(other, context, other.style["size"][1])
    same = (other.width, other.height, other.content_box_y(), other.margin_width()) == (
        box.width,
        box.height,
        box.content_box_y(),
        box.margin_width(),
    )
    if not same:
        return None
    other.fixed_boxes = box.fixed_boxes
    return other
