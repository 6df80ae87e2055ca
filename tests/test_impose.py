"""Saddle-stitch imposition: the order of the pages, and where each lands on the sheet."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from pdf_helpers import halves, printed, texts
from pikepdf import Name
from pypdf import PdfReader

from nomodel.impose import impose, saddle_stitch_order
from nomodel.paper import PAPER_SIZES, POINTS_PER_MM

FONTS = Path(__file__).resolve().parent.parent / "styles" / "fonts"


# --- the order ---------------------------------------------------------------------------


def fold_and_read(sides: list[tuple[int | None, int | None]]) -> list[int | None]:
    """The pages of the booklet that the printed sides make, in reading order.

    The sides are printed two per sheet, front then back, duplex with flip on the short
    edge: the back reads upright once the sheet is turned over about its vertical centre
    line, so the back's left half is printed behind the front's right half. The sheets are
    stacked in print order, the first one outside, and folded in the middle with the
    fronts outside. The booklet, spine on the left, is then a stack of leaves: the right
    halves of the sheets from the outermost in, then their left halves from the innermost
    out. A right-half leaf shows its front face first; a left-half leaf, reached past the
    middle of the booklet, shows its back face first.
    """
    assert len(sides) % 2 == 0
    sheets = [(sides[k], sides[k + 1]) for k in range(0, len(sides), 2)]
    right_leaves = [(front[1], back[0]) for front, back in sheets]
    left_leaves = [(back[1], front[0]) for front, back in sheets]
    leaves = right_leaves + left_leaves[::-1]
    return [page for leaf in leaves for page in leaf]


def test_four_and_eight_pages() -> None:
    assert saddle_stitch_order(4) == [(3, 0), (1, 2)]
    assert saddle_stitch_order(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]


@pytest.mark.parametrize("n", [4, 8, 12, 16, 2000])
def test_the_folded_sheets_read_in_order(n: int) -> None:
    sides = saddle_stitch_order(n)
    assert len(sides) == n // 2
    printed = [page for side in sides for page in side]
    assert sorted(printed) == list(range(n))
    assert all(left + right == n - 1 for left, right in sides)
    assert fold_and_read(sides) == list(range(n))


@pytest.mark.parametrize("page_count", [5, 6, 7])
def test_blank_pages_pad_the_end(page_count: int) -> None:
    sides = saddle_stitch_order(page_count)
    assert len(sides) == 4  # 8 pages: two sheets
    assert fold_and_read(sides) == list(range(page_count)) + [None] * (8 - page_count)
    # the blanks are exactly where pages page_count … 7 of an 8-page booklet would be
    full = saddle_stitch_order(8)
    for side, full_side in zip(sides, full, strict=True):
        for page, full_page in zip(side, full_side, strict=True):
            assert page == (full_page if full_page < page_count else None)


def test_one_page_makes_a_four_page_booklet() -> None:
    assert saddle_stitch_order(1) == [(None, 0), (None, None)]
    assert fold_and_read(saddle_stitch_order(1)) == [0, None, None, None]


@pytest.mark.parametrize("page_count", [0, -4])
def test_no_pages_is_an_error(page_count: int) -> None:
    with pytest.raises(ValueError):
        saddle_stitch_order(page_count)


A3_LANDSCAPE = PAPER_SIZES["A3"].landscape_points()
A4_LANDSCAPE = PAPER_SIZES["A4"].landscape_points()


def test_landscape_sheets_in_points() -> None:
    assert pytest.approx((841.89, 595.28), abs=0.01) == A4_LANDSCAPE
    assert pytest.approx((1190.55, 841.89), abs=0.01) == A3_LANDSCAPE


# --- the imposed PDF ---------------------------------------------------------------------


def numbered_pdf(pages: int, size: str, extra_css: str = "") -> bytes:
    """One page per number, the number printed large, at a different place on each page
    so that a misplaced page cannot pass by luck."""
    numbers = "".join(
        f'<section style="padding: {5 + 4 * (n % 5)}mm {5 + 3 * (n % 7)}mm">{n}</section>'
        for n in range(1, pages + 1)
    )
    html = f"""<html><head><title>No Model</title><style>
        @font-face {{ font-family: Courier; src: url(CourierPrime-Regular.ttf) }}
        @page {{ size: {size}; margin: 0 }}
        section {{ font: 72pt Courier }}
        section + section {{ break-before: page }}
        {extra_css}
    </style></head><body>{numbers}</body></html>"""
    return weasyprint.HTML(string=html, base_url=str(FONTS) + "/").write_pdf()


def check_placement(source: PdfReader, imposed: PdfReader, scale: float) -> None:
    """Every source page is on its half of the sheet, scaled by ``scale``, its trim box
    touching the fold and centred vertically: each piece of text moved accordingly."""
    order = saddle_stitch_order(len(source.pages))
    assert len(imposed.pages) == len(order)
    for side, (left, right) in zip(imposed.pages, order, strict=True):
        width, height = float(side.mediabox.width), float(side.mediabox.height)
        fold = width / 2
        expected = []
        for index, on_left in ((left, True), (right, False)):
            if index is None:
                continue
            page = source.pages[index]
            trim = page.trimbox
            x0 = fold - scale * float(trim.width) if on_left else fold
            y0 = (height - scale * float(trim.height)) / 2
            assert x0 >= -0.01 and x0 + scale * float(trim.width) <= width + 0.01
            assert y0 >= -0.01 and y0 + scale * float(trim.height) <= height + 0.01
            for text, x, y in texts(page):
                sheet_x = x0 + scale * (x - float(trim.left))
                sheet_y = y0 + scale * (y - float(trim.bottom))
                expected.append((text, sheet_x, sheet_y))
        found = texts(side)
        assert [t for t, *_ in found] == [t for t, *_ in expected]
        for (_, x, y), (_, ex, ey) in zip(found, expected, strict=True):
            assert (x, y) == pytest.approx((ex, ey), abs=0.01)
        assert halves(side) == tuple(printed(source, index) for index in (left, right))


@pytest.fixture(scope="module")
def a5_booklet() -> PdfReader:
    return PdfReader(io.BytesIO(numbered_pdf(10, "A5")))


def test_a5_pages_two_up_on_a4_landscape(a5_booklet: PdfReader) -> None:
    imposed = imposed_of(a5_booklet, A4_LANDSCAPE)

    assert len(imposed.pages) == 6  # 10 pages padded to 12: three sheets, both sides
    for side in imposed.pages:
        assert (float(side.mediabox.width), float(side.mediabox.height)) == pytest.approx(
            (841.89, 595.28), abs=0.5
        )
    assert [halves(side) for side in imposed.pages] == [
        (None, "1"),
        ("2", None),
        ("10", "3"),
        ("4", "9"),
        ("8", "5"),
        ("6", "7"),
    ]
    check_placement(a5_booklet, imposed, scale=1)
    assert imposed.metadata.title == "No Model"
    assert imposed.pdf_header == a5_booklet.pdf_header


def test_a4_pages_on_a3_sheets() -> None:
    source = PdfReader(io.BytesIO(numbered_pdf(6, "A4")))
    imposed = imposed_of(source, A3_LANDSCAPE)
    width, height = A3_LANDSCAPE
    assert float(imposed.pages[0].mediabox.width) == pytest.approx(width)
    assert float(imposed.pages[0].mediabox.height) == pytest.approx(height)
    check_placement(source, imposed, scale=1)


def test_a4_pages_shrink_onto_a4_landscape_sheets() -> None:
    source = PdfReader(io.BytesIO(numbered_pdf(4, "A4")))
    imposed = imposed_of(source, A4_LANDSCAPE)
    # the sheet is 210 mm high, the page 297 mm
    check_placement(source, imposed, scale=210 / 297)


def test_small_pages_are_not_enlarged_but_centred(a5_booklet: PdfReader) -> None:
    imposed = imposed_of(a5_booklet, A3_LANDSCAPE)
    check_placement(a5_booklet, imposed, scale=1)


def test_the_trim_box_is_the_page_and_nothing_outside_it_shows() -> None:
    source = PdfReader(io.BytesIO(numbered_pdf(4, "A5", "@page { bleed: 3mm }")))
    trim = source.pages[0].trimbox
    assert float(source.pages[0].mediabox.width) > float(trim.width)  # the bleed is there

    imposed = imposed_of(source)
    side = imposed.pages[0]
    # by default the sheet is two trims side by side, not the larger A5 + bleed spread
    assert [float(v) for v in side.mediabox[2:]] == pytest.approx(
        (2 * 148 * POINTS_PER_MM, 210 * POINTS_PER_MM)
    )
    check_placement(source, imposed, scale=1)
    # each page is drawn as a form clipped to its trim box
    for form in side["/Resources"]["/XObject"].values():
        assert [float(v) for v in form.get_object()["/BBox"]] == pytest.approx(
            [float(v) for v in trim]
        )


def hand_made_pdf(contents: list[list[bytes]]) -> PdfReader:
    """A5 pages in Helvetica, each page's content split over the given streams (none: the
    page has no /Contents), as other tools than WeasyPrint write them."""
    pdf = pikepdf.new()
    helvetica = pikepdf.Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    for streams in contents:
        page = pdf.add_blank_page(page_size=(148 * POINTS_PER_MM, 210 * POINTS_PER_MM))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=helvetica))
        if streams:
            page.Contents = pikepdf.Array(pdf.make_stream(data) for data in streams)
    out = io.BytesIO()
    pdf.save(out)
    return PdfReader(out)


def test_contents_in_several_streams_or_none() -> None:
    source = hand_made_pdf(
        [[b"BT /F1 90 Tf 50 400 Td", b"(1) Tj ET"], [], [b"BT /F1 90 Tf 200 100 Td (3) Tj ET"]]
    )
    imposed = imposed_of(source)
    assert [halves(side) for side in imposed.pages] == [(None, "1"), (None, "3")]
    check_placement(source, imposed, scale=1)


def test_a_side_with_no_page_is_blank() -> None:
    imposed = imposed_of(hand_made_pdf([[b"BT /F1 90 Tf 50 400 Td (1) Tj ET"]]))
    assert [halves(side) for side in imposed.pages] == [(None, "1"), (None, None)]
    assert imposed.pages[1].get_contents() is None


def imposed_of(source: PdfReader, sheet: tuple[float, float] | None = None) -> PdfReader:
    return PdfReader(io.BytesIO(impose(source.stream.getvalue(), sheet)))


def test_each_page_is_the_form_qpdf_would_make_of_it() -> None:
    """The forms are made in the imposed file, not by qpdf in the source (which reads every
    object of it first): each draws what qpdf's ``as_form_xobject`` draws, with its resources,
    whether the page's content is one stream (WeasyPrint's, tagged) or several, or none."""
    html = (
        '<html lang="fr"><title>Essai</title><style>@font-face { font-family: Courier;'
        " src: url(CourierPrime-Regular.ttf) } @page { size: A5; bleed: 3mm }"
        " body { font: 14pt Courier } h1 { break-before: page; background: #eee }</style>"
        + "".join(
            f'<h1 id="c{n}">Carte {n}</h1><p><a href="#c{(n + 1) % 5}">suite</a></p>'
            for n in range(5)
        )
    )
    tagged = weasyprint.HTML(string=html, base_url=str(FONTS) + "/").write_pdf(
        pdf_variant="pdf/ua-1"
    )
    streams = [[b"BT /F1 90 Tf 50 400 Td (1) Tj ET"], [b"q", b"", b"BT /F1 9 Tf (2) Tj ET\n", b"Q"]]
    several = hand_made_pdf([*streams, []]).stream.getvalue()
    for source, pages in ((tagged, 5), (several, 3)):
        assert _forms_as_qpdf_makes_them(source) == pages


def _forms_as_qpdf_makes_them(source: bytes) -> int:
    """How many pages the imposition of ``source`` draws, each checked against qpdf's form."""
    drawn = 0
    with (
        pikepdf.open(io.BytesIO(source)) as original,
        pikepdf.open(io.BytesIO(impose(source))) as imposed,
    ):
        order = saddle_stitch_order(len(original.pages))
        for side, halves_of_side in zip(imposed.pages, order, strict=True):
            for name, index in zip(("/L", "/R"), halves_of_side, strict=True):
                if index is None:
                    continue
                form = side.Resources.XObject[name]
                expected = original.pages[index].as_form_xobject()
                assert form.read_bytes() == expected.read_bytes()
                assert form.Subtype == Name.Form
                assert set(form.Resources.keys()) == set(expected.Resources.keys())
                fonts = {str(font.BaseFont) for font in form.Resources.Font.values()}
                assert fonts == {str(font.BaseFont) for font in expected.Resources.Font.values()}
                drawn += 1
    return drawn
