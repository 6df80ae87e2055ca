"""Report-ready outputs: single cards, tagged PDF, PDF/A, reproducible builds, metadata."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import fontTools.misc.timeTools
import pikepdf
import pytest
import weasyprint.pdf.fonts
import weasyprint.text.ffi
from conftest import WriteContent
from pdf_helpers import marked_sequences, outline, page_texts
from PIL import Image
from pypdf import PdfReader
from samples import CARD, SMALL_CONTENT

from nomodel.cli import main
from nomodel.notices import SUBSETTER_NOTICE
from nomodel.preflight import pdf_fonts

ROOT = Path(__file__).resolve().parent.parent
CARDS = {
    "00C.001": "Programme labo PIA",
    "00C.002": "Mission de préfiguration du labo de la creuse",
}


def build(content: Path, output: Path, *options: str) -> int:
    return main(["build", "--content", str(content), "--output", str(output), *options])


@pytest.fixture(scope="module")
def seed_cards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content with its single cards, in the default (archival, tagged) variant."""
    output = tmp_path_factory.mktemp("cards")
    assert build(ROOT / "content", output, "--cards") == 0
    return output


def test_one_pdf_per_card_holding_exactly_its_pages(seed_cards: Path) -> None:
    booklet = page_texts(seed_cards / "booklet.pdf")
    assert sorted(p.name for p in (seed_cards / "cards").iterdir()) == [
        "00C.001.pdf",
        "00C.002.pdf",
    ]
    for number, title in CARDS.items():
        card = page_texts(seed_cards / "cards" / f"{number}.pdf")
        start = next(i for i, text in enumerate(booklet) if f"N°. {number}\n" in text)
        # the same pages as in the booklet, running head and page number included
        assert card == booklet[start : start + len(card)]
        assert card[-1].splitlines()[-1].split()[-1 if start % 2 == 0 else 0] == str(start + 1)
        assert all(other not in "".join(card) for other in CARDS if other != number)
        reader = PdfReader(seed_cards / "cards" / f"{number}.pdf")
        assert reader.metadata.title == f"{number} — {title}"
        assert reader.trailer["/Root"]["/Lang"] == "fr"
        assert [item.title for item in reader.outline] == [title]


def test_cards_are_archival_and_tagged_by_default(seed_cards: Path) -> None:
    pdf = seed_cards / "cards" / "00C.001.pdf"
    xmp = PdfReader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert PdfReader(pdf).trailer["/Root"]["/MarkInfo"]["/Marked"]


def test_a_removed_card_does_not_linger(write_content: WriteContent, tmp_path: Path) -> None:
    content = write_content(SMALL_CONTENT)
    assert build(content, tmp_path / "out", "--cards") == 0
    (content / "nos-cousins" / "00C.002-mission.md").unlink()
    assert build(content, tmp_path / "out", "--cards") == 0
    assert [p.name for p in (tmp_path / "out" / "cards").iterdir()] == ["00C.001.pdf"]


