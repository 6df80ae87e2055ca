"""The print-shop PDF: exact TrimBox and BleedBox, and crop marks outside the bleed."""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import ContentStream, RectangleObject

MM = 72 / 25.4  # PDF points per millimetre
MARK_GAP_MM = 1.0  # between the bleed's edge and a mark: a mark never enters the bleed
MARK_LENGTH_MM = 5.0
MARK_WIDTH_PT = 0.25


def add_crop_marks(pdf: bytes, bleed_mm: float) -> bytes:
    """Each page of ``pdf`` (laid out with ``bleed_mm`` of bleed) on a sheet with room for
    crop marks: MediaBox grows by the marks, BleedBox = trim + bleed, TrimBox = trim."""
    source = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=source)
    writer.pdf_header = source.pdf_header  # PDF/X-4 must stay PDF 1.6
    bleed = bleed_mm * MM
    margin = bleed + (MARK_GAP_MM + MARK_LENGTH_MM) * MM
    for page in writer.pages:
        trim = RectangleObject(page.trimbox)
        page.mediabox = _grown(trim, margin)
        page.cropbox = page.mediabox
        page.bleedbox = _grown(trim, bleed)
        page.trimbox = trim
        page.merge_page(_marks(writer, trim, bleed, page.mediabox))
        page.compress_content_streams()  # merging left the page's drawing uncompressed
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _grown(box: RectangleObject, by: float) -> RectangleObject:
    return RectangleObject((box.left - by, box.bottom - by, box.right + by, box.top + by))


def _marks(
    writer: PdfWriter, trim: RectangleObject, bleed: float, media: RectangleObject
) -> PageObject:
    """A transparent page holding the eight crop marks, in line with the trim's edges."""
    start, end = bleed + MARK_GAP_MM * MM, bleed + (MARK_GAP_MM + MARK_LENGTH_MM) * MM
    lines: list[tuple[float, float, float, float]] = []
    for x in (float(trim.left), float(trim.right)):  # vertical marks above and below the page
        lines += [
            (x, float(trim.top) + start, x, float(trim.top) + end),
            (x, float(trim.bottom) - start, x, float(trim.bottom) - end),
        ]
    for y in (float(trim.bottom), float(trim.top)):  # horizontal marks left and right of the page
        lines += [
            (float(trim.left) - start, y, float(trim.left) - end, y),
            (float(trim.right) + start, y, float(trim.right) + end, y),
        ]
    path = " ".join(f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l" for x1, y1, x2, y2 in lines)
    # Gray 0 is black on every separation a printer uses for marks (K), and stays valid
    # in PDF/X with a CMYK output intent. Marks are production aids: "Page" artifacts,
    # which screen readers of a tagged PDF skip.
    operations = f"/Artifact <</Type /Page>> BDC q {MARK_WIDTH_PT} w 0 G {path} S Q EMC".encode()
    marks = PageObject.create_blank_page(writer, width=media.width, height=media.height)
    marks.mediabox = media
    stream = ContentStream(None, None)
    stream.set_data(operations)
    marks.replace_contents(stream)
    return marks
