"""The structure tree made lighter (lean_tags.py): fewer objects, the same reading."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from pikepdf import Array, Dictionary, Name
from pypdf import PdfReader

from nomodel.compat import pagination_as_artifacts
from nomodel.lean_tags import lighten
from nomodel.pdf_file import saved

FONTS = Path(__file__).parent.parent / "styles" / "fonts"
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
</style></head><body>
<h1>Les laboratoires</h1>
<p>Un <em>labo</em> ouvert, un <strong>second</strong> et un lien
<a href="https://www.modernisation.gouv.fr/">vers la DITP</a> puis
<a href="#fin"><span>un lien qui tient un span</span></a>.</p>
<ul><li>Premier point</li><li>Second point avec <em>emphase</em></li></ul>
<table><tr><th>Année</th><th>Labos</th></tr><tr><td>2018</td><td>12</td></tr></table>
<p><img alt="un carré" src="{IMAGE}"> texte après l’image.</p>
{LINES}
<p class="next" id="fin">Fin du document, sur une autre page.</p>
</body></html>"""


@pytest.fixture(scope="module")
def tagged() -> bytes:
    """As a chunk is written: its running heads and folios drawn as artifacts."""
    with pagination_as_artifacts():
        html = weasyprint.HTML(string=HTML, base_url=f"{FONTS}/")
        return html.write_pdf(pdf_variant="pdf/ua-1")


@pytest.fixture(scope="module")
def lightened(tagged: bytes) -> bytes:
    return with_tags_fixed(tagged)


def reading(pdf: bytes) -> list[tuple[int, int, str]]:
    """The marked content in the structure tree's order: (page index, MCID, tag of the
    element holding it), a bare MCID on its holder's page, as a screen reader goes."""
    with pikepdf.open(BytesIO(pdf)) as document:
        pages = {page.obj.objgen: i for i, page in enumerate(document.pages)}
        found: list[tuple[int, int, str]] = []

        def walk(element: Dictionary) -> None:
            for kid in _kids(element):
                if isinstance(kid, int):
                    found.append((pages[element.Pg.objgen], kid, str(element.S)))
                elif kid.get("/Type") == Name.MCR:
                    found.append((pages[kid.Pg.objgen], int(kid.MCID), str(element.S)))
                elif "/S" in kid:
                    walk(kid)

        walk(document.Root.StructTreeRoot)
        return found


def _kids(element: pikepdf.Object) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


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
    unfixed = tagged
    assert count(unfixed, "/Span") > 30
    assert count(lightened, "/Span") <= 2  # those holding a link
    assert count(unfixed, "/OBJR") >= 2
    assert count(lightened, "/OBJR") == 0  # written inside their elements: not objects
    assert len(pikepdf.open(BytesIO(lightened)).objects) < len(
        pikepdf.open(BytesIO(unfixed)).objects
    )
    texts = [page.extract_text() for page in PdfReader(BytesIO(lightened)).pages]
    assert texts == [page.extract_text() for page in PdfReader(BytesIO(unfixed)).pages]
    assert len(texts) >= 2


def with_tags_fixed(pdf: bytes) -> bytes:
    """``pdf`` after this pass, as conformance.conform_chunk saves it."""
    with pikepdf.open(BytesIO(pdf)) as document:
        return saved(document) if lighten(document) else pdf


def test_same_reading_order_and_every_mcid_mapped_to_its_holder(
    tagged: bytes, lightened: bytes
) -> None:
    before, after = reading(tagged), reading(lightened)
    assert [(page, mcid) for page, mcid, _ in after] == [(p, m) for p, m, _ in before]
    assert len({page for page, _, _ in after}) >= 2
    # Text once in a Span is now in the paragraph, heading, cell or item that held it.
    assert {tag for _, _, tag in before} >= {"/Span", "/Link"}
    assert {tag for _, _, tag in after} >= {"/P", "/H1", "/TD", "/TH", "/Link"}
    mapping = holders(lightened)
    with pikepdf.open(BytesIO(lightened)) as document:
        for page, mcid, tag in after:
            holder = document.get_object(mapping[(page, mcid)])
            assert str(holder.S) == tag
    assert len(mapping) == len(after)  # nothing mapped that the tree does not hold


def test_links_keep_their_annotations(lightened: bytes) -> None:
    with pikepdf.open(BytesIO(lightened)) as document:
        links = [
            obj
            for obj in document.objects
            if isinstance(obj, Dictionary) and obj.get("/S") in (Name.Link, Name.Span)
        ]
        annotations = [
            kid.Obj
            for element in links
            for kid in _kids(element)
            if isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR
        ]
        on_pages = [a for page in document.pages for a in page.get("/Annots", [])]
        assert len(annotations) == len(on_pages) >= 2
        tree = pikepdf.NumberTree(document.Root.StructTreeRoot.ParentTree)
        for annotation in on_pages:
            holder = tree[int(annotation.StructParent)]
            assert any(
                isinstance(kid, Dictionary) and kid.get("/Obj") == annotation
                for kid in _kids(holder)
            )


def test_a_span_on_another_page_than_its_parent_keeps_its_page(tagged: bytes) -> None:
    """A bare MCID lives on its holder's page: a Span moved under an element of another
    page gives its parent a marked-content reference naming the Span's page."""
    with pikepdf.open(BytesIO(tagged)) as document:
        elements = [
            obj
            for obj in document.objects
            if isinstance(obj, Dictionary) and obj.get("/S") == Name.P
        ]
        first_page, second_page = document.pages[0].obj, document.pages[1].obj
        parent = next(e for e in elements if e.Pg.objgen == first_page.objgen)
        span_holder = next(
            e
            for e in elements
            if e.Pg.objgen == second_page.objgen
            and any(isinstance(k, Dictionary) and k.get("/S") == Name.Span for k in _kids(e))
        )
        span = next(k for k in _kids(span_holder) if isinstance(k, Dictionary))
        span_holder.K = Array([k for k in _kids(span_holder) if k != span])
        parent.K = Array([*_kids(parent), span])
        span.P = parent
        output = BytesIO()
        document.save(output)
    moved = output.getvalue()
    before = reading(moved)
    after = reading(with_tags_fixed(moved))
    assert [(p, m) for p, m, _ in after] == [(p, m) for p, m, _ in before]
    assert any(page == 1 and tag == "/P" for page, _, tag in after)


def test_idempotent_and_untagged_unchanged(lightened: bytes) -> None:
    with pikepdf.open(BytesIO(lightened)) as document:
        assert not lighten(document)
    plain = weasyprint.HTML(string=HTML, base_url=f"{FONTS}/").write_pdf()
    with pikepdf.open(BytesIO(plain)) as document:
        assert not lighten(document)
    assert with_tags_fixed(plain) == plain
