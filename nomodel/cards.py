"""Single cards, cut out of the written booklet PDF (never laid out or written again).

Each card's PDF holds exactly its pages as they are in the booklet, cut at the trim (same
running head, same page numbers, which its page labels repeat), the booklet's fonts (shared,
not subset again: that was two thirds of the cost of writing each card), the part of the
structure tree drawn on those pages, its own bookmark, title, subject and keywords. Cutting
is done by qpdf (pikepdf), page subsets of the booklet opened once: 100 cards cost what
writing 4 did.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from . import struct_tree
from .model import Card
from .pdf_file import copied, copied_all, saved
from .tag_tree import HEADINGS
from .trim import trim_pages


@dataclass(frozen=True)
class CardInfo:
    """What a card's own PDF says of the card (sent to the process that cuts it)."""

    number: str
    title: str
    summary: str
    tags: tuple[str, ...]

    @classmethod
    def of(cls, card: Card) -> CardInfo:
        return cls(card.number, card.title, card.summary, tuple(card.tags))


@dataclass(frozen=True)
class _Booklet:
    """The booklet PDF, read once: its pages, where each named destination is and which
    are on each page, and the top-level structure elements of each page (WeasyPrint tags
    page by page: every element under /Document belongs to one page). Each card looks them
    up on its pages only (going through the whole booklet's for each card was a tenth of
    cutting 500 cards)."""

    pdf: pikepdf.Pdf
    pages: list[Dictionary]  # the page dictionaries
    destinations: dict[str, tuple[int, pikepdf.Object]]  # name → (page index, destination)
    names_on: dict[int, list[str]]  # page index → names of the destinations on it
    elements: dict[int, list[pikepdf.Object]]  # page index → top-level elements

    @classmethod
    def read(cls, pdf: pikepdf.Pdf) -> _Booklet:
        pages = [page.obj for page in pdf.pages]
        index = {page.objgen: number for number, page in enumerate(pages)}
        destinations: dict[str, tuple[int, pikepdf.Object]] = {}
        names_on: dict[int, list[str]] = {}
        for name, destination in pikepdf.NameTree(pdf.Root.Names.Dests).items():
            if isinstance(destination, Dictionary):
                destination = destination.D
            number = index[destination[0].objgen]
            destinations[name] = (number, destination)
            names_on.setdefault(number, []).append(name)
        elements: dict[int, list[pikepdf.Object]] = {}
        if "/StructTreeRoot" in pdf.Root:
            document = struct_tree.document(pdf.Root.StructTreeRoot)
            for element in struct_tree.kids(document):
                elements.setdefault(index[element.Pg.objgen], []).append(element)
        return cls(pdf, pages, destinations, names_on, elements)

    def pages_of(self, card: CardInfo) -> range:
        # card.html.j2 marks where each card starts and ends.
        start = self.destinations[f"card-{card.number}"][0]
        end = self.destinations[f"end-{card.number}"][0]
        return range(start, end + 1)


def cut_cards(booklet: bytes, cards: Sequence[CardInfo], subject: str | None) -> Iterator[bytes]:
    """The PDF of each card of ``cards``, one after the other, cut from ``booklet`` (written
    with or without its bleed) opened once. Run in a worker process, on a slice of the cards
    (derive.py)."""
    with pikepdf.open(BytesIO(booklet)) as pdf:
        source = _Booklet.read(pdf)
        for card in cards:
            yield _cut(source, card, subject)


def _cut(source: _Booklet, card: CardInfo, subject: str | None) -> bytes:
    pages = source.pages_of(card)
    names = {name for page in pages for name in source.names_on.get(page, ())}
    # Cross-references to other cards keep their text (number and booklet page, like the
    # card's own folios) but are no links: their targets are not in this PDF.
    dropped = _drop_dead_links(source, pages, names)
    with pikepdf.new() as single:
        with warnings.catch_warnings():
            # pikepdf warns that pages.extend() leaves the named destinations behind (and
            # suggests add_pages_from(), which carries them and the outline, but not the
            # structure tree): _copy_destinations carries those of the card's pages.
            warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
            single.pages.extend(source.pdf.pages[pages.start : pages.stop])
        trim_pages(single.pages)  # copies: the booklet's own pages keep their boxes
        for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/OutputIntents"):
            if key in source.pdf.Root:
                single.Root[key] = copied(single, source.pdf, source.pdf.Root[key])
        single.Root.PageLabels = Dictionary(
            Nums=Array([0, Dictionary(S=Name.D, St=pages.start + 1)])
        )
        _copy_destinations(source, single, sorted(names))
        with single.open_outline() as outline:
            first = copied(single, source.pdf, source.destinations[f"card-{card.number}"][1])
            assert isinstance(first, Array)  # an explicit destination: [page /XYZ left top zoom]
            outline.root.append(OutlineItem(card.title, first))
        if source.elements:
            _copy_structure(source, single, pages, dropped)
        _metadata(source.pdf, single, card, subject)
        return saved(single, source.pdf.pdf_version)


