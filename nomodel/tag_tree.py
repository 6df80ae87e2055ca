"""A tagged chunk's structure tree made lighter and what PDF/UA validators want, on
WeasyPrint's own objects (pydyf), between building them and writing them.

WeasyPrint (70) builds the structure tree straight from the HTML boxes with no hook to change
it (compat.tags_finished makes one). Edited there, nothing is parsed again: the same fixes
made on the written chunk (pikepdf: opened, edited, saved again) cost a fifth of writing a
tagged chunk.

Lighter: WeasyPrint wraps each run of text in a structure element of its own, a ``/Span`` with
no attribute, and refers to each link annotation through an indirect ``/OBJR`` dictionary. In
a 1212-page booklet they were 62,000 and 19,000 of its 151,000 objects: most of what is
written, copied by the merge and cut into every card. A Span without attributes means nothing
(ISO 32000-1 14.8.4.4: "a generic inline portion of text having no particular inherent
characteristics"), so its marked content goes to its parent, which the ParentTree then names;
an OBJR is a plain dictionary, written inside its element.

Fixed (running heads and folios are artifacts already: compat.pagination_as_artifacts): an
element holding a link annotation is a Link, a "link" whose annotation was dropped (a
cross-reference to a card outside a card's PDF) is a Span, a link inside a link joins it;
empty grouping elements are dropped; list items hold only Lbl and LBody; a list whose every
item leads to a section or a card (the sommaire) is a TOC of TOCI; annotations are printed as
they are shown. The headings' levels wait for the merge, which alone sees them all
(conformance.number_headings): their paths are given back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pydyf

from .chunks import ANCHOR_SCHEME
from .compat import tags_finished

HEADINGS = {f"/H{level}": level for level in range(1, 7)}
Heading = tuple[tuple[int, ...], int]  # a chunk's heading: its path and written level
LIST_ITEM_KIDS = {"/Lbl", "/LBody"}
# Grouping elements that mean nothing once empty (a table's empty cell still means a cell).
DROPPED_WHEN_EMPTY = {"/P", "/Span", "/Div", "/NonStruct"}
# The anchors of the sommaire's entries (templates: section.html.j2, card.html.j2).
TOC_DESTINATION = re.compile(r"(section|card)-.+")
PRINT_FLAG = 4  # annotation flag: printed as shown (ISO 32000-1 12.5.3)
# The entries of a Span that carries nothing but its content.
PLAIN_SPAN = frozenset({"Type", "S", "K", "P", "Pg"})
REFERENCE = re.compile(rb"(\d+) 0 R")  # pydyf writes every reference so, generation 0


@contextmanager
def fixed_tags() -> Iterator[list[Heading]]:
    """While the block runs, the structure tree of each tagged PDF WeasyPrint writes is made
    lighter and fixed; the list yielded gets the headings of each."""
    headings: list[Heading] = []
    with tags_finished(lambda pdf, first: headings.extend(finish(pdf, first))):
        yield headings


def finish(pdf: pydyf.PDF, first: int) -> list[Heading]:
    """Lightens and fixes the tree of ``pdf``, whose objects from number ``first`` on are
    the tree's (WeasyPrint adds them last, in one go); its headings. The objects left
    unreachable are dropped and the others numbered again, in order, from ``first``."""
    tree = _Tree(pdf)
    _lighten(tree)
    tree.elements = list(_elements(tree))
    _tag_links(tree)
    _flatten_links(tree)
    _wrap_list_item_kids(tree)
    _tag_tables_of_contents(tree)
    _drop_empty_elements(tree)
    for annotation in tree.link_annotations():
        annotation.setdefault("F", PRINT_FLAG)
    headings = list(_headings(tree))
    _renumber(pdf, first)
    return headings


class _Tree:
    """The structure tree as pydyf objects: references resolved, the ParentTree indexed."""

    def __init__(self, pdf: pydyf.PDF) -> None:
        self.pdf = pdf
        self.root = self.get(pdf.catalog["StructTreeRoot"])
        self.nums = self.get(self.root["ParentTree"])["Nums"]
        # ParentTree key → index of its value in Nums (WeasyPrint writes one flat array).
        self.slots = {self.nums[i]: i + 1 for i in range(0, len(self.nums), 2)}
        self.elements: list[pydyf.Dictionary] = []

    def get(self, value: object) -> Any:
        """The object ``value`` refers to, or ``value`` when it is not a reference."""
        if isinstance(value, bytes):
            return self.pdf.objects[int(value.split(b" ", 1)[0])]
        return value

    def kids(self, element: object) -> list[Any]:
        """An element's kids, references resolved: elements, MCIDs and dictionaries (OBJR,
        MCR); none for anything else."""
        if not isinstance(element, dict):
            return []
        return [self.get(kid) for kid in element.get("K", ())]

    def element(self, tag: str, parent: pydyf.Dictionary, kids: list[object]) -> pydyf.Dictionary:
        """A new element under ``parent``, on its page, adopting ``kids``."""
        element = pydyf.Dictionary({"Type": "/StructElem", "S": tag, "P": parent.reference})
        element["Pg"] = parent["Pg"]
        element["K"] = pydyf.Array()
        self.pdf.add_object(element)
        for kid in kids:
            element["K"].append(self.reparent(element, kid, parent["Pg"]))
        return element

    def reparent(self, element: pydyf.Dictionary, kid: Any, page: bytes) -> object:
        """``kid`` (an element, an MCID of ``page``, an OBJR or an MCR) now belongs to
        ``element``, and the ParentTree says so; the kid as ``element`` holds it: a bare
        MCID stays bare only on the element's own page."""
        if isinstance(kid, int):
            self._mcids(page)[kid] = element.reference
            if page == element.get("Pg"):
                return kid
            return pydyf.Dictionary({"Type": "/MCR", "MCID": kid, "Pg": page})
        if "S" in kid:
            kid["P"] = element.reference
            return kid.reference
        if kid.get("Type") == "/OBJR":
            annotation = self.get(kid["Obj"])
            self.nums[self.slots[annotation["StructParent"]]] = element.reference
        else:  # a marked-content reference
            self._mcids(kid["Pg"])[kid["MCID"]] = element.reference
        return kid

    def _mcids(self, page: bytes) -> pydyf.Array:
        """The ParentTree's array of the elements holding each MCID of ``page``."""
        array: pydyf.Array = self.nums[self.slots[self.get(page)["StructParents"]]]
        return array

    def link_annotations(self) -> Iterator[Any]:
        for page in self.pdf.page_references:
            for annotation in map(self.get, self.get(page).get("Annots", ())):
                if annotation.get("Subtype") == "/Link":
                    yield annotation


