"""A tagged PDF's structure tree with fewer objects, the same for a screen reader.

WeasyPrint (70) wraps each run of text in a structure element of its own, a ``/Span`` with
no attribute, and refers to each link annotation through an indirect ``/OBJR`` dictionary.
In a 1212-page booklet they were 62,000 and 19,000 of its 151,000 objects: most of what
qpdf holds in memory, copies and writes in the merge, in the conformance pass and in every
card cut from the booklet. A Span without attributes means nothing (ISO 32000-1 14.8.4.4:
"a generic inline portion of text having no particular inherent characteristics"), so its
marked content goes to its parent, which the ParentTree then names; an OBJR is a plain
dictionary, written inside its element. Done on each chunk, in the process that wrote it.
"""

from __future__ import annotations

from typing import Any, TypeGuard

import pikepdf
from pikepdf import Array, Dictionary, Name

from .struct_tree import kids, mcid_arrays

# The entries of a Span that carries nothing but its content.
PLAIN_SPAN = frozenset({"/Type", "/S", "/K", "/P", "/Pg"})


def lighten(document: pikepdf.Pdf) -> bool:
    """Folds the plain Spans of ``document``'s structure tree into their parents and writes
    its OBJRs inside their elements; whether anything changed."""
    if "/StructTreeRoot" not in document.Root:
        return False
    root = document.Root.StructTreeRoot
    mcids = mcid_arrays(root)
    changed = False
    pending = kids(root)
    while pending:
        element = pending.pop()
        if not isinstance(element, Dictionary) or "/S" not in element:
            continue
        lighter: list[object] = []
        folded = False
        for kid in kids(element):
            if _is_plain_span(kid):
                lighter += [_moved(mark, kid, element, mcids) for mark in kids(kid)]
                folded = True
            elif _is_indirect_objr(kid):
                lighter.append(Dictionary(dict(kid.items())))
                folded = True
            else:
                lighter.append(kid)
                pending.append(kid)
        if folded:
            element.K = Array(lighter)
            changed = True
    return changed


def _moved(mark: Any, span: Dictionary, parent: Dictionary, mcids: dict) -> object:
    """The marked content ``mark`` of ``span`` as ``parent`` holds it, and the ParentTree
    entry of its MCID pointing to ``parent``. A bare MCID lives on its holder's page: it
    stays bare only when the parent is on the Span's page."""
    page = mark.Pg if isinstance(mark, Dictionary) else span.get("/Pg")
    mcid = int(mark.MCID) if isinstance(mark, Dictionary) else int(mark)
    if page is not None:
        array = mcids.get(int(page.get("/StructParents", -1)))
        if array is not None and mcid < len(array):
            array[mcid] = parent
    if isinstance(mark, Dictionary):
        return mark
    same_page = page is not None and _same(parent.get("/Pg"), page)
    return mark if same_page else Dictionary(Type=Name.MCR, MCID=mcid, Pg=page)


def _is_plain_span(kid: object) -> TypeGuard[Dictionary]:
    return (
        isinstance(kid, Dictionary)
        and kid.get("/S") == Name.Span
        and set(kid.keys()) <= PLAIN_SPAN
        and "/Pg" in kid
        and all(_is_marked_content(mark) for mark in kids(kid))
    )


def _is_marked_content(mark: object) -> bool:
    return isinstance(mark, int) or (
        isinstance(mark, Dictionary) and mark.get("/Type") == Name.MCR and "/Pg" in mark
    )


def _is_indirect_objr(kid: object) -> TypeGuard[Dictionary]:
    return isinstance(kid, Dictionary) and kid.is_indirect and kid.get("/Type") == Name.OBJR


def _same(a: object, b: object) -> bool:
    return (
        isinstance(a, pikepdf.Object)
        and isinstance(b, pikepdf.Object)
        and a.is_indirect
        and b.is_indirect
        and a.objgen == b.objgen
    )
