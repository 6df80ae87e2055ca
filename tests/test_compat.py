"""The dependency workarounds of nomodel/compat.py: each test fails when the dependency
changes under its workaround, so that it is looked at again on upgrade."""

from __future__ import annotations

import io
import re
import struct
import uuid
import zlib

import pydyf
import pytest
import weasyprint.pdf.metadata
from PIL import Image, ImageCms
from weasyprint import HTML
from weasyprint.text.ffi import ffi
from weasyprint.text.fonts import FontConfiguration

from nomodel.compat import (
    FIXED_ICC_DATE,
    add_fontconfig_rules,
    fixed_document_id,
    image_size_readable,
    laid_out_boxes,
    page_references_once,
    srgb_profile,
)
from nomodel.faces import NO_SYNTHESIS

LINKED_PAGES = '<html lang="fr">' + "".join(
    f'<section id="s{n}" style="page-break-after: always"><a href="#s{(n + 1) % 6}">next</a>'
    f"<h1>Page {n}</h1></section>"
    for n in range(6)
)


def test_pydyf_still_computes_page_references_anew_on_each_read() -> None:
    """The upstream limitation: when pydyf caches the tuple itself, drop the workaround."""
    pdf = pydyf.PDF()
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert pdf.page_references is not pdf.page_references


def test_page_references_once_changes_nothing_in_the_pdf() -> None:
    """Same bytes, tagged or not, with links and anchors on every page (what reads the
    references); and new pages are seen (the cache follows the page count)."""
    document = HTML(string=LINKED_PAGES).render()
    for variant in (None, "pdf/ua-1"):
        plain = document.write_pdf(pdf_variant=variant)
        with page_references_once():
            assert document.write_pdf(pdf_variant=variant) == plain
    with page_references_once():
        pdf = pydyf.PDF()
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        first = pdf.page_references
        assert pdf.page_references is first
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert len(pdf.page_references) == 2
    assert isinstance(pydyf.PDF.page_references, property)  # restored


def test_laid_out_boxes_reads_weasyprint_s_private_page_box() -> None:
    page = HTML(string='<html lang="fr"><p>Bonjour</p>').render().pages[0]
    texts = [box.text for box in laid_out_boxes(page) if hasattr(box, "text")]
    assert texts == ["Bonjour"]


def test_weasyprint_still_keeps_its_fontconfig_configuration_private() -> None:
    """When FontConfiguration has a public way to add a Fontconfig rule, use it."""
    config = FontConfiguration()
    assert ffi.typeof(config._config) == ffi.typeof("FcConfig *")
    add_fontconfig_rules(config, NO_SYNTHESIS)  # parsed, or Fontconfig would print an error


def test_pdf_x_document_ids_are_still_random_and_made_reproducible() -> None:
    document = HTML(string='<html lang="fr"><title>Essai</title><p>Bonjour</p>').render()
    ids = {_document_id(document.write_pdf(pdf_variant="pdf/x-4")) for _ in range(2)}
    assert len(ids) == 2, "WeasyPrint's DocumentID is no longer random: drop the workaround"
    chosen = uuid.UUID(int=42)
    with fixed_document_id(chosen):
        ids = {_document_id(document.write_pdf(pdf_variant="pdf/x-4")) for _ in range(2)}
    assert ids == {f"xmp.did:{chosen}".encode()}
    assert weasyprint.pdf.metadata.uuid4 is uuid.uuid4  # restored


def _document_id(pdf: bytes) -> bytes:
    found = re.search(rb"<xmpMM:DocumentID>([^<]+)<", pdf)
    assert found, "no XMP DocumentID"
    return found[1]


def test_pillow_still_refuses_a_huge_header_without_its_size() -> None:
    image = io.BytesIO()
    Image.new("1", (1, 1)).save(image, "PNG")
    header = bytearray(image.getvalue())
    header[16:24] = struct.pack(">II", 20_000, 20_000)  # the IHDR claims 400 million pixels
    header[29:33] = struct.pack(">I", zlib.crc32(header[12:29]))
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(header))
    limit = Image.MAX_IMAGE_PIXELS
    with image_size_readable(), Image.open(io.BytesIO(header)) as opened:
        assert opened.size == (20_000, 20_000)
    assert limit == Image.MAX_IMAGE_PIXELS


def test_littlecms_still_dates_its_profiles_and_ours_is_fixed() -> None:
    """When Pillow can set (or stops writing) the creation date, drop the fix."""
    made = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert made[24:36] != FIXED_ICC_DATE  # stamped with the clock
    ours = srgb_profile()
    assert ours[24:36] == FIXED_ICC_DATE
    assert ours[:24] == made[:24] and ours[36:] == made[36:]  # only the date differs
    assert ImageCms.ImageCmsProfile(io.BytesIO(ours)).profile.profile_description == "sRGB built-in"