def _elements(tree: _Tree, under: object = None) -> Iterator[pydyf.Dictionary]:
    """Every structure element under ``under`` (the tree's root when None), in reading
    order (depth first)."""
    pending = list(reversed(tree.kids(tree.root if under is None else under)))
    while pending:
        kid = pending.pop()
        if _is_element(kid):
            yield kid
            pending.extend(reversed(tree.kids(kid)))


def _is_element(kid: Any) -> bool:
    return isinstance(kid, pydyf.Dictionary) and "S" in kid


def _is_objr(kid: Any) -> bool:
    return isinstance(kid, pydyf.Dictionary) and kid.get("Type") == "/OBJR"


def _lighten(tree: _Tree) -> None:
    """Folds the plain Spans into their parents and writes the OBJRs inside their
    elements."""
    for element in list(_elements(tree)):
        kids: list[object] = []
        for kid in tree.kids(element):
            if _is_plain_span(kid):
                kids += [tree.reparent(element, mark, kid["Pg"]) for mark in kid["K"]]
            elif _is_element(kid):
                kids.append(kid.reference)
            else:
                kids.append(kid)  # an MCID, or an OBJR now written in its element
        element["K"] = pydyf.Array(kids)


def _is_plain_span(kid: Any) -> bool:
    return (
        isinstance(kid, pydyf.Dictionary)
        and kid.get("S") == "/Span"
        and kid.keys() <= PLAIN_SPAN
        and "Pg" in kid
        and all(isinstance(mark, int) for mark in kid["K"])
    )


