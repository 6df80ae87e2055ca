"""The booklet's HTML cut into chunks of whole cards, each laid out on its own (``engine.py``).

A card starts on a new page, so a run of cards can be laid out apart from the rest of the
booklet, given what its pages take from the pages before: the number of its first page and its
side (``@page :first`` and the root's ``break-before``), the running head of the section it
continues (``string-set``), and the page numbers of what it points to in other chunks (the
sommaire's folios and the cross-references' « p. 6 », ``target-counter`` in the stylesheet,
given as ``data-nomodel-page`` attributes that the chunk's own rules print instead). A link to
another chunk is written as a URI ``nomodel-anchor:NAME``, which ``merge.py`` turns back into
a link to the named destination.

The templates mark where each part of the body starts with HTML comments carrying a random
word (``Marks``): a project's own ``base.html.j2`` without the marks is laid out as one chunk.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

ANCHOR_SCHEME = "nomodel-anchor:"
# The page numbers that the bundled stylesheet counts in other parts of the booklet
# (styles/booklet.css: the sommaire's folios, the cross-references' pages).
INJECTED_NUMBERS = (
    ".toc a[data-nomodel-page]::after, .xref-page[data-nomodel-page]::after"
    " { content: attr(data-nomodel-page) }"
)
_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'\shref="#([^"]+)"')
_TARGET = re.compile(r'\sdata-target="#([^"]+)"')
_METADATA = re.compile(r"\s*<(title>[^<]*</title|meta name=[^>]*)>")
_HEAD = re.compile(r'\sdata-head="([^"]*)"')


class Marks:
    """Comments that the base template puts before each part of the body. The word is drawn
    at random for each build, so that no content can write a mark of its own."""

    def __init__(self) -> None:
        self.word = f"nomodel-{secrets.token_hex(8)}"
        self.pattern = re.compile(rf"<!--{self.word} (\w+)(?: ([^>]*?))?-->\n?")

    def __call__(self, kind: str, value: str = "") -> Markup:
        return Markup(f"<!--{self.word} {kind}{' ' + html.escape(value) if value else ''}-->")

    def strip(self, text: str) -> str:
        """The HTML without the marks (the ``--html`` output)."""
        return self.pattern.sub("", text)


@dataclass(frozen=True)
class Unit:
    """A part of the body that starts a page: the cover and sommaire, a section's divider, a
    card, the colophon and back cover."""

    kind: str  # front, divider, card, back
    text: str
    section: int = -1  # index of its section, -1 outside the sections
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    opening: str  # <section …>
    closing: str  # </section>
    head: str  # its running head, carried into a chunk that continues it (escaped HTML)


@dataclass(frozen=True)
class Book:
    """The booklet's HTML, cut at the marks."""

    prefix: str  # up to <body …>
    suffix: str  # </body></html>
    units: tuple[Unit, ...]
    sections: tuple[Section, ...]

    def anchors(self) -> dict[str, int]:
        """Every id → the index of the unit holding it."""
        return {name: i for i, unit in enumerate(self.units) for name in unit.ids}


def cut(text: str, marks: Marks) -> Book | None:
    """The booklet's parts, or None when its template has no marks (one chunk then)."""
    pieces = marks.pattern.split(text)
    if len(pieces) < 4:
        return None
    prefix, rest = pieces[0], pieces[1:]
    units: list[Unit] = []
    sections: list[Section] = []
    opening = suffix = ""
    for kind, piece in zip(rest[::3], rest[2::3], strict=True):
        if kind == "section":
            opening = piece
        elif kind == "close":
            divider = next(
                (u for u in units if u.kind == "divider" and u.section == len(sections)), None
            )
            head = _HEAD.search(divider.text) if divider else None
            sections.append(Section(opening, piece, head.group(1) if head else ""))
        elif kind == "end":
            suffix = piece
        elif kind in ("front", "back", "divider", "card"):
            section = len(sections) if kind in ("divider", "card") else -1
            units.append(Unit(kind, piece, section, tuple(_ID.findall(piece))))
        else:
            return None  # a mark this code does not know: laid out whole
    return Book(prefix, suffix, tuple(units), tuple(sections))


@dataclass(frozen=True)
class Chunk:
    """Consecutive units, laid out together."""

    first: int  # index of its first unit
    last: int  # index after its last unit

    def key_text(self, book: Book) -> str:
        return "".join(unit.text for unit in book.units[self.first : self.last])


# Smaller chunks: less to lay out again after an edit, more chunks to lay out and join.
# Measured (2026-11-27, 2 cores, in-process builds): a one-card edit is rebuilt in 2.7 s
# instead of 4.6 at 200 cards, 3.4-4.4 s instead of 4.6-6.7 at 500; a cold build takes the
# same 35 s at 200 cards (chunks of 2: 7 % more), 87-98 s against 68-92 s at 500 (this
# machine's noise, or a cost of up to 10 %); 16 cards build in 4.2 s instead of 5.0.
CARDS_PER_CHUNK = 4
# Cards whose HTML is longer than this (characters: about 10 pages) are laid out in more
# than one chunk, of about the same length: an edited card's chunk is laid out again in
# 0.3-0.5 s rather than in 0.7 s for 13 pages of four long cards (2026-11-28, 500 cards).
MAX_CHUNK_TEXT = 24_000


