"""What PDF/A and PDF/UA validators ask of the PDFs WeasyPrint writes, done after it writes.

WeasyPrint (70) builds the structure tree straight from the HTML boxes, with no hook to
change it, and writes PDF/A metadata compressed. The fixes below edit its output (pikepdf):

- PDF/X: no DeviceRGB, which PDF/X-4 (ISO 15930-7) allows only with an RGB output intent
  and ours is CMYK: RGB colours, images and shadings are given as ICC-based sRGB, which it
  allows, converted to the press's CMYK by the print shop's RIP;
- PDF/A: the catalog's XMP metadata stream is written without a filter (PDF/A-1 forbids
  one, ISO 19005-1 6.7.2 and TC2; the checkers ask it of parts 2 and 3 too, and XMP is
  meant to be readable by tools that know nothing of PDF), and no image asks viewers to
  interpolate it (ISO 19005-2 6.2.8.1: ``/Interpolate`` shall be false);
- PDF/A-3a, the cards' variant, is tagged and, with the fixes below, meets PDF/UA-1 too: its
  XMP says so, with the extension schema PDF/A asks for a property it does not predefine
  (ISO 19005-2 6.6.2.3), so that a card is both archival and accessible;
- tagged PDFs (their running heads and folios are drawn as pagination artifacts:
  compat.pagination_as_artifacts): headings without gaps, starting at H1 (a card's own PDF
  starts at its title);
  an element holding a link annotation is a Link, a "link" whose annotation was dropped (a
  cross-reference to a card outside a card's PDF) is a Span, a link inside a link joins
  it; empty grouping elements are dropped; list items hold only Lbl and
  LBody; a list whose every item leads to a section or a card (the sommaire) is a TOC of
  TOCI; annotations are printed as they are shown.

The structure is fixed chunk by chunk, in the processes that lay the chunks out
(``conform_chunk``), where it cost the merge 6 s of a 500-card booklet in one process; only
the headings' numbers wait for the merge, which alone sees them all (``number_headings``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from io import BytesIO

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from . import struct_tree
from .chunks import ANCHOR_SCHEME
from .compat import srgb_profile
from .lean_tags import lighten
from .pdf_file import saved

HEADINGS: dict[pikepdf.Object, int] = {Name(f"/H{level}"): level for level in range(1, 7)}
Heading = tuple[tuple[int, ...], int]  # a chunk's heading: its path and written level
LIST_ITEM_KIDS = {Name.Lbl, Name.LBody}
# Grouping elements that mean nothing once empty (a table's empty cell still means a cell).
DROPPED_WHEN_EMPTY = {Name.P, Name.Span, Name.Div, Name.NonStruct}
# The anchors of the sommaire's entries (templates: section.html.j2, card.html.j2).
TOC_DESTINATION = re.compile(r"(section|card)-.+")
PRINT_FLAG = 4  # annotation flag: printed as shown (ISO 32000-1 12.5.3)
# Declared in PDF/A-3a files: PDF/UA-1 identification (ISO 14289-1 5) and its schema.
ALSO_UA = "pdf/a-3a"
UA_IDENTIFICATION = b"""\
<rdf:Description rdf:about="" pdfuaid:part="1"
  xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"/>
<rdf:Description rdf:about=""
  xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
  xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
  <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:name>part</pdfaProperty:name>
   <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
   <pdfaProperty:category>internal</pdfaProperty:category>
   <pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""
SRGB = Name("/nomodel-sRGB")  # the ICC-based sRGB colour space, in content streams
# RGB colour operators → the same colour set in SRGB (ISO 32000-1 8.6.8).
RGB_OPERATORS = {"rg": (Operator("cs"), Operator("sc")), "RG": (Operator("CS"), Operator("SC"))}


def conform(document: pikepdf.Pdf, variant: str) -> None:
    """Makes ``document``, written by WeasyPrint in ``variant`` (the merged booklet, before
    it is saved), what the validators above ask of the whole. Its structure was fixed chunk
    by chunk where each was written (``conform_chunk``), but for the headings' levels, which
    depend on the headings before them: the merge numbers them (``number_headings``)."""
    if variant.startswith("pdf/x-"):
        _rgb_as_icc(document)
    if variant.startswith("pdf/a-"):
        _pdf_a_metadata(document, also_ua=variant == ALSO_UA)
        _no_interpolation(document)


