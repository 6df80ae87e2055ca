"""The dependency workarounds of nomodel/compat.py: each test fails when the dependency
changes under its workaround, so that it is looked at again on upgrade."""

from __future__ import annotations

import pydyf
from weasyprint import HTML

from nomodel.compat import page_references_once

LINKED_PAGES = '<html lang="fr">' + "".join(
    f'<section id="s{n}" style="page-break-after: always"><a href="#s{(n + 1) % 6}">next</a>'
    f"<h1>Page {n}</h1></section>"
    for n in range(6)
)


def test_pydyf_still_computes_page_references_anew_on_each_read() -> None:
    """The upstream limitation: when pydyf caches the tuple itself, drop the workaround."""
    pdf = pydyf.PDF()
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert pdf.page_references is not pdf.page_references


def test_page_references_once_changes_nothing_in_the_pdf() -> None:
    """Same bytes, tagged or not, with links and anchors on every page (what reads the
    references); and new pages are seen (the cache follows the page count)."""
    document = HTML(string=LINKED_PAGES).render()
    for variant in (None, "pdf/ua-1"):
        plain = document.write_pdf(pdf_variant=variant)
        with page_references_once():
            assert document.write_pdf(pdf_variant=variant) == plain
    with page_references_once():
        pdf = pydyf.PDF()
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        first = pdf.page_references
        assert pdf.page_references is first
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert len(pdf.page_references) == 2
    assert isinstance(pydyf.PDF.page_references, property)  # restored
