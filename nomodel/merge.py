"""The chunks' PDFs (chunk_layout.py) joined into the booklet's PDF, as one layout writes it.

With pikepdf (qpdf): the pages in order, blank pages padding the booklet to a multiple of 4
before its colophon; one name tree of destinations; links between chunks (written as
``nomodel-anchor:`` URIs) turned back into links to a destination; one bookmark tree built
from every chunk's bookmarks as WeasyPrint builds it, so that a chunk's cards go under their
section; one structure tree (each chunk's elements under the one Document element, the
ParentTree renumbered, the headings numbered as one sequence); each font once, subset to the
glyphs of every chunk (font_merge.py);
the catalog, Info and XMP metadata of the booklet's head written alone (chunks.metadata_html),
the XMP DocumentID made again for the whole booklet; then, before the one save, what the
variant's validators ask of the whole (conformance.py; each chunk's structure was fixed where
it was written)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from io import BytesIO

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from . import struct_tree
from .chunk_layout import CHUNK_DOCUMENT_ID, ChunkResult, variant_key
from .compat import append_pages, bookmark_tree
from .conformance import anchor_elsewhere, conform, heading_element, number_headings
from .font_merge import merged_fonts
from .pdf_file import copied, copied_all
from .tag_tree import Heading

SCALE = 0.75  # CSS px → PDF points (WeasyPrint's write_pdf at zoom 1)
# Catalog entries made again for the whole booklet; the others are the head's.
REBUILT = {"/Type", "/Pages", "/Names", "/Outlines", "/StructTreeRoot", "/Metadata"}


@dataclass(frozen=True)
class Part:
    """A chunk's result, or blank pages (``blank`` of them, with no result)."""

    result: ChunkResult | None
    blank: int = 0


@dataclass
class _Joined:
    """What the chunks bring besides their pages, gathered chunk by chunk."""

    names: list[tuple[str, pikepdf.Object]] = field(default_factory=list)  # destinations
    elements: list[pikepdf.Object] = field(default_factory=list)  # under the Document
    nums: Array = field(default_factory=Array)  # the ParentTree's
    headings: list[tuple[Dictionary, int]] = field(default_factory=list)
    shift: int = 0  # the next chunk's first ParentTree key
    version: str | None = None  # the first chunk's PDF version


def merge(
    parts: Sequence[Part],
    metadata: ChunkResult,
    variant: str | None,
    document_id: uuid.UUID,
    font_files: dict[str, bytes],
) -> bytes:
    """The booklet's PDF in ``variant``, from its chunks' PDFs and blank pages, with the
    catalog and metadata of ``metadata``'s PDF."""
    merger = Merger(variant)
    for part in parts:
        merger.add(part)
    return merger.finish(metadata, document_id, font_files)