def conform_chunk(pdf: bytes) -> tuple[bytes, list[Heading]]:
    """A chunk's tagged PDF as its validators want it, in the process that wrote it: its
    structure tree lighter (lean_tags.py) and fixed; and its headings, for
    ``number_headings``. An untagged PDF comes back as it was."""
    with pikepdf.open(BytesIO(pdf)) as document:
        if "/StructTreeRoot" not in document.Root:
            return pdf, []
        lighten(document)
        tree = _Tree(document)
        _fix_structure(tree)
        return saved(document), _headings(tree)


def number_headings(headings: Sequence[tuple[Dictionary, int]]) -> None:
    """Headings, given in reading order with their levels as written, renumbered so that
    the first is H1 and none skips a level (PDF/UA-1 7.4.2), keeping their hierarchy: in a
    card's own PDF its title H2 becomes H1 and its testimonies H2; a body heading that
    jumps from H2 to H4 becomes H3."""
    open_levels: list[tuple[int, int]] = []  # (level written, level given)
    for element, written in headings:
        while open_levels and open_levels[-1][0] >= written:
            open_levels.pop()
        given = open_levels[-1][1] + 1 if open_levels else 1
        open_levels.append((written, given))
        element.S = Name(f"/H{given}")


def heading_element(top: Sequence[pikepdf.Object], path: tuple[int, ...]) -> Dictionary:
    """The element at ``path`` (kid indexes, the first among ``top``)."""
    element: object = top[path[0]]
    for index in path[1:]:
        assert isinstance(element, Dictionary)
        element = _Tree.kids(element)[index]
    assert isinstance(element, Dictionary)
    return element


def _pdf_a_metadata(document: pikepdf.Pdf, also_ua: bool) -> None:
    metadata = document.Root.Metadata
    xmp = metadata.read_bytes()
    if also_ua:
        xmp = xmp.replace(b"</rdf:RDF>", UA_IDENTIFICATION + b"</rdf:RDF>", 1)
    metadata.write(xmp)  # written back without a filter


def _no_interpolation(document: pikepdf.Pdf) -> None:
    for obj in document.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Interpolate") is not None:
            del obj.Interpolate


def _rgb_as_icc(document: pikepdf.Pdf) -> None:
    profile = srgb_profile()
    srgb = Array([Name.ICCBased, document.make_stream(profile, N=3)])
    for obj in list(document.objects):
        if not isinstance(obj, Dictionary | pikepdf.Stream):
            continue
        for key in ("/ColorSpace", "/CS"):  # images, shadings, transparency groups
            if obj.get(key) == Name.DeviceRGB:
                obj[key] = srgb
        if obj.get("/Subtype") == Name.Form or obj.get("/PatternType") == 1:
            _rgb_operators_as_icc(document, obj, obj, srgb)
    for page in document.pages:
        _rgb_operators_as_icc(document, page, page.obj, srgb)


def _rgb_operators_as_icc(
    document: pikepdf.Pdf,
    content: pikepdf.Object | pikepdf.Page,
    owner: Dictionary | pikepdf.Stream,
    srgb: Array,
) -> None:
    """Rewrites the RGB colours of a page's, a form's or a pattern's content in ``srgb``."""
    operations: list[tuple[Collection[pikepdf.Object], pikepdf.Operator]] = []
    changed = False
    for instruction in pikepdf.parse_content_stream(content):
        operands, operator = instruction.operands, instruction.operator
        if str(operator) in RGB_OPERATORS:
            space, colour = RGB_OPERATORS[str(operator)]
            operations += [([SRGB], space), (operands, colour)]
            changed = True
        elif str(operator) in {"cs", "CS"} and list(operands) == [Name.DeviceRGB]:
            operations.append(([SRGB], operator))
            changed = True
        else:
            operations.append((operands, operator))
    if not changed:
        return
    data = pikepdf.unparse_content_stream(operations)
    if isinstance(content, pikepdf.Stream):
        content.write(data)
    else:
        owner.Contents = document.make_stream(data)
    if "/Resources" not in owner:
        owner.Resources = Dictionary()
    if "/ColorSpace" not in owner.Resources:
        owner.Resources.ColorSpace = Dictionary()
    owner.Resources.ColorSpace[SRGB] = srgb


def _fix_structure(tree: _Tree) -> None:
    _tag_links(tree)
    _flatten_links(tree)
    _wrap_list_item_kids(tree)
    _tag_tables_of_contents(tree)
    _drop_empty_elements(tree)
    for page in tree.document.pages:
        for annotation in page.get("/Annots", Array()):
            if annotation.get("/Subtype") == Name.Link and "/F" not in annotation:
                annotation.F = PRINT_FLAG


