"""The print-shop PDF: exact TrimBox and BleedBox, and crop marks outside the bleed."""

from __future__ import annotations

from io import BytesIO

import pikepdf
from pikepdf import Array

from .paper import POINTS_PER_MM
from .pdf_file import saved

MARK_GAP_MM = 1.0  # between the bleed's edge and a mark: a mark never enters the bleed
MARK_LENGTH_MM = 5.0
MARK_WIDTH_PT = 0.25

Box = tuple[float, float, float, float]


def add_crop_marks(pdf: bytes, bleed_mm: float) -> bytes:
    """Each page of ``pdf`` (laid out with ``bleed_mm`` of bleed) on a sheet with room for
    crop marks: MediaBox grows by the marks, BleedBox = trim + bleed, TrimBox = trim.

    The page's own drawing is left as it is (qpdf copies it): it is put between ``q`` and
    ``Q``, and the marks drawn after it, in streams of their own shared by same-sized pages."""
    with pikepdf.open(BytesIO(pdf)) as document:
        bleed = bleed_mm * POINTS_PER_MM
        margin = bleed + (MARK_GAP_MM + MARK_LENGTH_MM) * POINTS_PER_MM
        save = document.make_stream(b"q\n")
        marks: dict[Box, pikepdf.Stream] = {}
        for page in document.pages:
            trim: Box = tuple(float(value) for value in page.trimbox)  # type: ignore[assignment]
            page.mediabox = Array(_grown(trim, margin))
            page.cropbox = page.mediabox
            page.bleedbox = Array(_grown(trim, bleed))
            page.trimbox = Array(trim)
            if trim not in marks:
                marks[trim] = document.make_stream(_marks(trim, bleed))
            page.contents_add(save, prepend=True)
            page.contents_add(marks[trim])
        return saved(document)


def _grown(box: Box, by: float) -> Box:
    left, bottom, right, top = box
    return (left - by, bottom - by, right + by, top + by)


def _marks(trim: Box, bleed: float) -> bytes:
    """The drawing that closes the page's own (``Q``), then the eight crop marks, in line
    with the trim's edges."""
    left, bottom, right, top = trim
    start, end = (
        bleed + MARK_GAP_MM * POINTS_PER_MM,
        bleed + (MARK_GAP_MM + MARK_LENGTH_MM) * POINTS_PER_MM,
    )
    lines: list[Box] = []
    for x in (left, right):  # vertical marks above and below the page
        lines += [(x, top + start, x, top + end), (x, bottom - start, x, bottom - end)]
    for y in (bottom, top):  # horizontal marks left and right of the page
        lines += [(left - start, y, left - end, y), (right + start, y, right + end, y)]
    path = " ".join(f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l" for x1, y1, x2, y2 in lines)
    # Gray 0 is black on every separation a printer uses for marks (K), and stays valid
    # in PDF/X with a CMYK output intent. Marks are production aids: "Page" artifacts,
    # which screen readers of a tagged PDF skip.
    return f"Q\n/Artifact <</Type /Page>> BDC q {MARK_WIDTH_PT} w 0 G {path} S Q EMC\n".encode()
