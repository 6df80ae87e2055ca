"""Running heads and folios of tagged PDFs are drawn as pagination artifacts
(compat.pagination_as_artifacts)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
import weasyprint
import weasyprint.draw
import weasyprint.pdf.tags
from pdf_helpers import marked_sequences
from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, is_null_or_none

from nomodel.compat import pagination_as_artifacts

# WeasyPrint's own writes are compared byte for byte (conftest.fixed_font_clock).
pytestmark = pytest.mark.usefixtures("fixed_font_clock")

FONTS = Path(__file__).parent.parent / "styles" / "fonts"
HEAD = "( Nos cousins )"
PAGES = 3

BODY = "<h1>Les laboratoires</h1>" + "".join(
    f"<h2>Partie {part}</h2>"
    + "".join(f"<p>Paragraphe {part}.{line} du laboratoire.</p>" for line in range(4))
    for part in range(1, PAGES)
)

HTML = f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Nos cousins</title><style>
@font-face {{ font-family: Old; src: url(OldStandard-Regular.ttf) }}
html {{ font: 11pt Old }}
@page {{ size: A6; @top-right {{ content: "{HEAD}" }} @bottom-right {{ content: counter(page) }} }}
h2 {{ break-before: page }}
</style></head><body>{BODY}</body></html>"""


def render(**options: object) -> bytes:
    return weasyprint.HTML(string=HTML, base_url=f"{FONTS}/").write_pdf(**options)


def fixed(**options: object) -> bytes:
    with pagination_as_artifacts():
        return render(**options)


@pytest.fixture(scope="module")
def source() -> bytes:
    return render(pdf_variant="pdf/ua-1")


@pytest.fixture(scope="module")
def processed() -> bytes:
    return fixed(pdf_variant="pdf/ua-1")


def read(pdf: bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf))


def structure(reader: PdfReader) -> tuple[set[int], dict[int, DictionaryObject]]:
    """Object numbers of the structure elements reachable from the root's /K, and
    every structure element of the file by object number."""
    tree_root = reader.trailer["/Root"]["/StructTreeRoot"]
    reachable: set[int] = set()
    pending = [tree_root["/K"]]
    while pending:
        kid = pending.pop()
        if isinstance(kid, IndirectObject):
            element = kid.get_object()
            if isinstance(element, DictionaryObject) and "/S" in element:
                reachable.add(kid.idnum)
            kid = element
        if isinstance(kid, ArrayObject):
            pending.extend(kid)
        elif isinstance(kid, DictionaryObject) and "/S" in kid:
            pending.append(kid.get("/K"))
    everything = {}
    for number in range(1, reader.trailer["/Size"]):
        obj = reader.get_object(number)
        if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/StructElem":
            everything[number] = obj
    return reachable, everything


def mcid_map(reader: PdfReader, page: PageObject) -> list:
    """The ParentTree array of one page: MCID → structure element reference or null."""
    nums = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    return list(dict(zip(nums[::2], nums[1::2], strict=True))[page["/StructParents"]])


def test_running_head_and_folio_become_pagination_artifacts(
    source: bytes, processed: bytes
) -> None:
    before, after = read(source), read(processed)
    assert len(after.pages) == PAGES
    for number, (old, new) in enumerate(zip(before.pages, after.pages, strict=True), start=1):
        margins = {HEAD, str(number)}
        # Without the fix, WeasyPrint shows them as tagged spans.
        assert {text for tag, _, text in marked_sequences(old) if tag == "/Span"} >= margins

        sequences = marked_sequences(new)
        artifacts = [(props, text) for tag, props, text in sequences if tag == "/Artifact"]
        assert len(artifacts) >= 2
        assert {text for _, text in artifacts} == margins
        assert all(props == {"/Type": "/Pagination"} for props, _ in artifacts)
        assert not margins & {text for tag, _, text in sequences if tag != "/Artifact"}


def test_parent_tree_points_only_into_the_structure_tree(processed: bytes) -> None:
    reader = read(processed)
    reachable, everything = structure(reader)
    # No element is made for the margin boxes: none is left out of the tree.
    assert set(everything) == reachable
    for page in reader.pages:
        for element in mcid_map(reader, page):
            assert element.idnum in reachable


def test_body_text_stays_tagged(processed: bytes) -> None:
    reader = read(processed)
    reachable, everything = structure(reader)
    tags = {str(everything[number]["/S"]) for number in reachable}
    assert {"/Document", "/H1", "/H2", "/P", "/Span"} <= tags
    for page in reader.pages:
        mapping = mcid_map(reader, page)
        mcids = [
            props["/MCID"]
            for _, props, _ in marked_sequences(page)
            if props is not None and "/MCID" in props
        ]
        assert mcids
        assert sorted(mcids) == [
            mcid for mcid, element in enumerate(mapping) if not is_null_or_none(element)
        ]
        for mcid in mcids:
            assert mcid in mapping[mcid].get_object()["/K"]
        texts = [text for tag, _, text in marked_sequences(page) if tag == "/Span"]
        assert any(text.startswith(("Paragraphe", "Les laboratoires")) for text in texts)


def test_an_untagged_pdf_is_written_as_without_it() -> None:
    plain = fixed(pdf_identifier=b"nomodel-test")
    assert "/StructTreeRoot" not in read(plain).trailer["/Root"]
    assert plain == render(pdf_identifier=b"nomodel-test")


def test_weasyprint_is_itself_again_after_the_block(source: bytes) -> None:
    drawn, tree = weasyprint.draw.draw_stacking_context, weasyprint.pdf.tags._build_box_tree
    with pytest.raises(RuntimeError), pagination_as_artifacts():
        assert weasyprint.draw.draw_stacking_context is not drawn
        raise RuntimeError("a failed write")
    assert weasyprint.draw.draw_stacking_context is drawn
    assert weasyprint.pdf.tags._build_box_tree is tree
    assert render(pdf_variant="pdf/ua-1") == source


def test_keeps_header_metadata_identifier_and_text() -> None:
    options = {"pdf_variant": "pdf/a-3a", "pdf_identifier": b"nomodel-test"}
    before, after = read(render(**options)), read(fixed(**options))
    assert after.pdf_header == before.pdf_header == "%PDF-1.7"
    assert after.metadata == before.metadata
    old_root, new_root = before.trailer["/Root"], after.trailer["/Root"]
    assert new_root["/Metadata"].get_data() == old_root["/Metadata"].get_data()
    assert new_root["/OutputIntents"][0]["/DestOutputProfile"].get_data() == (
        old_root["/OutputIntents"][0]["/DestOutputProfile"].get_data()
    )
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
        assert new_root[key] == old_root[key]
    assert [page.extract_text() for page in after.pages] == [
        page.extract_text() for page in before.pages
    ]


def test_draws_the_same_pixels(source: bytes, processed: bytes) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    before, after = pdfium.PdfDocument(source), pdfium.PdfDocument(processed)
    for old, new in zip(before, after, strict=True):
        assert old.render().to_pil().tobytes() == new.render().to_pil().tobytes()