def _headings(tree: _Tree) -> list[Heading]:
    """The headings in reading order: each one's path from the Document element (kid
    indexes, which the merge follows in its copy) and its level as written."""
    found: list[Heading] = []
    top = enumerate(_Tree.kids(struct_tree.document(tree.root)))
    pending: list[tuple[object, tuple[int, ...]]] = [(kid, (i,)) for i, kid in reversed(list(top))]
    while pending:
        element, path = pending.pop()
        if not isinstance(element, Dictionary) or "/S" not in element:
            continue
        if element.S in HEADINGS:
            found.append((path, HEADINGS[element.S]))
        kids = list(enumerate(_Tree.kids(element)))
        pending.extend((kid, (*path, i)) for i, kid in reversed(kids))
    return found


class _Tree:
    """The structure tree, read once: elements in reading order with their parents, and
    where the ParentTree maps marked content and annotations back to their elements."""

    def __init__(self, document: pikepdf.Pdf) -> None:
        self.document = document
        self.root = document.Root.StructTreeRoot
        self.parent_tree = pikepdf.NumberTree(self.root.ParentTree)
        self.elements: list[Dictionary] = list(_elements(self.root))

    kids = staticmethod(struct_tree.kids)

    def element(self, tag: Name, parent: Dictionary, kids: list[object]) -> Dictionary:
        """A new element under ``parent``, adopting ``kids``."""
        element = self.document.make_indirect(
            Dictionary(Type=Name.StructElem, S=tag, P=parent, K=Array()),
        )
        if "/Pg" in parent:
            element.Pg = parent.Pg
        for kid in kids:
            self.adopt(element, kid, parent.get("/Pg"))
        return element

    def adopt(self, element: Dictionary, kid: object, page: object) -> None:
        """Moves ``kid`` (an element, marked content or an annotation) to the end of
        ``element``; ``page`` is the page of the kid's former parent, for bare MCIDs."""
        element.K.append(self.reparent(element, kid, page))

    def reparent(self, element: Dictionary, kid: object, page: object) -> object:
        """``kid`` now belongs to ``element``, and the ParentTree says so; returns the kid
        as ``element`` holds it."""
        if isinstance(kid, int):  # a bare MCID lives on its parent's page: keep it there
            kid = Dictionary(Type=Name.MCR, MCID=kid, Pg=page)
        if isinstance(kid, Dictionary) and "/S" in kid:
            kid.P = element
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
            self.parent_tree[int(kid.Obj.StructParent)] = element
        elif isinstance(kid, Dictionary):  # marked content reference
            mcids = self.parent_tree[int(kid.Pg.StructParents)]
            mcids[int(kid.MCID)] = element
        return kid


def _tag(kid: object) -> pikepdf.Object | None:
    """The structure type of a kid that is an element, None for other kids."""
    return kid.get("/S") if isinstance(kid, Dictionary) else None


def _elements(root: pikepdf.Object) -> Iterator[Dictionary]:
    """Every structure element under ``root``, in reading order (depth first)."""
    pending = list(reversed(_Tree.kids(root)))
    while pending:
        kid = pending.pop()
        if isinstance(kid, Dictionary) and "/S" in kid:
            yield kid
            pending.extend(reversed(_Tree.kids(kid)))


def _tag_links(tree: _Tree) -> None:
    """An element holding a link annotation is a Link (WeasyPrint tags a ``<span>`` inside
    ``<a>`` as a Span holding its own annotation); a Link holding none is a Span: its link
    was dropped because its target is not in this PDF."""
    for element in tree.elements:
        holds_link = any(
            isinstance(kid, Dictionary)
            and kid.get("/Type") == Name.OBJR
            and kid.Obj.get("/Subtype") == Name.Link
            for kid in tree.kids(element)
        )
        if holds_link:
            element.S = Name.Link
        elif _tag(element) == Name.Link:
            element.S = Name.Span


def _flatten_links(tree: _Tree) -> None:
    """A link inside a link (WeasyPrint tags an ``<a>``'s ``::after`` and inner spans as
    links of their own) joins the outer one, so that each link is announced once."""
    for element in reversed(tree.elements):  # the innermost first
        parent = element.get("/P")
        if _tag(element) != Name.Link or _tag(parent) != Name.Link:
            continue
        assert isinstance(parent, Dictionary)  # it has a tag
        kids: list[object] = []
        for kid in tree.kids(parent):
            if _same(kid, element):
                page = element.get("/Pg")
                kids += [tree.reparent(parent, sub, page) for sub in tree.kids(element)]
            else:
                kids.append(kid)
        parent.K = Array(kids)