def _drop_dead_links(source: _Booklet, pages: range, names: set[str]) -> set[tuple[int, int]]:
    """Removes from the card's pages the links to destinations outside them; their ids."""
    dropped: set[tuple[int, int]] = set()
    for number in pages:
        page = source.pages[number]
        kept = Array()
        for annotation in page.get("/Annots", Array()):
            destination = annotation.get("/Dest")
            if isinstance(destination, String) and str(destination) not in names:
                dropped.add(annotation.objgen)
            else:
                kept.append(annotation)
        if dropped:
            page.Annots = kept
    return dropped


def _copy_destinations(source: _Booklet, single: pikepdf.Pdf, names: list[str]) -> None:
    flat = Array()
    for name in names:
        flat.extend([String(name), copied(single, source.pdf, source.destinations[name][1])])
    single.Root.Names = Dictionary(Dests=single.make_indirect(Dictionary(Names=flat)))


def _copy_structure(
    source: _Booklet, single: pikepdf.Pdf, pages: range, dropped: set[tuple[int, int]]
) -> None:
    """The structure elements drawn on the card's pages under a new /Document, and the
    ParentTree entries of those pages and of their links, keys as in the booklet."""
    tree_root = source.pdf.Root.StructTreeRoot
    top = [element for number in pages for element in source.elements.get(number, [])]
    for element in top:
        del element["/P"]  # else copying it would copy its parent, the whole tree
    _as_own_document(top, dropped)
    copies = copied_all(single, source.pdf, top)
    new_document = single.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name.Document, K=Array(copies))
    )
    for copy in copies:
        copy.P = new_document
    parent_tree = pikepdf.NumberTree(tree_root.ParentTree)
    keys = [int(source.pages[number].StructParents) for number in pages]
    keys += [
        int(annotation.StructParent)
        for number in pages
        for annotation in source.pages[number].get("/Annots", Array())
        if "/StructParent" in annotation
    ]
    keys.sort()
    values = copied_all(single, source.pdf, [parent_tree[key] for key in keys])
    nums = Array([item for pair in zip(keys, values, strict=True) for item in pair])
    new_root = Dictionary(
        Type=Name.StructTreeRoot,
        K=new_document,
        ParentTree=single.make_indirect(Dictionary(Nums=nums)),
        ParentTreeNextKey=max(keys, default=-1) + 1,
    )
    for entry in ("/RoleMap", "/ClassMap"):
        if entry in tree_root:
            new_root[entry] = copied(single, source.pdf, tree_root[entry])
    single.Root.StructTreeRoot = single.make_indirect(new_root)
    new_document.P = single.Root.StructTreeRoot


def _as_own_document(top: list[pikepdf.Object], dropped: set[tuple[int, int]]) -> None:
    """The card's elements made what a document of their own needs (as conformance.py does
    for a whole booklet): headings renumbered so that the card's first, its title, is H1
    and none is skipped (the booklet's have no gaps: they all move up by the same number of
    levels); the references to the dropped links removed, and an element that held one,
    tagged Link, made a Span."""
    headings: list[pikepdf.Object] = []
    pending = list(top)
    while pending:
        element = pending.pop()
        if str(element.S) in HEADINGS:
            headings.append(element)
        kids = struct_tree.kids(element)
        lost = False
        for kid in kids:
            if not isinstance(kid, Dictionary):
                continue  # a marked-content id
            if "/S" in kid:
                pending.append(kid)
            elif dropped and kid.get("/Type") == Name.OBJR and kid.Obj.objgen in dropped:
                lost = True
        if lost:
            kept = [kid for kid in kids if not _refers_to(kid, dropped)]
            element.K = Array(kept)
            if Name.Link == element.S and not any(_is_link(kid) for kid in kept):
                element.S = Name.Span
    top_level = min((HEADINGS[str(heading.S)] for heading in headings), default=1)
    for heading in headings:
        heading.S = Name(f"/H{HEADINGS[str(heading.S)] - top_level + 1}")


def _refers_to(kid: object, annotations: set[tuple[int, int]]) -> bool:
    return (
        isinstance(kid, Dictionary)
        and kid.get("/Type") == Name.OBJR
        and kid.Obj.objgen in annotations
    )


def _is_link(kid: object) -> bool:
    return (
        isinstance(kid, Dictionary)
        and kid.get("/Type") == Name.OBJR
        and kid.Obj.get("/Subtype") == Name.Link
    )


def _metadata(
    booklet: pikepdf.Pdf, single: pikepdf.Pdf, card: CardInfo, subject: str | None
) -> None:
    """The booklet's metadata (author, dates, PDF/A and PDF/UA identification), with the
    card's own title, subject and keywords, in the document information and the XMP."""
    single.trailer.Info = single.copy_foreign(booklet.trailer.Info)
    if "/Metadata" in booklet.Root:
        single.Root.Metadata = single.copy_foreign(booklet.Root.Metadata)
    # Not marked as edited by pikepdf: that would stamp the clock's date.
    with single.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = f"{card.number} — {card.title}"
        description = card.summary or subject
        if description:
            xmp["dc:description"] = description
        elif "dc:description" in xmp:
            del xmp["dc:description"]
        if card.tags:
            xmp["pdf:Keywords"] = ", ".join(card.tags)
        elif "pdf:Keywords" in xmp:
            del xmp["pdf:Keywords"]
