"""The chunks' PDFs (chunk_layout.py) joined into the booklet's PDF, as one layout writes it.

With pikepdf (qpdf): the pages in order, blank pages padding the booklet to a multiple of 4
before its colophon; one name tree of destinations; links between chunks (written as
``nomodel-anchor:`` URIs) turned back into links to a destination; one bookmark tree built
from every chunk's bookmarks as WeasyPrint builds it, so that a chunk's cards go under their
section; one structure tree (each chunk's elements under the one Document element, the
ParentTree renumbered); each font once, subset to the glyphs of every chunk (font_merge.py);
the catalog, Info and XMP metadata of the booklet's head written alone (chunks.metadata_html),
the XMP DocumentID made again for the whole booklet; then, before the one save, what the
variant's validators ask (conformance.py), once on the whole."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .chunk_layout import CHUNK_DOCUMENT_ID, ChunkResult, variant_key
from .chunks import ANCHOR_SCHEME
from .compat import bookmark_tree
from .conformance import conform
from .font_merge import merged_fonts
from .pdf_file import copied

SCALE = 0.75  # CSS px → PDF points (WeasyPrint's write_pdf at zoom 1)
# Catalog entries made again for the whole booklet; the others are the head's.
REBUILT = {"/Type", "/Pages", "/Names", "/Outlines", "/StructTreeRoot", "/Metadata"}


@dataclass(frozen=True)
class Part:
    """A chunk's result, or blank pages (``blank`` of them, with no result)."""

    result: ChunkResult | None
    blank: int = 0


def merge(
    parts: Sequence[Part],
    metadata: ChunkResult,
    variant: str | None,
    document_id: uuid.UUID,
    font_files: dict[str, bytes],
) -> bytes:
    """The booklet's PDF in ``variant``, from its chunks' PDFs and blank pages, with the
    catalog and metadata of ``metadata``'s PDF."""
    master = pikepdf.new()
    sources: list[pikepdf.Pdf] = []
    offsets: list[int] = []
    # Open until the booklet is saved, as the chunks: qpdf reads copied streams then.
    head = pikepdf.open(BytesIO(metadata.pdfs[variant_key(variant)]))
    try:
        for part in parts:
            offsets.append(len(master.pages))
            if part.result is None:
                _add_blank_pages(master, part.blank)
                continue
            source = pikepdf.open(BytesIO(part.result.pdfs[variant_key(variant)]))
            sources.append(source)
            with warnings.catch_warnings():
                # pikepdf warns that named destinations are not copied: _destinations does.
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                master.pages.extend(source.pages)  # qpdf maps references to them from now
        chunk_sources = iter(sources)
        laid_out = [
            (part, next(chunk_sources), at)
            for part, at in zip(parts, offsets, strict=True)
            if part.result
        ]
        _catalog(master, head, document_id)
        _destinations(master, laid_out)
        _links(master)
        _outline(master, parts, offsets)
        if any("/StructTreeRoot" in source.Root for source in sources):
            _structure(master, laid_out)
        results = [p.result for p, _, _ in laid_out if p.result is not None]
        version = sources[0].pdf_version
        fonts = merged_fonts(master, results, font_files, metadata.modified, version)
        _use_fonts(master, fonts)
        if variant:
            conform(master, variant)
        output = BytesIO()
        master.save(
            output,
            deterministic_id=True,
            min_version=version,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    finally:
        for source in [head, *sources]:
            source.close()
        master.close()
    return output.getvalue()


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


def _destinations(master: pikepdf.Pdf, laid_out: list) -> None:
    """One name tree of every chunk's destinations, sorted as WeasyPrint sorts them."""
    names: list[tuple[str, object]] = []
    for _, source, _ in laid_out:
        dests = source.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
        names.extend(
            (str(dests[i]), copied(master, source, dests[i + 1])) for i in range(0, len(dests), 2)
        )
    if names:
        flat = Array()
        for name, destination in sorted(names, key=lambda item: item[0]):
            flat.append(String(name))
            flat.append(destination)
        master.Root.Names = Dictionary(Dests=Dictionary(Names=flat))


def _links(master: pikepdf.Pdf) -> None:
    """A link to another chunk's anchor, written as a URI there, links to its destination."""
    for page in master.pages:
        for annotation in page.obj.get("/Annots", []):
            uri = str(annotation.get("/A", Dictionary()).get("/URI", ""))
            if uri.startswith(ANCHOR_SCHEME):
                name = uri.removeprefix(ANCHOR_SCHEME)
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


def _structure(master: pikepdf.Pdf, laid_out: list) -> None:
    """One structure tree: the elements of each chunk's Document element, in order, under
    one Document element; each chunk's ParentTree keys shifted after the previous ones'."""
    root = master.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = master.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))
    kids = Array()
    nums = Array()
    shift = 0
    for _, source, offset in laid_out:
        tree = source.Root.get("/StructTreeRoot")
        if tree is None:
            continue
        for kid in _kids(tree.K):
            element = copied(master, source, kid)
            element.P = document
            kids.append(element)
        pairs = tree.ParentTree.Nums
        keys = [int(pairs[i]) for i in range(0, len(pairs), 2)]
        for i in range(0, len(pairs), 2):
            nums.append(int(pairs[i]) + shift)
            nums.append(copied(master, source, pairs[i + 1]))
        pages = len(source.pages)
        for page in master.pages[offset : offset + pages]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + shift
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + shift
        shift += max(keys, default=-1) + 1
    document.K = kids
    root.K = Array([document])
    root.ParentTree = master.make_indirect(Dictionary(Nums=nums))
    master.Root.StructTreeRoot = root


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    """The kids of a chunk's Document element."""
    if isinstance(element, Array):
        element = element[0]
    kids = element.get("/K", Array())
    return list(kids) if isinstance(kids, Array) else [kids]


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
