"""The structure tree finished as WeasyPrint builds it (tag_tree.py): fewer objects, the same
reading, every object reached and numbered in order, the headings for the merge."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pikepdf
import pydyf
import pytest
import weasyprint
from pikepdf import Dictionary, Name
from pypdf import PdfReader

from nomodel.compat import pagination_as_artifacts, tags_finished
from nomodel.conformance import heading_element, number_headings
from nomodel.pdf_file import saved
from nomodel.struct_tree import kids
from nomodel.tag_tree import finish, fixed_tags

# WeasyPrint's own writes are compared byte for byte (conftest.fixed_font_clock).
pytestmark = pytest.mark.usefixtures("fixed_font_clock")

FONTS = Path(__file__).parent.parent / "styles" / "fonts"
LI_KIDS = {"/Lbl", "/LBody"}
EMPTY = {"/P", "/Span", "/Div", "/NonStruct"}  # dropped when empty
IMAGE = (
    "data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%2210%22"
    " height=%2210%22%3E%3Crect width=%2210%22 height=%2210%22/%3E%3C/svg%3E"
)
LINES = "".join(
    f"<p>Ligne {i} d’un long paragraphe, jusqu’à la page suivante.</p>" for i in range(40)
)

HTML = f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Essai</title><style>
@font-face {{ font-family: Old; src: url(OldStandard-Regular.ttf) }}
html {{ font: 11pt Old }}
@page {{ size: A6; @bottom-right {{ content: counter(page) }} }}
.next {{ break-before: page }}
.filet {{ height: 4pt; background: url("{IMAGE}") }}
.renvoi::after {{ content: " (p. " target-counter(attr(href), page) ")" }}
</style></head><body>
<h1>Les laboratoires</h1>
<p>Un <em>labo</em> ouvert, un <strong>second</strong> et un lien
<a href="https://www.modernisation.gouv.fr/">vers la DITP</a> puis
<a href="#fin"><span>un lien qui tient un span</span></a>.</p>
<ul><li>Premier point</li><li>Second point avec <em>emphase</em></li>
<li><p>Un point lâche</p><p>en deux paragraphes</p></li></ul>
<p><a class="renvoi" href="#fin">Un renvoi</a>.</p>
<p class="filet"></p>
<table><tr><th>Année</th><th>Labos</th></tr><tr><td>2018</td><td>12</td></tr></table>
<p><img alt="un carré" src="{IMAGE}"> texte après l’image.</p>
{LINES}
<p class="next" id="fin">Fin du document, sur une autre page.</p>
</body></html>"""
# Levels as a project's own template might write them: none at 1, gaps, and a heading
# inside a list item, deeper in the tree than the others.
HEADINGS_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Titres</title><style>
@font-face { font-family: Old; src: url(OldStandard-Regular.ttf) }
html { font: 11pt Old } @page { size: A6 } .next { break-before: page }
</style></head><body>
<h2>Section</h2><p>Texte.</p>
<h4>Sous-partie sans parent</h4><p>Texte.</p>
<ul><li><h3>Dans une liste</h3><p>Point.</p></li></ul>
<h2 class="next">Autre section</h2>
<h5>Très profond</h5>
</body></html>"""


def written(html: str = HTML, variant: str | None = "pdf/ua-1", fixed: bool = True) -> bytes:
    """``html`` written as a chunk is: running heads as artifacts, the tree finished."""
    document = weasyprint.HTML(string=html, base_url=f"{FONTS}/")
    with pagination_as_artifacts():
        if not fixed:
            return document.write_pdf(pdf_variant=variant)
        with fixed_tags():
            return document.write_pdf(pdf_variant=variant)


@pytest.fixture(scope="module")
def tagged() -> bytes:
    return written(fixed=False)


@pytest.fixture(scope="module")
def lightened() -> bytes:
    return written()


def reading(pdf: bytes) -> list[tuple[int, int, str]]:
    """The marked content in the structure tree's order: (page index, MCID, tag of the
    element holding it), a bare MCID on its holder's page, as a screen reader goes."""
    with pikepdf.open(BytesIO(pdf)) as document:
        pages = {page.obj.objgen: i for i, page in enumerate(document.pages)}
        found: list[tuple[int, int, str]] = []

        def walk(element: Dictionary) -> None:
            for kid in kids(element):
                if isinstance(kid, int):
                    found.append((pages[element.Pg.objgen], kid, str(element.S)))
                elif kid.get("/Type") == Name.MCR:
                    found.append((pages[kid.Pg.objgen], int(kid.MCID), str(element.S)))
                elif "/S" in kid:
                    walk(kid)

        walk(document.Root.StructTreeRoot)
        return found