def chunks(book: Book) -> list[Chunk]:
    """The units grouped: the front alone (laid out again once the page numbers of the
    cards are known), CARDS_PER_CHUNK cards with the dividers among them, the back alone;
    a group longer than MAX_CHUNK_TEXT cut in chunks of about the same length. A group
    depends on the cards before it only by their number: an edit that lengthens a card
    moves no other group's chunks."""
    cards = CARDS_PER_CHUNK
    found: list[Chunk] = []
    start = 0
    for i, unit in enumerate(book.units):
        taken = sum(u.kind == "card" for u in book.units[start : i + 1])
        alone = unit.kind in ("front", "back")
        following = book.units[i + 1].kind if i + 1 < len(book.units) else "back"
        if alone or taken >= cards or following in ("back", "front"):
            found += _balanced(book, Chunk(start, i + 1))
            start = i + 1
    if start < len(book.units):
        found += _balanced(book, Chunk(start, len(book.units)))
    return found


def _balanced(book: Book, group: Chunk) -> list[Chunk]:
    """``group`` cut in as few chunks as keep each under MAX_CHUNK_TEXT if its cards allow,
    of about the same length, each starting with a card or the divider before it."""
    units = book.units[group.first : group.last]
    sizes = [len(unit.text) for unit in units]
    total = sum(sizes)
    count = -(-total // MAX_CHUNK_TEXT)
    before = [0, *itertools.accumulate(sizes)]  # the length of units[:i]
    starts = [i for i in range(1, len(units)) if _may_start(units, i)]
    cuts = {
        min(starts, key=lambda i: abs(before[i] - total * k / count))
        for k in range(1, count)
        if starts
    }
    edges = [0, *sorted(cuts), len(units)]
    return [Chunk(group.first + a, group.first + b) for a, b in itertools.pairwise(edges)]


def _may_start(units: Sequence[Unit], i: int) -> bool:
    """Whether a chunk may start at ``units[i]``: a card, but for the divider before it."""
    if units[i].kind == "divider":
        return i + 1 < len(units) and units[i + 1].kind == "card"
    return units[i].kind == "card" and units[i - 1].kind != "divider"


@dataclass(frozen=True)
class Start:
    """Where a chunk starts, and what it must know of the others."""

    page: int  # number of its first page (1: the booklet's first, a right-hand page)
    numbers: tuple[tuple[str, int], ...] = field(default=())  # anchor → page, elsewhere

    @property
    def right(self) -> bool:
        return self.page % 2 == 1


def chunk_html(book: Book, chunk: Chunk, start: Start, elsewhere: frozenset[str]) -> str:
    """The HTML of one chunk: the booklet's head, its units inside their sections, told
    where it starts and the page numbers of the anchors in ``elsewhere`` (other chunks)."""
    numbers = dict(start.numbers)
    style = (
        f"<style>@page :first {{ counter-reset: page {start.page} }}"
        f" html {{ break-before: {'right' if start.right else 'left'} }}"
        f" {INJECTED_NUMBERS}</style>\n"
    )
    head, _, body = book.prefix.rpartition("</head>")
    # The booklet's metadata is written apart (metadata_html): without it, a new date or a
    # card's new tag makes no chunk stale.
    parts = [_METADATA.sub("", head), style, "</head>", body]
    current = -1
    for unit in book.units[chunk.first : chunk.last]:
        if unit.section != current:
            if current >= 0:
                parts.append(book.sections[current].closing)
            if unit.section >= 0:
                parts.append(_opening(book.sections[unit.section], carried=unit.kind != "divider"))
            current = unit.section
        parts.append(_linked(unit.text, elsewhere, numbers))
    if current >= 0:
        parts.append(book.sections[current].closing)
    parts.append(book.suffix)
    return "".join(parts)


def metadata_html(book: Book) -> str:
    """The booklet's head with an empty body: what WeasyPrint writes its metadata from (the
    document information, XMP, language), which the merged PDF takes (merge.py)."""
    return book.prefix + book.suffix


def _opening(section: Section, carried: bool) -> str:
    """The section's tag; continued from another chunk, it sets the running head itself."""
    if not carried or not section.head:
        return section.opening
    carry = (
        f' data-nomodel-head="{section.head}" style="string-set: section attr(data-nomodel-head)"'
    )
    return re.sub(r"^(\s*<section\b)", rf"\1{_escape_group(carry)}", section.opening, count=1)


def _escape_group(text: str) -> str:
    return text.replace("\\", "\\\\")


def _linked(text: str, elsewhere: frozenset[str], numbers: dict[str, int]) -> str:
    """Links and page references to anchors of other chunks, with their page numbers."""

    def href(match: re.Match[str]) -> str:
        name = html.unescape(match.group(1))
        if name not in elsewhere:
            return match.group(0)
        page = numbers.get(name, 0)
        return f' href="{ANCHOR_SCHEME}{match.group(1)}" data-nomodel-page="{page}"'

    def target(match: re.Match[str]) -> str:
        name = html.unescape(match.group(1))
        if name not in elsewhere:
            return match.group(0)
        return f'{match.group(0)} data-nomodel-page="{numbers.get(name, 0)}"'

    return _TARGET.sub(target, _HREF.sub(href, text))


def references(book: Book, chunk: Chunk, elsewhere: frozenset[str]) -> list[str]:
    """The anchors of other chunks that this chunk prints the page of, in order."""
    text = chunk.key_text(book)
    found = (html.unescape(name) for pattern in (_HREF, _TARGET) for name in pattern.findall(text))
    return sorted({name for name in found if name in elsewhere})


def digest(*parts: str | bytes) -> str:
    hashed = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hashed.update(len(data).to_bytes(8, "big"))
        hashed.update(data)
    return hashed.hexdigest()


def units_of(book: Book, chunk: Chunk) -> Iterator[Unit]:
    return iter(book.units[chunk.first : chunk.last])
