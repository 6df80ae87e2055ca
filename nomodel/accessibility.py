"""Accessibility fix for the tagged PDFs that WeasyPrint writes: pagination as artifacts.

WeasyPrint marks the text of page margin boxes (running heads, folios) as ``/Span``
marked content with an MCID and maps it in the ParentTree, but never links the
structure elements into the structure tree. PDF/UA wants that pagination content
marked as an artifact instead, and not referenced from the ParentTree.

Done with pikepdf (qpdf parses and writes the content streams in C++): the same pass in
pypdf took 23 s on a 244-page booklet, this one under 1.5 s.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, ContentStreamInstruction, Dictionary, Name, Operator

from .struct_tree import mcid_arrays

PAGINATION_ARTIFACT = (Name.Artifact, Dictionary(Type=Name.Pagination))
BDC = Operator("BDC")


def mark_pagination_artifacts(pdf: pikepdf.Pdf) -> bool:
    """Turn, in ``pdf``, the marked content of structure elements left out of the
    structure tree into ``/Artifact <</Type /Pagination>>`` and drop it from the
    ParentTree; whether anything changed (nothing does in an untagged PDF)."""
    if "/StructTreeRoot" not in pdf.Root:
        return False
    tree_root = pdf.Root.StructTreeRoot
    reachable = _reachable_elements(tree_root.get("/K"))
    parent_tree = mcid_arrays(tree_root)
    changed = False
    for page in pdf.pages:
        mcids = parent_tree.get(int(page.obj.get("/StructParents", -1)))
        if mcids is None:
            continue
        detached = {
            mcid
            for mcid, element in enumerate(mcids)
            if isinstance(element, Dictionary) and element.objgen not in reachable
        }
        if not detached:
            continue
        instructions = pikepdf.parse_content_stream(page)
        # Only the MCIDs actually found in the page's content are unmapped, so the
        # ParentTree never loses an entry that some other stream still uses; the detached
        # elements, then referenced by nothing, are not written at all.
        found = _mark_artifacts(instructions, detached)
        for mcid in found:
            mcids[mcid] = None
        if found:
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
            changed = True
    return changed


def _reachable_elements(kids: object) -> set[tuple[int, int]]:
    """Object ids of the structure elements reachable through /K."""
    reachable: set[tuple[int, int]] = set()
    pending = [kids]
    while pending:
        kid = pending.pop()
        if isinstance(kid, pikepdf.Object) and kid.is_indirect:
            if kid.objgen in reachable:
                continue
            reachable.add(kid.objgen)
        if isinstance(kid, Array):
            pending.extend(kid)
        elif isinstance(kid, Dictionary):
            # Marked-content and object references have no /K; counting them when
            # indirect is harmless, as the ParentTree only points to structure elements.
            pending.append(kid.get("/K"))
    return reachable


def _mark_artifacts(instructions: list, mcids: set[int]) -> set[int]:
    """Rewrite, in place, the BDC operators of the given MCIDs; return those found."""
    found: set[int] = set()
    # By attribute: unpacking each instruction as a tuple took four times as long.
    for index, instruction in enumerate(instructions):
        if instruction.operator != BDC or len(operands := instruction.operands) != 2:
            continue
        properties = operands[1]
        if isinstance(properties, Dictionary) and properties.get("/MCID") in mcids:
            found.add(int(properties.MCID))
            instructions[index] = ContentStreamInstruction(PAGINATION_ARTIFACT, BDC)
    return found