def _wrap_list_item_kids(tree: _Tree) -> None:
    """A list item holds a label and a body only (ISO 32000-1 14.8.4.3.3): what WeasyPrint
    puts beside them (the paragraphs of a loose list, a footnote's paragraph) goes into an
    LBody."""
    for element in tree.elements:
        if element.S != Name.LI:
            continue
        kids: list[object] = []
        strays: list[object] = []
        for kid in tree.kids(element):
            if isinstance(kid, Dictionary) and kid.get("/S") in LIST_ITEM_KIDS:
                if strays:
                    kids.append(tree.element(Name.LBody, element, strays))
                    strays = []
                kids.append(kid)
            else:
                strays.append(kid)
        if strays:
            kids.append(tree.element(Name.LBody, element, strays))
        element.K = Array(kids)


def _drop_empty_elements(tree: _Tree) -> None:
    """Elements with nothing in them (the paragraph of a decorative image, which is drawn as
    an artifact) are dropped: a screen reader would announce an empty paragraph."""
    for element in reversed(tree.elements):  # children before their parents
        if element.S in DROPPED_WHEN_EMPTY and not tree.kids(element) and "/P" in element:
            parent = element.P
            parent.K = Array(
                [kid for kid in tree.kids(parent) if not _same(kid, element)],
            )


def _same(kid: object, element: Dictionary) -> bool:
    return isinstance(kid, Dictionary) and kid.is_indirect and kid.objgen == element.objgen


def _tag_tables_of_contents(tree: _Tree) -> None:
    """A list whose every item leads to a section or a card is a table of contents:
    L → TOC, LI → TOCI, LBody → Reference (ISO 32000-1 14.8.4.3.2)."""
    for element in tree.elements:
        if element.S == Name.L and _is_toc(tree, element):
            _retag_toc(tree, element)


def _is_toc(tree: _Tree, element: Dictionary) -> bool:
    items = [kid for kid in tree.kids(element) if isinstance(kid, Dictionary) and "/S" in kid]
    return bool(items) and all(
        (item.S == Name.LI and _leads_to_sections(tree, item))
        or (item.S == Name.L and _is_toc(tree, item))
        for item in items
    )


def _leads_to_sections(tree: _Tree, item: Dictionary) -> bool:
    destinations = [
        _destination(kid.Obj)
        for element in _elements_under(item)
        for kid in tree.kids(element)
        if isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR
    ]
    return bool(destinations) and all(
        destination is not None and TOC_DESTINATION.fullmatch(destination) is not None
        for destination in destinations
    )


def _destination(annotation: pikepdf.Object) -> str | None:
    """The name a link annotation leads to: its destination, or, in a chunk, the anchor of
    another chunk that its URI names (merge.py makes it a destination)."""
    destination = annotation.get("/Dest")
    if isinstance(destination, pikepdf.String):
        return str(destination)
    return anchor_elsewhere(annotation)


def anchor_elsewhere(annotation: pikepdf.Object) -> str | None:
    """The anchor of another chunk that a chunk's link annotation leads to, written as a
    ``nomodel-anchor:`` URI (chunks.py); None for any other link."""
    uri = str(annotation.get("/A", Dictionary()).get("/URI", ""))
    return uri.removeprefix(ANCHOR_SCHEME) if uri.startswith(ANCHOR_SCHEME) else None


def _elements_under(element: Dictionary) -> Iterator[Dictionary]:
    yield element
    yield from _elements(element)


def _retag_toc(tree: _Tree, toc: Dictionary) -> None:
    """WeasyPrint puts a nested list in the item's LBody: it becomes a TOC in the TOCI."""
    toc.S = Name.TOC
    for kid in tree.kids(toc):
        if not isinstance(kid, Dictionary) or _tag(kid) is None:
            continue
        if kid.S == Name.L:
            _retag_toc(tree, kid)
            continue
        kid.S = Name.TOCI
        for part in tree.kids(kid):
            if isinstance(part, Dictionary) and part.get("/S") == Name.LBody:
                part.S = Name.Reference
                nested = [
                    sub
                    for sub in tree.kids(part)
                    if isinstance(sub, Dictionary) and _tag(sub) == Name.L
                ]
                part.K = Array([sub for sub in tree.kids(part) if _tag(sub) != Name.L])
                if not tree.kids(part):  # an entry's continuation on the next page
                    kid.K = Array([other for other in tree.kids(kid) if not _same(other, part)])
                for sub in nested:
                    tree.adopt(kid, sub, None)
                    _retag_toc(tree, sub)
