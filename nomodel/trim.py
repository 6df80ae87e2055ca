"""The plain booklet: the written PDF cut at the trim, for screens and office printers.

The layout carries the bleed (backgrounds are painted into it) and is written once, with it;
the plain booklet is that PDF with every page's boxes set to its trim (what is drawn in the
bleed stays in the file, outside the page). The print-shop PDF keeps the bleed (print_pdf.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

import pikepdf

from .pdf_file import saved


def trimmed(pdf: bytes) -> bytes:
    """``pdf`` with each page's MediaBox and BleedBox set to its TrimBox."""
    with pikepdf.open(BytesIO(pdf)) as document:
        trim_pages(document.pages)
        return saved(document)


def trim_pages(pages: Iterable[pikepdf.Page]) -> None:
    """Each page's MediaBox and BleedBox set to its TrimBox, its CropBox gone."""
    for page in pages:
        trim = page.trimbox
        page.mediabox = trim
        page.bleedbox = trim
        if "/CropBox" in page.obj:
            del page.obj.CropBox
