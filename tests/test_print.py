"""Print production: bleed, crop marks, boxes, PDF/X, formats, recto cards, preflight."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from conftest import WriteContent
from pdf_helpers import MM, halves, page_texts, printed, texts
from PIL import Image
from pypdf import PageObject, PdfReader
from samples import CARD, SMALL_CONTENT

from nomodel.cli import main
from nomodel.impose import saddle_stitch_order
from nomodel.preflight import pdf_fonts

A5 = (148 * MM, 210 * MM)


def build(content: Path, output: Path, *options: str) -> int:
    return main(["build", "--content", str(content), "--output", str(output), *options])


@pytest.fixture(scope="module")
def print_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content, built for the print shop once for this module."""
    output = tmp_path_factory.mktemp("print")
    root = Path(__file__).resolve().parent.parent
    assert build(root / "content", output, "--print", "--impose", "booklet") == 0
    return output


def box(page: PageObject, name: str) -> tuple[float, ...]:
    return tuple(round(float(value), 2) for value in getattr(page, name))


@pytest.mark.parametrize(("option", "bleed_mm"), [((), 3), (("--bleed", "5mm"), 5)])
def test_print_pdf_boxes_on_every_page(
    option: tuple[str, ...], bleed_mm: float, small_content: Path, tmp_path: Path
) -> None:
    assert build(small_content, tmp_path, "--print", *option) == 0
    bleed = bleed_mm * MM
    for page in PdfReader(tmp_path / "booklet-print.pdf").pages:
        assert box(page, "trimbox") == (0, 0, round(A5[0], 2), round(A5[1], 2))
        assert box(page, "bleedbox") == tuple(
            round(v, 2) for v in (-bleed, -bleed, A5[0] + bleed, A5[1] + bleed)
        )
        media = box(page, "mediabox")
        # room for the crop marks outside the bleed
        assert media[0] <= -bleed - 5 * MM and media[2] >= A5[0] + bleed + 5 * MM
    for page in PdfReader(tmp_path / "booklet.pdf").pages:  # the plain booklet has no bleed
        assert box(page, "mediabox") == box(page, "trimbox") == box(page, "bleedbox")


def render(pdf: Path, index: int, dpi: int = 100) -> tuple[Image.Image, PageObject]:
    document = pypdfium2.PdfDocument(pdf)
    image = document[index].render(scale=dpi / 72).to_pil().convert("L")
    return image, PdfReader(pdf).pages[index]


def pixel(image: Image.Image, page: PageObject, x: float, y: float, dpi: int = 100) -> int:
    """Grey level at PDF point (x, y)."""
    media = page.mediabox
    return image.getpixel(
        (round((x - float(media.left)) * dpi / 72), round((float(media.top) - y) * dpi / 72))
    )


def test_backgrounds_run_into_the_bleed_and_marks_stay_out_of_it(print_build: Path) -> None:
    pdf = print_build / "booklet-print.pdf"
    bleed = 3 * MM
    cover, cover_page = render(pdf, 0)
    middle = A5[1] / 2
    assert pixel(cover, cover_page, -bleed / 2, middle) < 245  # manila, inside the bleed
    assert pixel(cover, cover_page, -bleed - 3 * MM, middle) > 250  # white beyond it

    card, card_page = render(pdf, 4)
    for x, y in [(0, A5[1]), (A5[0], 0)]:  # top-left and bottom-right trim corners
        outward = 1 if y else -1
        inside_bleed = pixel(card, card_page, x, y + outward * bleed / 2)
        on_mark = pixel(card, card_page, x, y + outward * (bleed + 3 * MM))
        assert inside_bleed > 250, "a crop mark enters the bleed"
        assert on_mark < 128, "no crop mark in line with the trim"


def test_imposed_booklet_folds_into_the_booklet(print_build: Path) -> None:
    booklet = PdfReader(print_build / "booklet.pdf")
    imposed = PdfReader(print_build / "booklet-imposed.pdf")
    count = len(booklet.pages)
    assert len(imposed.pages) == count // 2
    for side in imposed.pages:  # A5 two up on A4 landscape
        assert (round(side.mediabox.width / MM), round(side.mediabox.height / MM)) == (297, 210)
    # what each half sheet shows is the booklet page the folding order puts there:
    # cover and back cover outside, page 2 behind page 1, and so on
    expected = [tuple(printed(booklet, i) for i in side) for side in saddle_stitch_order(count)]
    assert [halves(side) for side in imposed.pages] == expected
    assert expected[0] == (printed(booklet, count - 1), printed(booklet, 0))
    assert "No Model" in expected[0][1] and expected[1][0] is None  # cover; blank page 2
    # and the page numbers printed at the foot of each half sheet, read where they are drawn
    assert [folios(side) for side in imposed.pages] == [
        (None, None),  # back cover, cover
        (None, None),  # inside cover, colophon
        ("6", "3"),  # second card, sommaire
        (None, "5"),  # divider, first card
    ]


