"""Workarounds of the dependencies' limitations, all in one place.

Each names the upstream limitation it works around; tests/test_compat.py fails loudly when a
dependency changes under one of them, so that it is revisited (or dropped) on upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pydyf


@contextmanager
def page_references_once() -> Iterator[None]:
    """pydyf (0.13) computes ``PDF.page_references``, a tuple of every page's reference, anew
    on each read, and WeasyPrint (70) reads it once per link, anchor and tagged element
    (``weasyprint/pdf/anchors.py``, ``tags.py``): writing a PDF is quadratic in its pages
    (a 244-page tagged booklet read it 29 600 times, 7 million tuple items, a third of the
    write). Pages are only ever appended, so the tuple is kept while their number stays."""
    computed = pydyf.PDF.page_references

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        count = pdf.pages["Count"]
        cached = pdf.__dict__.get("_nomodel_page_references")
        if cached is None or cached[0] != count:
            cached = (count, computed.fget(pdf))
            pdf.__dict__["_nomodel_page_references"] = cached
        return cached[1]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = computed