def _tag(kid: object) -> str:
    """An element's tag, the type of another dictionary, an MCID as text."""
    if isinstance(kid, Dictionary):
        return str(kid.get("/S", kid.get("/Type")))
    return str(kid)


def holders(pdf: bytes) -> dict[tuple[int, int], tuple[int, int]]:
    """(page index, MCID) → the object holding it, as the ParentTree says."""
    with pikepdf.open(BytesIO(pdf)) as document:
        tree = pikepdf.NumberTree(document.Root.StructTreeRoot.ParentTree)
        mapping = {}
        for i, page in enumerate(document.pages):
            array = tree.get(int(page.obj.get("/StructParents", -1)))
            for mcid, element in enumerate(array or []):
                if isinstance(element, Dictionary):
                    mapping[(i, mcid)] = element.objgen
        return mapping


def count(pdf: bytes, kind: str) -> int:
    with pikepdf.open(BytesIO(pdf)) as document:
        return sum(
            isinstance(obj, Dictionary) and (obj.get("/S") == kind or obj.get("/Type") == kind)
            for obj in document.objects
        )


def test_fewer_objects_same_text(tagged: bytes, lightened: bytes) -> None:
    assert count(tagged, "/Span") > 30
    assert count(lightened, "/Span") <= 2  # those holding a link
    assert count(tagged, "/OBJR") >= 2
    assert count(lightened, "/OBJR") == 0  # written inside their elements: not objects
    assert len(pikepdf.open(BytesIO(lightened)).objects) < len(
        pikepdf.open(BytesIO(tagged)).objects
    )
    texts = [page.extract_text() for page in PdfReader(BytesIO(lightened)).pages]
    assert texts == [page.extract_text() for page in PdfReader(BytesIO(tagged)).pages]
    assert len(texts) >= 2


def test_every_object_reached_numbered_in_order_and_read_without_warning(
    lightened: bytes,
) -> None:
    """The objects the tree no longer reaches are not written, and the others are numbered
    again without gaps: qpdf reads every object without repairing anything, and saving the
    file again (qpdf keeps only what is reached) drops nothing."""
    with pikepdf.open(BytesIO(lightened)) as document:
        numbers = [obj.objgen[0] for obj in document.objects]
        for obj in document.objects:
            repr(obj)  # resolves it
        assert document.get_warnings() == []
        again = saved(document)
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert len(pikepdf.open(BytesIO(again)).objects) == len(numbers)


def test_same_reading_order_and_every_mcid_mapped_to_its_holder(
    tagged: bytes, lightened: bytes
) -> None:
    before, after = reading(tagged), reading(lightened)
    assert [(page, mcid) for page, mcid, _ in after] == [(p, m) for p, m, _ in before]
    assert len({page for page, _, _ in after}) >= 2
    # Text once in a Span is now in the paragraph, heading, cell or item that held it.
    assert {tag for _, _, tag in before} >= {"/Span", "/Link"}
    assert {tag for _, _, tag in after} >= {"/P", "/H1", "/TD", "/TH", "/Link", "/LBody"}
    mapping = holders(lightened)
    with pikepdf.open(BytesIO(lightened)) as document:
        for page, mcid, tag in after:
            holder = document.get_object(mapping[(page, mcid)])
            assert str(holder.S) == tag
    assert len(mapping) == len(after)  # nothing mapped that the tree does not hold


def test_links_keep_their_annotations_and_are_printed(lightened: bytes) -> None:
    with pikepdf.open(BytesIO(lightened)) as document:
        links = [
            obj
            for obj in document.objects
            if isinstance(obj, Dictionary) and obj.get("/S") in (Name.Link, Name.Span)
        ]
        holding = [
            (element, kid.Obj)
            for element in links
            for kid in kids(element)
            if isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR
        ]
        on_pages = [a for page in document.pages for a in page.get("/Annots", [])]
        assert len(holding) == len(on_pages) >= 2
        # WeasyPrint tags the span inside the second link as a Span holding the annotation.
        assert all(str(element.S) == "/Link" for element, _ in holding)
        tree = pikepdf.NumberTree(document.Root.StructTreeRoot.ParentTree)
        for annotation in on_pages:
            assert int(annotation.F) & 4  # printed as shown
            holder = tree[int(annotation.StructParent)]
            assert any(
                isinstance(kid, Dictionary) and kid.get("/Obj") == annotation
                for kid in kids(holder)
            )


