"""The laid-out boxes of a page, for the checks that need printed sizes (images, tables)."""

from __future__ import annotations

from collections.abc import Iterator

from weasyprint import Page
from weasyprint.formatting_structure.boxes import Box


def laid_out_boxes(page: Page) -> Iterator[Box]:
    """Every box drawn on ``page``, parents before their children.

    WeasyPrint has no public API for the layout of a page: it keeps the boxes in the private
    ``_page_box``. This is the only place nomodel reads it."""
    return page._page_box.descendants()