class Merger:
    """The booklet's PDF in ``variant``, its parts joined one by one (``add``), in order, as
    they come: the engine begins while the chunks an edit changed are laid out. Each chunk
    is open while it is copied only: an open PDF costs qpdf 1.5 MB, whatever its size (190
    MB for the 128 chunks of 500 cards), so the data of the streams copied from it is read
    before it is closed. A chunk that comes after one still laid out may be joined ahead
    (``add_ahead``): to a PDF of its own, from which ``add`` copies it in a quarter of the
    time a chunk's own PDF takes to open and copy (an edit early in the booklet left a
    hundred chunks to join once its chunk came back)."""

    def __init__(self, variant: str | None) -> None:
        self.variant = variant
        self.master = pikepdf.new()
        self.parts: list[Part] = []
        self._joined = _Joined()
        self._offsets: list[int] = []
        self._pages = 0  # in master (qpdf lists every page to count them)
        self._ahead = pikepdf.new()  # open until the booklet is saved: master reads from it
        self._pieces: dict[int, tuple[ChunkResult, _Piece]] = {}  # id(result) → in _ahead

    def add(self, part: Part) -> None:
        self.parts.append(part)
        self._offsets.append(self._pages)
        if part.result is None:
            _add_blank_pages(self.master, part.blank)
            self._pages += part.blank
            return
        result = part.result
        if self.holds_aside(result):
            piece = _copied(self.master, self._ahead, self._pieces.pop(id(result))[1])
        else:
            with pikepdf.open(BytesIO(result.pdfs[variant_key(self.variant)])) as source:
                piece = _copied(self.master, source, _piece(source), own=True)
        _join(piece, result.headings.get(variant_key(self.variant), []), self._joined)
        self._pages += len(piece.pages)

    def holds_aside(self, result: ChunkResult) -> bool:
        """Whether ``result`` was joined ahead (``add_ahead``) and not added yet."""
        held = self._pieces.get(id(result))
        return held is not None and held[0] is result

    def add_ahead(self, part: Part) -> None:
        """Copies the chunk of ``part`` aside, for ``add`` to take it from there."""
        assert part.result is not None
        with pikepdf.open(BytesIO(part.result.pdfs[variant_key(self.variant)])) as source:
            self._pieces[id(part.result)] = (
                part.result,
                _copied(self._ahead, source, _piece(source), own=True),
            )

    def finish(
        self, metadata: ChunkResult, document_id: uuid.UUID, font_files: dict[str, bytes]
    ) -> bytes:
        """The booklet's PDF, once every part is added, with the catalog and metadata of
        ``metadata``'s PDF; the merger is closed."""
        master, joined, parts = self.master, self._joined, self.parts
        # Open until the booklet is saved: qpdf reads the streams copied from it then.
        head = pikepdf.open(BytesIO(metadata.pdfs[variant_key(self.variant)]))
        try:
            _catalog(master, head, document_id)
            _destinations(master, joined.names)
            pages = [page.obj for page in master.pages]  # each index of master.pages lists all
            _links(pages, _pages_linked_elsewhere(parts, self._offsets))
            _outline(master, pages, parts, self._offsets)
            if joined.elements:
                _structure(master, joined)
            version = joined.version or head.pdf_version
            results = [part.result for part in parts if part.result is not None]
            fonts = merged_fonts(master, results, font_files, metadata.modified, version)
            _use_fonts(master, fonts)
            if self.variant:
                conform(master, self.variant)
            output = BytesIO()
            master.save(
                output,
                deterministic_id=True,
                min_version=version,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
            )
        finally:
            head.close()
            self.close()
        return output.getvalue()

    def close(self) -> None:
        self.master.close()
        self._ahead.close()


@dataclass
class _Piece:
    """What a chunk brings, as objects of one PDF: its pages, its named destinations, the
    elements of its Document element and its ParentTree (keys as the chunk wrote them)."""

    version: str
    pages: list[pikepdf.Object]
    names: list[str]
    destinations: list[pikepdf.Object]
    elements: list[pikepdf.Object]
    keys: list[int]
    values: list[pikepdf.Object]


def _piece(source: pikepdf.Pdf) -> _Piece:
    """A chunk's PDF, as WeasyPrint wrote it."""
    dests = source.Root.get("/Names", Dictionary()).get("/Dests", Dictionary())
    flat = dests.get("/Names", Array())
    tree = source.Root.get("/StructTreeRoot")
    elements = struct_tree.kids(struct_tree.document(tree)) if tree is not None else []
    pairs = tree.ParentTree.Nums if tree is not None else Array()
    return _Piece(
        version=source.pdf_version,
        pages=[page.obj for page in source.pages],
        names=[str(flat[i]) for i in range(0, len(flat), 2)],
        destinations=[flat[i] for i in range(1, len(flat), 2)],
        elements=elements,
        keys=[int(pairs[i]) for i in range(0, len(pairs), 2)],
        values=[pairs[i] for i in range(1, len(pairs), 2)],
    )