def test_list_items_hold_a_label_and_a_body_no_link_is_in_a_link_nothing_is_empty(
    tagged: bytes, lightened: bytes
) -> None:
    def elements(pdf: bytes) -> list[tuple[str, str, list[str]]]:
        """(tag, parent's tag, kids' tags and MCIDs) of every element."""
        with pikepdf.open(BytesIO(pdf)) as document:
            return [
                (str(obj.S), str(obj.P.get("/S")), [_tag(kid) for kid in kids(obj)])
                for obj in document.objects
                if isinstance(obj, Dictionary) and "/S" in obj and "/P" in obj
            ]

    def strays(pdf: bytes) -> list[list[str]]:
        return [held for tag, _, held in elements(pdf) if tag == "/LI" and set(held) - LI_KIDS]

    def nested(pdf: bytes) -> int:
        return sum(tag == parent == "/Link" for tag, parent, _ in elements(pdf))

    def empty(pdf: bytes) -> int:
        return sum(tag in EMPTY and not held for tag, _, held in elements(pdf))

    assert strays(tagged) and nested(tagged) and empty(tagged)  # what WeasyPrint writes
    assert not strays(lightened) and not nested(lightened) and not empty(lightened)


def moving_a_span_to_the_first_page(pdf: pydyf.PDF, first: int) -> None:
    """Moves a Span of the second page under a paragraph of the first, as no WeasyPrint
    tree does yet: the pass must still say which page its MCID is on."""
    objects = pdf.objects[first:]
    pages = pdf.page_references
    paragraphs = [obj for obj in objects if isinstance(obj, dict) and obj.get("S") == "/P"]
    parent = next(p for p in paragraphs if p["Pg"] == pages[0])
    span = next(
        o for o in objects if isinstance(o, dict) and o.get("S") == "/Span" and o["Pg"] == pages[1]
    )
    holder = pdf.objects[int(span["P"].split()[0])]
    holder["K"] = pydyf.Array(k for k in holder["K"] if k != span.reference)
    parent["K"].append(span.reference)
    span["P"] = parent.reference


def test_marked_content_moved_to_another_page_keeps_its_page() -> None:
    def moved_then_finished(pdf: pydyf.PDF, first: int) -> None:
        moving_a_span_to_the_first_page(pdf, first)
        finish(pdf, first)

    document = weasyprint.HTML(string=HTML, base_url=f"{FONTS}/")
    with pagination_as_artifacts():
        with tags_finished(moving_a_span_to_the_first_page):
            moved = document.write_pdf(pdf_variant="pdf/ua-1")
        with tags_finished(moved_then_finished):
            fixed = document.write_pdf(pdf_variant="pdf/ua-1")
    before, after = reading(moved), reading(fixed)
    assert [(p, m) for p, m, _ in after] == [(p, m) for p, m, _ in before]
    assert any(page == 1 and tag == "/P" for page, _, tag in after)  # held by page 0's P
    with pikepdf.open(BytesIO(fixed)) as pdf:
        references = [
            kid
            for obj in pdf.objects
            if isinstance(obj, Dictionary) and obj.get("/S") == Name.P
            for kid in kids(obj)
            if isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR
        ]
        assert references and all(kid.Pg == pdf.pages[1].obj for kid in references)


def test_headings_found_by_path_and_numbered_without_gaps() -> None:
    with pagination_as_artifacts(), fixed_tags() as headings:
        html = weasyprint.HTML(string=HEADINGS_HTML, base_url=f"{FONTS}/")
        fixed = html.write_pdf(pdf_variant="pdf/ua-1")
    assert [level for _, level in headings] == [2, 4, 3, 2, 5]
    with pikepdf.open(BytesIO(fixed)) as document:
        (top_document,) = list(document.Root.StructTreeRoot.K)
        top = list(top_document.K)
        elements = [(heading_element(top, path), level) for path, level in headings]
        assert [str(element.S) for element, _ in elements] == ["/H2", "/H4", "/H3", "/H2", "/H5"]
        assert max(len(path) for path, _ in headings) > 1  # the one in the list item
        number_headings(elements)
        assert [element.S for element, _ in elements] == [
            Name.H1,
            Name.H2,
            Name.H2,
            Name.H1,
            Name.H2,
        ]


@pytest.mark.parametrize("variant", [None, "pdf/a-2b"])
def test_an_untagged_pdf_is_written_as_without_the_pass(variant: str | None) -> None:
    with fixed_tags() as headings:
        fixed = written(variant=variant, fixed=False)
    assert fixed == written(variant=variant, fixed=False)
    assert headings == []
    assert count(fixed, "/StructTreeRoot") == 0
