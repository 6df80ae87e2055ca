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
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from . import struct_tree
from .chunk_layout import CHUNK_DOCUMENT_ID, ChunkResult, variant_key
from .compat import bookmark_tree
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
    before it is closed."""

    def __init__(self, variant: str | None) -> None:
        self.variant = variant
        self.master = pikepdf.new()
        self.parts: list[Part] = []
        self._joined = _Joined()
        self._offsets: list[int] = []

    def add(self, part: Part) -> None:
        self.parts.append(part)
        self._offsets.append(len(self.master.pages))
        if part.result is None:
            _add_blank_pages(self.master, part.blank)
            return
        key = variant_key(self.variant)
        with pikepdf.open(BytesIO(part.result.pdfs[key])) as source:
            _join(self.master, source, part.result.headings.get(key, []), self._joined)

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
            _links(master, _pages_linked_elsewhere(parts, self._offsets))
            _outline(master, parts, self._offsets)
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


def _join(
    master: pikepdf.Pdf, source: pikepdf.Pdf, headings: list[Heading], joined: _Joined
) -> None:
    """``source``'s pages added to ``master``, its destinations and structure gathered in
    ``joined``, every stream copied made master's own (``source`` is then closed)."""
    first = _next_object(master)
    offset = len(master.pages)
    joined.version = joined.version or source.pdf_version
    with warnings.catch_warnings():
        # pikepdf warns that named destinations are not copied: they are, below.
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        master.pages.extend(source.pages)  # qpdf maps references to them from now
    names = source.Root.get("/Names", Dictionary()).get("/Dests", Dictionary())
    dests = names.get("/Names", Array())
    targets = copied_all(master, source, [dests[i] for i in range(1, len(dests), 2)])
    joined.names += zip([str(dests[i]) for i in range(0, len(dests), 2)], targets, strict=True)
    tree = source.Root.get("/StructTreeRoot")
    if tree is not None:
        _join_structure(master, source, tree, headings, offset, joined)
    for number in range(first, _next_object(master)):
        copy = master.get_object(number, 0)
        if isinstance(copy, pikepdf.Stream):
            filters, parameters = copy.get("/Filter"), copy.get("/DecodeParms")
            assert isinstance(filters, Name | Array | None)
            assert isinstance(parameters, Dictionary | Array | None)
            copy.write(copy.read_raw_bytes(), filter=filters, decode_parms=parameters)


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
        master.pages.append(pikepdf.Page(page))


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


def _links(master: pikepdf.Pdf, pages: list[int]) -> None:
    """A link to another chunk's anchor, written as a URI there, links to its destination
    (``pages``: those holding such links)."""
    for number in pages:
        for annotation in master.pages[number].obj.get("/Annots", []):
            name = anchor_elsewhere(annotation)
            if name is not None:
                del annotation["/A"]
                annotation.Dest = String(name)
                if "/Contents" in annotation:
                    annotation.Contents = String(name)


def _outline(master: pikepdf.Pdf, parts: Sequence[Part], offsets: list[int]) -> None:
    """The bookmark tree, built by WeasyPrint's own code from every page's bookmarks."""
    pages = (
        (offset + index, marks, height * SCALE)
        for part, offset in zip(parts, offsets, strict=True)
        if part.result is not None
        for index, (marks, height) in enumerate(
            zip(part.result.bookmarks, part.result.page_heights, strict=True)
        )
    )
    root = bookmark_tree(pages, SCALE)
    if root:
        outlines = Dictionary(Type=Name.Outlines)
        master.Root.Outlines = master.make_indirect(outlines)
        _outline_items(master, root, master.Root.Outlines)


def _outline_items(master: pikepdf.Pdf, bookmarks: list, parent: Dictionary) -> int:
    """As WeasyPrint's pdf.anchors.add_outlines: returns the count of open items."""
    count = len(bookmarks)
    items: list[Dictionary] = []
    for title, (page, x, y), children, state in bookmarks:
        destination = Array([master.pages[page].obj, Name.XYZ, x, y, 0])
        item = master.make_indirect(
            Dictionary(Title=String(title), Dest=destination, Parent=parent)
        )
        children_count = _outline_items(master, children, item) if children else 0
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


def _join_structure(
    master: pikepdf.Pdf,
    source: pikepdf.Pdf,
    tree: pikepdf.Object,
    headings: list[Heading],
    offset: int,
    joined: _Joined,
) -> None:
    """The elements of the chunk's Document element, its ParentTree with keys shifted after
    the previous chunks', its headings found in the copy."""
    kids = struct_tree.kids(struct_tree.document(tree))
    pairs = tree.ParentTree.Nums
    keys = [int(pairs[i]) for i in range(0, len(pairs), 2)]
    copies = copied_all(master, source, [*kids, *(pairs[i] for i in range(1, len(pairs), 2))])
    top = copies[: len(kids)]
    joined.elements += top
    joined.headings += [(heading_element(top, path), level) for path, level in headings]
    for key, value in zip(keys, copies[len(kids) :], strict=True):
        joined.nums.append(key + joined.shift)
        joined.nums.append(value)
    for page in master.pages[offset : offset + len(source.pages)]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + joined.shift
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + joined.shift
    joined.shift += max(keys, default=-1) + 1


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
