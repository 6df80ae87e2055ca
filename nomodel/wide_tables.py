"""A table wider than the text is a content error: it would run into the margin, or off the
page. Found after the layout, as only the layout knows how wide the columns are."""

from __future__ import annotations

import re
from collections.abc import Iterator

from weasyprint import Document, Page
from weasyprint.formatting_structure.boxes import Box, TableBox

from .compat import laid_out_boxes
from .errors import ContentError
from .model import Card, Content
from .paper import MM_PER_CSS_PX

TOLERANCE_PX = 0.5
# Where a Markdown table starts: the line above its delimiter row (|---|---:|), or raw HTML.
_DELIMITER_ROW = re.compile(r"\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*")
_HTML_TABLE = re.compile(r"\s*<table\b", re.IGNORECASE)


# A table wider than its card's text: card number, index among the card's tables, widths (px).
TableMeasure = tuple[str, int, float, float]


def measure_tables(document: Document) -> list[TableMeasure]:
    """The tables wider than their card's text, as plain data (for a chunk's layout)."""
    found = []
    for page in document.pages:
        for number, article in _card_boxes(page):
            tables = [element for element in article.element.iter() if _is_table(element)]
            for table in _tables(article):
                if table.border_width() > article.width + TOLERANCE_PX:
                    index = tables.index(table.element)
                    found.append((number, index, table.border_width(), article.width))
    return found


def wide_table_problems(measures: list[TableMeasure], content: Content) -> list[ContentError]:
    cards = {card.number: card for card in content.cards}
    problems: dict[tuple[str, int], ContentError] = {}
    for number, index, width, measure in measures:
        if number in cards:
            problem = _problem(cards[number], index, width, measure)
            problems.setdefault((number, index), problem)
    return list(problems.values())


def _card_boxes(page: Page) -> Iterator[tuple[str, Box]]:
    """The part of each card drawn on ``page`` (templates/card.html.j2: an ``article``)."""
    for box in laid_out_boxes(page):
        if box.element_tag == "article" and box.element.get("data-number"):
            yield box.element.get("data-number"), box


def _tables(box: Box) -> Iterator[TableBox]:
    return (child for child in box.descendants() if isinstance(child, TableBox))


def _is_table(element: object) -> bool:
    return str(getattr(element, "tag", "")).rpartition("}")[2] == "table"


def _problem(card: Card, index: int, width_px: float, measure_px: float) -> ContentError:
    starts = _table_lines(card.body)
    line = card.body_line + starts[index] if index < len(starts) else 0
    return ContentError(
        card.path,
        line,
        f"this table is {width_px * MM_PER_CSS_PX:.0f} mm wide, wider than the text"
        f" ({measure_px * MM_PER_CSS_PX:.0f} mm): give it fewer columns or shorter words",
    )


def _table_lines(body: str) -> list[int]:
    """0-based lines of ``body`` where each table starts, in order."""
    lines = body.splitlines()
    starts = []
    for number, line in enumerate(lines):
        delimiter = number + 1 < len(lines) and _DELIMITER_ROW.fullmatch(lines[number + 1])
        if (delimiter and "|" in line) or _HTML_TABLE.match(line):
            starts.append(number)
    return starts