def _tag_links(tree: _Tree) -> None:
    """An element holding a link annotation is a Link (WeasyPrint tags a ``<span>`` inside
    ``<a>`` as a Span holding its own annotation); a Link holding none is a Span: its link
    was dropped because its target is not in this PDF."""
    for element in tree.elements:
        holds_link = any(
            _is_objr(kid) and tree.get(kid["Obj"]).get("Subtype") == "/Link"
            for kid in tree.kids(element)
        )
        if holds_link:
            element["S"] = "/Link"
        elif element["S"] == "/Link":
            element["S"] = "/Span"


def _flatten_links(tree: _Tree) -> None:
    """A link inside a link (WeasyPrint tags an ``<a>``'s ``::after`` and inner spans as
    links of their own) joins the outer one, so that each link is announced once."""
    for element in reversed(tree.elements):  # the innermost first
        parent = tree.get(element["P"])
        if element["S"] != "/Link" or not _is_element(parent) or parent["S"] != "/Link":
            continue
        kids: list[object] = []
        for kid in tree.kids(parent):
            if kid is element:
                kids += [tree.reparent(parent, sub, element["Pg"]) for sub in tree.kids(element)]
            else:
                kids.append(kid.reference if _is_element(kid) else kid)
        parent["K"] = pydyf.Array(kids)


def _wrap_list_item_kids(tree: _Tree) -> None:
    """A list item holds a label and a body only (ISO 32000-1 14.8.4.3.3): what WeasyPrint
    puts beside them (the paragraphs of a loose list, a footnote's paragraph) goes into an
    LBody."""
    for element in tree.elements:
        if element["S"] != "/LI":
            continue
        kids: list[object] = []
        strays: list[object] = []
        for kid in tree.kids(element):
            if _is_element(kid) and kid["S"] in LIST_ITEM_KIDS:
                if strays:
                    kids.append(tree.element("/LBody", element, strays).reference)
                    strays = []
                kids.append(kid.reference)
            else:
                strays.append(kid)
        if strays:
            kids.append(tree.element("/LBody", element, strays).reference)
        element["K"] = pydyf.Array(kids)


def _drop_empty_elements(tree: _Tree) -> None:
    """Elements with nothing in them (the paragraph of a decorative image, which is drawn as
    an artifact) are dropped: a screen reader would announce an empty paragraph."""
    for element in reversed(tree.elements):  # children before their parents
        if element["S"] in DROPPED_WHEN_EMPTY and not element["K"]:
            parent = tree.get(element["P"])
            if _is_element(parent) or parent is tree.root:
                parent["K"] = pydyf.Array(k for k in parent["K"] if k != element.reference)


def _tag_tables_of_contents(tree: _Tree) -> None:
    """A list whose every item leads to a section or a card is a table of contents:
    L → TOC, LI → TOCI, LBody → Reference (ISO 32000-1 14.8.4.3.2)."""
    for element in tree.elements:
        if element["S"] == "/L" and _is_toc(tree, element):
            _retag_toc(tree, element)


def _is_toc(tree: _Tree, element: pydyf.Dictionary) -> bool:
    items = [kid for kid in tree.kids(element) if _is_element(kid)]
    return bool(items) and all(
        (item["S"] == "/LI" and _leads_to_sections(tree, item))
        or (item["S"] == "/L" and _is_toc(tree, item))
        for item in items
    )


def _leads_to_sections(tree: _Tree, item: pydyf.Dictionary) -> bool:
    destinations = [
        _destination(tree.get(kid["Obj"]))
        for element in (item, *_elements(tree, item))
        for kid in tree.kids(element)
        if _is_objr(kid)
    ]
    return bool(destinations) and all(
        destination is not None and TOC_DESTINATION.fullmatch(destination) is not None
        for destination in destinations
    )


