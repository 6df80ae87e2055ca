"""Single cards, cut out of the booklet's one layout (never laid out again)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from weasyprint import Document

from .layout import without_dead_links
from .model import Card, Content


def cut_cards(document: Document, content: Content) -> Iterator[tuple[Card, Document]]:
    """Each card with a document of exactly its pages, as they are in the booklet: same
    running head, same page numbers, so that a card attached to a report can be found in
    the booklet. The card's own title, subject and keywords go in its metadata."""
    first_page: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            first_page.setdefault(anchor, index)
    for card in content.cards:
        # card.html.j2 marks where each card starts and ends.
        start, end = first_page[f"card-{card.number}"], first_page[f"end-{card.number}"]
        # Cross-references to other cards keep their text (number and booklet page, like
        # the card's own folios) but are no links: their targets are not in this PDF.
        single = without_dead_links(document, document.pages[start : end + 1])
        single.metadata = copy.copy(document.metadata)
        single.metadata.title = f"{card.number} — {card.title}"
        single.metadata.description = card.summary or content.booklet.subject or None
        single.metadata.keywords = list(card.tags)
        yield card, single