def _copied(target: pikepdf.Pdf, source: pikepdf.Pdf, piece: _Piece, own: bool = False) -> _Piece:
    """``piece`` of ``source`` copied into ``target``, pages first, then destinations, then
    structure: qpdf numbers the copies in that order, and the saved booklet's object streams
    follow their numbers, so that a piece copied twice (``Merger.add_ahead``) gives the same
    bytes as once. With ``own``, every stream copied is made ``target``'s own (``source`` is
    then closed)."""
    first = _next_object(target)
    pages = [target.copy_foreign(page) for page in piece.pages]
    append_pages(target, pages)  # qpdf maps references to them from now
    destinations = copied_all(target, source, piece.destinations)
    structure = copied_all(target, source, [*piece.elements, *piece.values]) if piece.keys else []
    if own:
        _own_streams(target, first)
    count = len(piece.elements)
    return replace(
        piece,
        pages=pages,
        destinations=destinations,
        elements=structure[:count],
        values=structure[count:],
    )


def _own_streams(target: pikepdf.Pdf, first: int) -> None:
    """The streams from object number ``first`` on, their data copied into ``target``."""
    for number in range(first, _next_object(target)):
        copy = target.get_object(number, 0)
        if isinstance(copy, pikepdf.Stream):
            filters, parameters = copy.get("/Filter"), copy.get("/DecodeParms")
            assert isinstance(filters, Name | Array | None)
            assert isinstance(parameters, Dictionary | Array | None)
            copy.write(copy.read_raw_bytes(), filter=filters, decode_parms=parameters)


def _join(piece: _Piece, headings: list[Heading], joined: _Joined) -> None:
    """A chunk copied into the booklet: its destinations and structure
    gathered in ``joined``, its pages' ParentTree keys shifted after the previous chunks'."""
    joined.version = joined.version or piece.version
    joined.names += zip(piece.names, piece.destinations, strict=True)
    if not (piece.elements or piece.keys):
        return
    joined.elements += piece.elements
    joined.headings += [(heading_element(piece.elements, path), level) for path, level in headings]
    for key, value in zip(piece.keys, piece.values, strict=True):
        joined.nums.append(key + joined.shift)
        joined.nums.append(value)
    for page in piece.pages:
        if "/StructParents" in page:
            page.StructParents = int(page.StructParents) + joined.shift
        for annotation in page.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + joined.shift
    joined.shift += max(piece.keys, default=-1) + 1


def _next_object(master: pikepdf.Pdf) -> int:
    """The number the next new object of ``master`` gets (qpdf numbers them in order; this
    empty one is written nowhere: nothing refers to it)."""
    return int(master.make_indirect(Dictionary()).objgen[0]) + 1


def _add_blank_pages(master: pikepdf.Pdf, count: int) -> None:
    """Pages with nothing on them, of the booklet's page and bleed size (as layout.py's)."""
    model = master.pages[0].obj
    for _ in range(count):
        page = Dictionary(Type=Name.Page, Resources=Dictionary(), Contents=master.make_stream(b""))
        for box in ("/MediaBox", "/BleedBox", "/TrimBox"):
            if box in model:
                page[box] = Array(list(model[box]))
        append_pages(master, [master.make_indirect(page)])


def _catalog(master: pikepdf.Pdf, source: pikepdf.Pdf, document_id: uuid.UUID) -> None:
    for key, value in source.Root.items():
        if key not in REBUILT:
            master.Root[key] = copied(master, source, value)
    docinfo = master.copy_foreign(source.docinfo)
    assert isinstance(docinfo, Dictionary)
    master.docinfo = docinfo
    if "/Metadata" in source.Root:
        xmp = source.Root.Metadata.read_bytes()
        xmp = xmp.replace(str(CHUNK_DOCUMENT_ID).encode(), str(document_id).encode())
        master.Root.Metadata = master.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)