def _destination(annotation: object) -> str | None:
    """The name a link annotation leads to: its destination, or, in a chunk, the anchor of
    another chunk that its URI names (merge.py makes it a destination)."""
    if not isinstance(annotation, dict):
        return None
    if isinstance(destination := annotation.get("Dest"), pydyf.String):
        return str(destination.string)
    action = annotation.get("A")
    uri = str(action["URI"].string) if isinstance(action, dict) and "URI" in action else ""
    return uri.removeprefix(ANCHOR_SCHEME) if uri.startswith(ANCHOR_SCHEME) else None


def _retag_toc(tree: _Tree, toc: pydyf.Dictionary) -> None:
    """WeasyPrint puts a nested list in the item's LBody: it becomes a TOC in the TOCI."""
    toc["S"] = "/TOC"
    for kid in tree.kids(toc):
        if not isinstance(kid, pydyf.Dictionary) or not _is_element(kid):
            continue
        if kid["S"] == "/L":
            _retag_toc(tree, kid)
            continue
        kid["S"] = "/TOCI"
        for part in tree.kids(kid):
            if not _is_element(part) or part["S"] != "/LBody":
                continue
            part["S"] = "/Reference"
            nested = [sub for sub in tree.kids(part) if _is_list(sub)]
            part["K"] = pydyf.Array(sub for sub in part["K"] if not _is_list(tree.get(sub)))
            if not part["K"]:  # an entry's continuation on the next page
                kid["K"] = pydyf.Array(k for k in kid["K"] if k != part.reference)
            for sub in nested:
                kid["K"].append(tree.reparent(kid, sub, kid["Pg"]))
                _retag_toc(tree, sub)


def _is_list(kid: Any) -> bool:
    return _is_element(kid) and kid["S"] == "/L"


def _headings(tree: _Tree) -> Iterator[Heading]:
    """The headings in reading order: each one's path from the Document element (kid
    indexes, which the merge follows in its copy) and its level as written."""
    (document,) = tree.kids(tree.root)
    pending: list[tuple[Any, tuple[int, ...]]] = [
        (kid, (i,)) for i, kid in reversed(list(enumerate(tree.kids(document))))
    ]
    while pending:
        element, path = pending.pop()
        if not _is_element(element):
            continue
        level = HEADINGS.get(element["S"])
        if level is not None:
            yield path, level
        kids = list(enumerate(tree.kids(element)))
        pending.extend((kid, (*path, i)) for i, kid in reversed(kids))


def _renumber(pdf: pydyf.PDF, first: int) -> None:
    """Keeps, of the objects from ``first`` on, those the structure tree still reaches,
    numbered again in order, and every reference to them (they are referred to only from
    one another and from the catalog)."""
    added = pdf.objects[first:]
    reached: set[int] = set()
    pending: list[object] = [pdf.catalog["StructTreeRoot"]]
    while pending:
        value = pending.pop()
        if isinstance(value, bytes):
            number = _number(value)
            if number is None or number < first or number in reached:
                continue
            reached.add(number)
            value = pdf.objects[number]
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    kept = [obj for obj in added if obj.number in reached]
    moved: dict[bytes, bytes] = {}
    for number, obj in enumerate(kept, start=first):
        old = obj.reference
        obj.number = number
        moved[old] = obj.reference
    del pdf.objects[first:]
    pdf.objects.extend(kept)
    seen: set[int] = set()
    for obj in kept:
        _rewrite(obj, moved, seen)
    pdf.catalog["StructTreeRoot"] = moved[pdf.catalog["StructTreeRoot"]]


def _number(value: bytes) -> int | None:
    match = REFERENCE.fullmatch(value)
    return int(match[1]) if match else None


def _rewrite(container: dict | list, moved: dict[bytes, bytes], seen: set[int]) -> None:
    """Replaces the references in ``container`` and the direct objects it holds, each
    container once (a reference replaced twice could name yet another object)."""
    if id(container) in seen:
        return
    seen.add(id(container))
    items = container.items() if isinstance(container, dict) else enumerate(container)
    for key, value in list(items):
        if isinstance(value, bytes):
            container[key] = moved.get(value, value)
        elif isinstance(value, dict | list):
            _rewrite(value, moved, seen)
