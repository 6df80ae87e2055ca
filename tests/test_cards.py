"""Card PDFs cut from the written booklet (cards.py): each holds its pages and nothing of the
others' — pages, structure, links, destinations — and is a document of its own."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pikepdf
import pytest
from pdf_helpers import page_texts
from pypdf import PdfReader
from samples import write_rich

from nomodel.cli import main

NUMBERS = ("00A.001", "00A.002", "00C.001")


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_rich(tmp_path_factory.mktemp("rich"))


@pytest.fixture(scope="module")
def built(content: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("out")
    assert main(["build", "--content", str(content), "--output", str(output), "--cards"]) == 0
    return output


def elements(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from elements(kid)


def test_each_card_is_its_booklet_pages_with_their_numbers_as_labels(built: Path) -> None:
    booklet = page_texts(built / "booklet.pdf")
    for number in NUMBERS:
        card = page_texts(built / "cards" / f"{number}.pdf")
        start = next(i for i, text in enumerate(booklet) if f"N°. {number}\n" in text)
        assert card == booklet[start : start + len(card)]
        labels = PdfReader(built / "cards" / f"{number}.pdf").page_labels
        assert labels == [str(start + 1 + i) for i in range(len(card))]
        assert all(label in text.split() for label, text in zip(labels, card, strict=True))
        with pikepdf.open(built / "cards" / f"{number}.pdf") as pdf:
            page_objects = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)]
            assert sum(o.get("/Type") == "/Page" for o in page_objects) == len(card)


def test_the_structure_is_the_cards_own(built: Path) -> None:
    for number in NUMBERS:
        with pikepdf.open(built / "cards" / f"{number}.pdf") as pdf:
            pages = {page.obj.objgen for page in pdf.pages}
            tree = pdf.Root.StructTreeRoot
            (document,) = [tree.K] if isinstance(tree.K, pikepdf.Dictionary) else list(tree.K)
            assert document.S == "/Document" and document.P.objgen == tree.objgen
            found = list(elements(document))
            assert all(e.Pg.objgen in pages for e in found if "/Pg" in e)
            headings = [
                int(str(e.S)[2:]) for e in found if str(e.S) in {f"/H{n}" for n in range(1, 7)}
            ]
            assert headings[0] == 1 and all(b <= a + 1 for a, b in pairwise(headings))
            parent_tree = dict(pikepdf.NumberTree(tree.ParentTree).items())
            for page in pdf.pages:
                assert int(page.obj.StructParents) in parent_tree
                for annotation in page.obj.get("/Annots", []):
                    holder = parent_tree[int(annotation.StructParent)]
                    assert holder.S == "/Link"
                    assert any(
                        isinstance(k, pikepdf.Dictionary) and k.get("/Obj") == annotation
                        for k in holder.K
                    )
            for link in (e for e in found if e.S == "/Link"):
                assert any(isinstance(k, pikepdf.Dictionary) and "/Obj" in k for k in link.K)


def test_links_lead_inside_the_card_or_are_gone(built: Path) -> None:
    """00A.001 refers to 00A.002, and 00A.002 back to it: in a card's own PDF that text
    stays, without a link; every link left leads to a destination of the file."""
    for number in NUMBERS:
        with pikepdf.open(built / "cards" / f"{number}.pdf") as pdf:
            names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
            assert f"card-{number}" in names
            assert not any(name.startswith("card-") and name != f"card-{number}" for name in names)
            pages = {page.obj.objgen for page in pdf.pages}
            assert all(destination[0].objgen in pages for destination in names.values())
            for page in pdf.pages:
                for annotation in page.obj.get("/Annots", []):
                    if "/Dest" in annotation:
                        assert str(annotation.Dest) in names
    assert "fiche suivante" in "".join(page_texts(built / "cards" / "00A.001.pdf"))


def test_fonts_are_the_booklets_and_metadata_the_cards(built: Path) -> None:
    with pikepdf.open(built / "booklet.pdf") as booklet:
        booklet_fonts = {
            str(font.BaseFont)
            for page in booklet.pages
            for font in page.Resources.get("/Font", {}).values()
        }
    for number in NUMBERS:
        with pikepdf.open(built / "cards" / f"{number}.pdf") as pdf:
            fonts = {
                str(font.BaseFont)
                for page in pdf.pages
                for font in page.Resources.get("/Font", {}).values()
            }
            assert fonts and fonts <= booklet_fonts
            with pdf.open_metadata() as xmp:
                assert xmp["dc:title"] == str(pdf.docinfo.Title)
                assert str(pdf.docinfo.Title).startswith(f"{number} — ")
    with pikepdf.open(built / "cards" / "00A.001.pdf") as pdf, pdf.open_metadata() as xmp:
        assert (
            xmp["dc:description"] == str(pdf.docinfo.Subject) == "Une fiche qui contient de tout."
        )
        assert str(pdf.docinfo.Keywords) == "listes, tableaux"
