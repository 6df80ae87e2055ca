"""End to end on the real content/: what the booklet PDF shows, page by page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pdf_helpers import MM, fonts, letters, link_targets, page_texts
from pypdf import PdfReader

from nomodel.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = Path(__file__).parent / "fixtures" / "seed.txt"
CARDS = [
    ("00C.001", "Programme labo PIA", ["Jeanne Deperrois", "Camille Rouge"]),
    ("00C.002", "Mission de préfiguration du labo de la creuse", ["Nicolas Taillandier"]),
]


@pytest.fixture(scope="module")
def booklet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("output")
    assert main(["build", "--content", str(ROOT / "content"), "--output", str(output)]) == 0
    return output / "booklet.pdf"


@pytest.fixture(scope="module")
def texts(booklet: Path) -> list[str]:
    return page_texts(booklet)


def card_start_pages(texts: list[str]) -> dict[str, int]:
    """1-based page where each card's band (“( No Model ) N°. …”) is drawn first."""
    starts: dict[str, int] = {}
    for number, page_text in enumerate(texts, start=1):
        for card_number in re.findall(r"\( No Model \)\s*N°\. (\d\d[A-Z]\.\d{3})", page_text):
            starts.setdefault(card_number, number)
    return starts


def test_every_sentence_of_the_seed_is_in_the_pdf(texts: list[str]) -> None:
    printed = letters(" ".join(texts))
    lines = [line.removeprefix("et ") for line in SEED.read_text("utf-8").splitlines()]
    missing = [line for line in lines if letters(line) not in printed]
    assert missing == []


def test_cards_in_order_with_number_date_title_and_testimonies(texts: list[str]) -> None:
    printed = re.sub(r"\s+", " ", " ".join(texts))
    positions = []
    for number, title, names in CARDS:
        start = printed.index(f"N°. {number} 04 MAI 2020 {title}")
        positions.append(start)
        for name in names:
            positions.append(printed.index(name, start))
    assert positions == sorted(positions)


def test_testimony_heading_is_singular_for_one_plural_for_several(
    texts: list[str],
) -> None:
    starts = card_start_pages(texts)
    first, second = texts[starts["00C.001"] - 1], texts[starts["00C.002"] - 1]
    # set in small capitals: upper case, accents kept
    assert "TÉMOIGNAGES" in first
    assert "TÉMOIGNAGES" not in second and "TÉMOIGNAGE" in second


def test_sommaire_page_numbers_are_the_pages_where_cards_start(
    booklet: Path, texts: list[str]
) -> None:
    sommaire = next(i for i, text in enumerate(texts) if text.startswith("SOMMAIRE"))
    listed = dict(re.findall(r"N°\.\s(\d\d[A-Z]\.\d{3}) .*?(\d+)\s*$", texts[sommaire], re.M))
    starts = card_start_pages(texts)
    assert {number: int(page) for number, page in listed.items()} == starts
    assert set(starts) == {number for number, _, _ in CARDS}
    # and the entries are links to those pages (the section's divider, then the cards)
    targets = link_targets(booklet, sommaire)
    assert targets[1:] == [starts[number] - 1 for number, _, _ in CARDS]


def test_french_typography_reaches_the_pdf(texts: list[str]) -> None:
    printed = " ".join(texts)
    assert "250\u00a0000\u00a0€" in printed
    assert "labo\u202f; le «\u202fSemestre Erasmus\u202f»" in printed
    assert "d’un soutien" in printed and "d'un" not in printed


def test_running_head_and_folio_on_card_pages(texts: list[str]) -> None:
    for number, page in card_start_pages(texts).items():
        *_, head, foot = texts[page - 1].splitlines()
        assert head == "( Nos cousins )"
        assert sorted(foot.split()) == sorted(["N°.", number, str(page)])


def test_a5_pages_in_a_multiple_of_four(booklet: Path) -> None:
    reader = PdfReader(booklet)
    assert len(reader.pages) % 4 == 0
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / MM), round(height / MM)) == (148, 210)


def test_every_font_is_embedded_and_bundled(booklet: Path) -> None:
    used = fonts(booklet)
    assert all(used.values()), used
    names = " ".join(used)
    assert "Old-Standard-TT" in names and "Courier-Prime" in names


def test_metadata_language_and_bookmarks(booklet: Path) -> None:
    reader = PdfReader(booklet)
    assert reader.metadata.title == "No Model"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == ["Sommaire", "Nos cousins"]
    assert [item.title for item in outline[-1]] == [title for _, title, _ in CARDS]


def test_cover_sommaire_divider_cards_colophon_in_that_order(texts: list[str]) -> None:
    assert "No Model" in texts[0] and "Édition de travail".upper() in texts[0].upper()
    order = [
        next(i for i, text in enumerate(texts) if marker in text)
        for marker in ("SOMMAIRE", "( Nos cousins )\nD’autres", "N°. 00C.001", "COLOPHON")
    ]
    assert order == sorted(order)
    assert "Old Standard TT" in texts[order[-1]] and "OFL" in texts[order[-1]]
