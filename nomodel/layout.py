"""One WeasyPrint layout of the booklet; every PDF output is derived from it."""

from __future__ import annotations

from pathlib import Path

from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration

# The colophon and back cover close the booklet: padding pages go before them.
CLOSING_ANCHOR = "colophon"


def lay_out(html: str, base_url: Path) -> Document:
    """Lays the booklet out once, padded to a multiple of 4 pages for saddle stitching."""
    document = HTML(string=html, base_url=str(base_url)).render(font_config=FontConfiguration())
    return pad_to_multiple_of_four(document)


def pad_to_multiple_of_four(document: Document) -> Document:
    missing = -len(document.pages) % 4
    if not missing:
        return document
    pages = list(document.pages)
    at = next((i for i, page in enumerate(pages) if CLOSING_ANCHOR in page.anchors), len(pages))
    pages[at:at] = _blank_pages(document, missing)
    return document.copy(pages)


def _blank_pages(document: Document, count: int) -> list:
    """Truly blank pages (no running head, no folio) of the booklet's own page size."""
    first = document.pages[0]
    style = CSS(string=f"@page {{ size: {first.width}px {first.height}px; margin: 0 }}")
    blank = HTML(string="<html><body></body></html>").render(stylesheets=[style])
    return blank.pages * count
