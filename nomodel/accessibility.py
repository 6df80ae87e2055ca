"""Accessibility fixes for the tagged PDFs that WeasyPrint writes.

WeasyPrint marks the text of page margin boxes (running heads, folios) as ``/Span``
marked content with an MCID and maps it in the ParentTree, but never links the
structure elements into the structure tree. PDF/UA wants that pagination content
marked as an artifact instead, and not referenced from the ParentTree.
"""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
)

Operations = list[tuple[list, bytes]]

PAGINATION_ARTIFACT = [
    NameObject("/Artifact"),
    DictionaryObject({NameObject("/Type"): NameObject("/Pagination")}),
]


def mark_pagination_artifacts(pdf: bytes) -> bytes:
    """Turn the marked content of structure elements left out of the structure tree
    into ``/Artifact <</Type /Pagination>>`` and drop it from the ParentTree.

    Untagged PDFs, and PDFs with nothing to fix, come back as the same bytes.
    """
    reader = PdfReader(BytesIO(pdf))
    root = reader.trailer["/Root"].get_object()
    if "/StructTreeRoot" not in root:
        return pdf
    tree_root = root["/StructTreeRoot"].get_object()
    reachable = _reachable_elements(tree_root.get("/K"))
    parent_tree = _parent_tree(tree_root)

    new_contents: dict[int, Operations] = {}
    for index, page in enumerate(reader.pages):
        mcids = parent_tree.get(page.get("/StructParents"))
        if mcids is None:
            continue
        detached = {
            mcid
            for mcid, element in enumerate(mcids)
            if isinstance(element, IndirectObject) and element.idnum not in reachable
        }
        if not detached or (content := page.get_contents()) is None:
            continue
        rewritten = _mark_artifacts(content.operations, detached)
        # Only the MCIDs actually found in the page's content are unmapped, so the
        # ParentTree never loses an entry that some other stream still uses.
        for mcid in rewritten:
            mcids[mcid] = NullObject()
        if rewritten:
            new_contents[index] = content.operations
    if not new_contents:
        return pdf

    # The ParentTree is edited in the reader, before cloning, so that the detached
    # structure elements it was the only way to reach are not copied at all.
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header
    for index, operations in new_contents.items():
        content = ContentStream(None, writer)
        content.operations = operations
        # Compressed after replacing: ContentStream.flate_encode() would encode the
        # stale bytes, not the operations.
        writer.pages[index].replace_contents(content)
        writer.pages[index].compress_content_streams()
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def _reachable_elements(kids: object) -> set[int]:
    """Object numbers of the structure elements reachable through /K."""
    reachable: set[int] = set()
    pending = [kids]
    while pending:
        kid = pending.pop()
        if isinstance(kid, IndirectObject):
            if kid.idnum in reachable:
                continue
            reachable.add(kid.idnum)
            kid = kid.get_object()
        if isinstance(kid, ArrayObject):
            pending.extend(kid)
        elif isinstance(kid, DictionaryObject):
            # Marked-content and object references have no /K; counting them when
            # indirect is harmless, as the ParentTree only points to structure elements.
            pending.append(kid.get("/K"))
    return reachable


def _parent_tree(tree_root: DictionaryObject) -> dict[int, ArrayObject]:
    """StructParents key → the array mapping that page's MCIDs to structure elements.

    WeasyPrint writes the ParentTree as a single flat /Nums array.
    """
    if "/ParentTree" not in tree_root:
        return {}
    nums = tree_root["/ParentTree"].get_object().get("/Nums", ArrayObject())
    return {
        key: value.get_object()
        for key, value in zip(nums[::2], nums[1::2], strict=True)
        if isinstance(value.get_object(), ArrayObject)
    }


def _mark_artifacts(operations: Operations, mcids: set[int]) -> set[int]:
    """Rewrite, in place, the BDC operators of the given MCIDs; return those found."""
    found: set[int] = set()
    for index, (operands, operator) in enumerate(operations):
        if operator != b"BDC" or len(operands) != 2:
            continue
        properties = operands[1]
        if isinstance(properties, DictionaryObject) and properties.get("/MCID") in mcids:
            found.add(properties["/MCID"])
            operations[index] = (list(PAGINATION_ARTIFACT), operator)
    return found