def _destinations(master: pikepdf.Pdf, names: list[tuple[str, pikepdf.Object]]) -> None:
    """One name tree of every chunk's destinations, sorted as WeasyPrint sorts them."""
    if names:
        flat = Array()
        for name, destination in sorted(names, key=lambda item: item[0]):
            flat.append(String(name))
            flat.append(destination)
        master.Root.Names = Dictionary(Dests=Dictionary(Names=flat))


def _pages_linked_elsewhere(parts: Sequence[Part], offsets: list[int]) -> list[int]:
    return [
        offset + index
        for part, offset in zip(parts, offsets, strict=True)
        if part.result is not None
        for index in part.result.linked_elsewhere
    ]


def _links(pages: Sequence[pikepdf.Object], linked: list[int]) -> None:
    """A link to another chunk's anchor, written as a URI there, links to its destination
    (``linked``: the pages holding such links)."""
    for number in linked:
        for annotation in pages[number].get("/Annots", []):
            name = anchor_elsewhere(annotation)
            if name is not None:
                del annotation["/A"]
                annotation.Dest = String(name)
                if "/Contents" in annotation:
                    annotation.Contents = String(name)


def _outline(
    master: pikepdf.Pdf, pages: Sequence[pikepdf.Object], parts: Sequence[Part], offsets: list[int]
) -> None:
    """The bookmark tree, built by WeasyPrint's own code from every page's bookmarks."""
    marked = (
        (offset + index, marks, height * SCALE)
        for part, offset in zip(parts, offsets, strict=True)
        if part.result is not None
        for index, (marks, height) in enumerate(
            zip(part.result.bookmarks, part.result.page_heights, strict=True)
        )
    )
    root = bookmark_tree(marked, SCALE)
    if root:
        outlines = Dictionary(Type=Name.Outlines)
        master.Root.Outlines = master.make_indirect(outlines)
        _outline_items(master, pages, root, master.Root.Outlines)


def _outline_items(
    master: pikepdf.Pdf, pages: Sequence[pikepdf.Object], bookmarks: list, parent: Dictionary
) -> int:
    """As WeasyPrint's pdf.anchors.add_outlines: returns the count of open items."""
    count = len(bookmarks)
    items: list[Dictionary] = []
    for title, (page, x, y), children, state in bookmarks:
        destination = Array([pages[page], Name.XYZ, x, y, 0])
        item = master.make_indirect(
            Dictionary(Title=String(title), Dest=destination, Parent=parent)
        )
        children_count = _outline_items(master, pages, children, item) if children else 0
        item.Count = -children_count if state == "closed" else children_count
        if state != "closed":
            count += children_count
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        items.append(item)
    parent.First, parent.Last = items[0], items[-1]
    parent.Count = count
    return count


def _structure(master: pikepdf.Pdf, joined: _Joined) -> None:
    """One structure tree: every chunk's elements, in order, under one Document element;
    the headings of every chunk numbered as one sequence."""
    root = master.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = master.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))
    for element in joined.elements:
        element.P = document
    number_headings(joined.headings)
    document.K = Array(joined.elements)
    root.K = Array([document])
    root.ParentTree = master.make_indirect(Dictionary(Nums=joined.nums))
    master.Root.StructTreeRoot = root


def _use_fonts(master: pikepdf.Pdf, fonts: dict[str, pikepdf.Object]) -> None:
    """Every resource dictionary names the merged fonts, each embedded once."""
    seen: set[tuple[int, int]] = set()
    pending = [page.obj.get("/Resources") for page in master.pages]
    while pending:
        resources = pending.pop()
        if not isinstance(resources, Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        if "/Font" in resources:
            used = resources.Font
            names: list[str] = list(used.keys())  # typed: iterating an Object gives Objects
            resources.Font = Dictionary({key: fonts.get(key, used[key]) for key in names})
        for xobject in resources.get("/XObject", {}).values():
            pending.append(xobject.get("/Resources"))
