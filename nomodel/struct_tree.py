"""Reading a tagged PDF's structure tree (pikepdf), for the passes that edit it."""

from __future__ import annotations

from typing import Any

import pikepdf
from pikepdf import Array


def kids(element: pikepdf.Object) -> list[Any]:
    """The kids of a structure element (or of the tree's root), one or many: elements,
    marked-content ids and references, object references."""
    found = element.get("/K")
    if found is None:
        return []
    return list(found) if isinstance(found, Array) else [found]


def document(root: pikepdf.Object) -> pikepdf.Dictionary:
    """The one Document element under the tree's root, as WeasyPrint writes it: its kids
    are the elements of the pages, each on one page."""
    (found,) = kids(root)
    assert isinstance(found, pikepdf.Dictionary)
    return found


def mcid_arrays(root: pikepdf.Object) -> dict[int, Array]:
    """StructParents key → the array mapping that page's MCIDs to structure elements (the
    arrays of the ParentTree, edited in place)."""
    if "/ParentTree" not in root:
        return {}
    tree = pikepdf.NumberTree(root.ParentTree)
    return {int(key): value for key, value in tree.items() if isinstance(value, Array)}