@pytest.fixture(scope="module")
def accessible(tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    output = tmp_path_factory.mktemp("ua")
    assert build(ROOT / "content", output, "--pdf-variant", "pdf/ua-1") == 0
    return PdfReader(output / "booklet.pdf")


def test_tagged_pdf_catalog_and_metadata(accessible: PdfReader) -> None:
    catalog = accessible.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert catalog["/Lang"] == "fr"
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert re.search(r"<dc:title>.*No Model.*</dc:title>", xmp, re.S)


def test_headings_follow_the_booklet_and_reading_order_is_logical(accessible: PdfReader) -> None:
    headings = [(tag, text) for _, tag, text in outline(accessible, {"H1", "H2", "H3"})]
    assert headings == [
        ("H1", "SOMMAIRE"),
        ("H1", "( Nos cousins )"),
        ("H2", "Programme labo PIA"),
        ("H3", "TÉMOIGNAGES"),
        ("H2", "Mission de préfiguration du labo dela creuse"),  # its line break
        ("H3", "TÉMOIGNAGE"),
        ("H1", "COLOPHON"),
    ]
    paragraphs = [text for _, _, text in outline(accessible, {"P"})]
    first = next(i for i, text in enumerate(paragraphs) if text.startswith("Dans le cadre"))
    assert paragraphs[first + 1].startswith("Chacun des 12 lauréats")
    assert paragraphs[first + 2].startswith("Un MOOC")


def test_running_heads_and_folios_are_artifacts(accessible: PdfReader) -> None:
    page = accessible.pages[4]  # the first card
    artifacts = [text for tag, _, text in marked_sequences(page) if tag == "/Artifact" and text]
    assert "( Nos cousins )" in artifacts and "5" in artifacts and "N°. 00C.001" in artifacts
    tagged = [text for tag, _, text in marked_sequences(page) if tag != "/Artifact"]
    assert "( Nos cousins )" not in tagged and "5" not in tagged


def test_an_image_needs_alt_text(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    card = CARD + "\n![](atelier.png)\n"
    content = write_content({**SMALL_CONTENT, "nos-cousins/00C.001-programme-labo-pia.md": card})
    Image.new("RGB", (30, 20)).save(content / "nos-cousins" / "atelier.png")
    assert main(["check", "--content", str(content)]) == 1
    assert '00C.001-programme-labo-pia.md:11: image "atelier.png" has no alt text' in (
        capsys.readouterr().err
    )


def test_decorative_images_are_drawn_as_artifacts(
    write_content: WriteContent, tmp_path: Path
) -> None:
    card = CARD + "\n![décoratif](filet.png)\n\n![Un atelier](atelier.png)\n"
    content = write_content({**SMALL_CONTENT, "nos-cousins/00C.001-programme-labo-pia.md": card})
    Image.new("RGB", (600, 40), "#553322").save(content / "nos-cousins" / "filet.png")
    Image.new("RGB", (600, 400), "#223355").save(content / "nos-cousins" / "atelier.png")
    assert build(content, tmp_path / "out", "--pdf-variant", "pdf/ua-1") == 0
    reader = PdfReader(tmp_path / "out" / "booklet.pdf")
    figures = [element for _, _, element in outline(reader, {"Figure"})]
    assert len(figures) == 1  # only the described image is a figure
    with pikepdf.Pdf.open(tmp_path / "out" / "booklet.pdf") as document:
        alts = [
            str(o.Alt)
            for o in document.objects
            if isinstance(o, pikepdf.Dictionary) and "/Alt" in o
        ]
    assert alts == ["Un atelier"]
    # both are drawn: the decoration as a background pattern, the picture as an image
    with pikepdf.Pdf.open(tmp_path / "out" / "booklet.pdf") as document:
        card_page = document.pages[4]
        xobjects = card_page.Resources.XObject.values()
        assert [x.Subtype for x in xobjects].count("/Image") == 1
        assert "/Pattern" in card_page.Resources


@pytest.mark.parametrize(("variant", "part"), [("pdf/a-3b", "3"), ("pdf/a-2b", "2")])
def test_pdf_a(variant: str, part: str, small_content: Path, tmp_path: Path) -> None:
    assert build(small_content, tmp_path, "--pdf-variant", variant, "--cards") == 0
    for pdf in (tmp_path / "booklet.pdf", tmp_path / "cards" / "00C.001.pdf"):
        with pikepdf.Pdf.open(pdf) as document:
            assert document.check_pdf_syntax() == []  # what qpdf --check finds
            (intent,) = document.Root.OutputIntents
            assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
        xmp = PdfReader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
        assert f'pdfaid:part="{part}"' in xmp and 'pdfaid:conformance="B"' in xmp
        assert all(font.embedded for font in pdf_fonts(pikepdf.open(pdf)))


SUBSETTERS = [
    "fontTools",
    pytest.param(
        "HarfBuzz",
        marks=pytest.mark.skipif(
            weasyprint.text.ffi.harfbuzz_subset is None,
            reason="libharfbuzz-subset0 is not installed (it only makes builds faster)",
        ),
    ),
]


@pytest.mark.parametrize("subsetter", SUBSETTERS)
def test_two_builds_are_byte_identical(
    subsetter: str,
    small_content: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Whichever subsetter WeasyPrint uses, and whatever the clock says: fontTools stamps
    each font subset with the current time unless told the booklet's date."""
    if subsetter == "fontTools":  # WeasyPrint uses HarfBuzz-subset when the library loads
        monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    # --quiet, in another test of the process, leaves WeasyPrint's logger at CRITICAL.
    monkeypatch.setattr(logging.getLogger("weasyprint"), "level", logging.NOTSET)
    for run, clock in (("first", 1_700_000_000), ("second", 1_800_000_000)):
        monkeypatch.setattr(fontTools.misc.timeTools.time, "time", lambda clock=clock: clock)
        options = ("--cards", "--print", "--impose", "booklet")
        assert build(small_content, tmp_path / run, *options) == 0
        # The notice tells which subsetter ran.
        assert (SUBSETTER_NOTICE in capsys.readouterr().err) == (subsetter == "fontTools")
    for name in ("booklet.pdf", "cards/00C.001.pdf", "booklet-print.pdf", "booklet-imposed.pdf"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_dates_come_from_the_content_or_source_date_epoch(
    small_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newest = small_content / "nos-cousins" / "00C.002-mission.md"
    os.utime(newest, (1588550400, 1588550400))  # 2020-05-04 00:00 UTC
    for other in small_content.rglob("*"):
        if other.is_file() and other != newest:
            os.utime(other, (1500000000, 1500000000))  # 2017
    assert build(small_content, tmp_path / "content-date") == 0
    reader = PdfReader(tmp_path / "content-date" / "booklet.pdf")
    assert reader.metadata["/CreationDate"].startswith("D:20200504000000")
    assert "Version du 4 mai 2020" in page_texts(tmp_path / "content-date" / "booklet.pdf")[-2]

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764115200")  # 2025-11-26 00:00 UTC
    assert build(small_content, tmp_path / "epoch") == 0
    reader = PdfReader(tmp_path / "epoch" / "booklet.pdf")
    assert reader.metadata["/ModDate"].startswith("D:20251126000000")


def test_links_subject_and_keywords(write_content: WriteContent, tmp_path: Path) -> None:
    card = CARD.replace(
        "testimonies:",
        "summary: Le programme en bref.\ntags: [PIA, formation]\n"
        "links:\n  - label: Le MOOC\n    url: https://example.org/mooc-innovation\ntestimonies:",
    )
    content = write_content(
        {
            **SMALL_CONTENT,
            "booklet.yml": "title: Essai\nauthor: DITP\nsubject: Les labos\n"
            "keywords: [innovation]\n",
            "nos-cousins/00C.001-programme-labo-pia.md": card,
        }
    )
    assert build(content, tmp_path, "--cards") == 0
    booklet = PdfReader(tmp_path / "booklet.pdf")
    assert booklet.metadata.subject == "Les labos"
    assert booklet.metadata["/Keywords"] == "innovation, PIA, formation"
    page = booklet.pages[4]
    assert "https://example.org/mooc-innovation" in page.extract_text()
    uris = [a.get_object()["/A"].get("/URI") for a in page["/Annots"] if "/A" in a.get_object()]
    assert "https://example.org/mooc-innovation" in uris
    # the sommaire links to the cards inside the PDF
    assert all(
        "/Dest" in a.get_object() or "/D" in a.get_object().get("/A", {})
        for a in booklet.pages[2]["/Annots"]
    )
    single = PdfReader(tmp_path / "cards" / "00C.001.pdf")
    assert single.metadata.subject == "Le programme en bref."
    assert single.metadata["/Keywords"] == "PIA, formation"
    assert single.metadata.author == booklet.metadata.author == "DITP"