def folios(side: PageObject) -> tuple[str | None, str | None]:
    fold = float(side.mediabox.width) / 2
    feet = [(x, text) for text, x, y in texts(side) if text.isdigit() and y < 20 * MM]
    left = [text for x, text in feet if x < fold]
    right = [text for x, text in feet if x >= fold]
    return (left[0] if left else None), (right[0] if right else None)


def test_pdf_x4_has_a_cmyk_output_intent(small_content: Path, tmp_path: Path) -> None:
    assert build(small_content, tmp_path, "--print", "--pdf-variant", "pdf/x-4") == 0
    reader = PdfReader(tmp_path / "booklet-print.pdf")
    assert reader.pdf_header == "%PDF-1.6"
    (intent,) = [i.get_object() for i in reader.trailer["/Root"]["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/DestOutputProfile"].get_object()["/N"] == 4  # CMYK
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert all("/TrimBox" in page for page in reader.pages)


def test_unknown_variant_is_a_usage_error(
    small_content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build(small_content, tmp_path, "--pdf-variant", "pdf/z-9")
    assert exit_.value.code == 2
    assert "pdf/x-4" in capsys.readouterr().err  # the known variants are listed


@pytest.mark.parametrize(
    ("option", "trim_mm", "sheet_mm"),
    [("A6", (105, 148), (210, 148)), ("a4", (210, 297), (420, 297))],
)
def test_format_option_overrides_booklet_yml(
    option: str,
    trim_mm: tuple[int, int],
    sheet_mm: tuple[int, int],
    small_content: Path,
    tmp_path: Path,
) -> None:
    assert build(small_content, tmp_path, "--format", option, "--impose", "booklet") == 0
    page = PdfReader(tmp_path / "booklet.pdf").pages[0]
    assert (round(page.trimbox.width / MM), round(page.trimbox.height / MM)) == trim_mm
    # imposed on the next ISO size, landscape: A6 → A5, A4 → A3
    sheet = PdfReader(tmp_path / "booklet-imposed.pdf").pages[0].mediabox
    assert (round(sheet.width / MM), round(sheet.height / MM)) == sheet_mm


def test_cards_can_start_on_a_right_hand_page(write_content: WriteContent, tmp_path: Path) -> None:
    third = CARD.replace("00C.001", "00C.003").replace("Programme labo PIA", "Troisième")
    content = write_content(
        {
            **SMALL_CONTENT,
            "booklet.yml": "title: Essai\ncards_start: recto\n",
            "nos-cousins/00C.003-troisieme.md": third,
        }
    )
    assert build(content, tmp_path) == 0
    texts = page_texts(tmp_path / "booklet.pdf")
    starts = [i + 1 for i, text in enumerate(texts) if "( No Model ) N°." in text]
    assert len(starts) == 3 and all(page % 2 == 1 for page in starts)
    between = [texts[page] for page in range(starts[0], starts[-1] - 1) if page + 1 not in starts]
    assert between and all(text.strip() == "" for text in between)  # no running head, no folio
    assert len(texts) % 4 == 0


def test_preflight_reports_low_resolution_images_and_strict_fails(
    write_content: WriteContent, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    images = tmp_path / "content" / "images"
    images.mkdir(parents=True)
    Image.new("RGB", (600, 400), "#884422").save(images / "basse.png")  # ~134 dpi on A5
    Image.new("RGB", (1500, 1000), "#224488").save(images / "haute.png")  # ~334 dpi
    card = CARD + "\n![Atelier](../images/basse.png)\n\n![Salle](../images/haute.png)\n"
    content = write_content({**SMALL_CONTENT, "nos-cousins/00C.001-programme-labo-pia.md": card})

    assert build(content, tmp_path / "out", "--print") == 0
    report = capsys.readouterr().out
    assert "trim 148 × 210 mm, bleed 3 mm" in report
    assert "\n  12 pages\n" in report and "fonts: all embedded, subsets" in report
    ((name, dpi, page),) = re.findall(r"^ +(\S+): (\d+) dpi, page (\d+)$", report, re.M)
    assert (name, page) == ("basse.png", "5") and 120 < int(dpi) < 150

    assert build(content, tmp_path / "out", "--print", "--strict") == 1
    assert "image basse.png on page 5" in capsys.readouterr().err
    assert (tmp_path / "out" / "booklet-print.pdf").exists()


def test_preflight_sees_fonts_that_are_not_embedded(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(100, 100))
    helvetica = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1)
    helvetica.BaseFont = pikepdf.Name.Helvetica
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=helvetica))
    fonts = pdf_fonts(pdf)
    assert [(f.name, f.embedded, f.subset) for f in fonts] == [("Helvetica", False, False)]


def test_strict_goes_with_print(small_content: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        build(small_content, tmp_path, "--strict")
    assert exit_.value.code == 2
