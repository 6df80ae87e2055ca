"""Workarounds of the dependencies' limitations, all in one place.

Each names the upstream limitation it works around; tests/test_compat.py fails loudly when a
dependency changes under one of them, so that it is revisited (or dropped) on upgrade.
``nomodel check`` imports this module without WeasyPrint: WeasyPrint is imported by the
functions that need it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pydyf
from PIL import Image, ImageCms

if TYPE_CHECKING:
    from weasyprint import Page
    from weasyprint.formatting_structure.boxes import Box
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
