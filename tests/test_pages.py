"""Pages a typographer and a print shop accept, measured on the PDF of messy generated content
(bench/make_content.py: long titles with acronyms, tables of figures, addresses) and of a
card that uses every style with emoji and symbols."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import segno
from conftest import WriteContent
from pdf_helpers import MM, letters, outline, page_texts, texts
from pypdf import PdfReader
from samples import SMALL_CONTENT

from bench.make_content import SECTION_TITLES, make_content
from nomodel.checks import check
from nomodel.cli import main
from nomodel.compose import compose
from nomodel.errors import ContentErrors
from nomodel.preflight import pdf_fonts
from nomodel.running_head import shorten

CARDS = 45
SHORT_TITLE = "Accompagner les agents"
FOLIO_PT = 8.5 * 0.6  # a figure of the sommaire's folios: Courier Prime, 8.5pt

# One PDF name per file of styles/fonts/, as WeasyPrint names it: family, then style.
BUNDLED_FACES = {
    "Old-Standard-TT",
    "Old-Standard-TT-Italic",
    "Old-Standard-TT-Bold",
    "Courier-Prime",
    "Courier-Prime-Bold",
    "Courier-Prime-Italic",
    "Courier-Prime-Bold-Italic",
    "DejaVu-Serif",
    "DejaVu-Serif-Bold",
    "DejaVu-Serif-Italic",
    "DejaVu-Serif-Bold-Italic",
    "Symbola-Semi-Condensed",
}
Piece = tuple[str, float, float]


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The booklet and print-shop PDFs of generated content; section C has a short title."""
    folder = tmp_path_factory.mktemp("messy")
    content = make_content(folder / "content", cards=CARDS, paragraphs=1)
    section = content / "section-c" / "_section.md"
    section.write_text(
        section.read_text("utf-8").replace("---\n", f"---\nshort_title: {SHORT_TITLE}\n", 1),
        "utf-8",
    )
    output = folder / "output"
    assert main(["build", "--content", str(content), "--output", str(output), "--print"]) == 0
    return output / "booklet.pdf"


@pytest.fixture(scope="module")
def reader(messy: Path) -> PdfReader:
    return PdfReader(messy)


@pytest.fixture(scope="module")
def page_text(messy: Path) -> list[str]:
    return page_texts(messy)


def card_pages(page_text: list[str]) -> list[int]:
    """0-based indexes of the pages of cards (they carry the card's number at the foot)."""
    first = sommaire_pages(page_text)[-1] + 1
    number = re.compile(r"N°\. \d\d[A-Z]\.\d{3}")
    return [i for i in range(first, len(page_text)) if number.search(page_text[i])]


def sommaire_pages(page_text: list[str]) -> list[int]:
    first = next(i for i, text in enumerate(page_text) if text.startswith("SOMMAIRE"))
    divider = next(i for i, text in enumerate(page_text) if text.startswith("N°. 00A"))
    return list(range(first, divider))


def lines(pieces: list[Piece]) -> dict[float, list[Piece]]:
    """The pieces of text of a page by baseline, left to right."""
    found: dict[float, list[Piece]] = defaultdict(list)
    for piece in pieces:
        found[round(piece[2], 1)].append(piece)
    return {y: sorted(line, key=lambda piece: piece[1]) for y, line in found.items()}


def is_leader(piece: Piece) -> bool:
    return set(piece[0]) <= {".", " ", "\xa0"}


# --- 1. the sommaire -------------------------------------------------------------------------


def test_sommaire_folios_form_one_column_with_a_leader_on_every_entry(
    reader: PdfReader, page_text: list[str]
) -> None:
    pages = sommaire_pages(page_text)
    assert len(pages) >= 3  # long titles, entries wrapped over several pages
    rights, entries = [], 0
    for index in pages:
        pieces = texts(reader.pages[index])
        left = min(piece[1] for piece in pieces)  # the page's margin: left and right pages
        for y, line in lines(pieces).items():
            *before, (last, x, _) = line
            if y < 19 * MM or not last.isdigit():  # the page's own folio, or no entry's end
                continue
            entries += 1
            rights.append(x + len(last) * FOLIO_PT - left)
            dots = [piece for piece in before if is_leader(piece)]
            words = [piece for piece in before if not is_leader(piece)]
            assert dots, f"no leader before folio {last} on page {index + 1}"
            assert words, f"folio {last} alone on its line on page {index + 1}"
            # the leader ends before the folio's column: the folio never touches the title
            assert max(dot[1] for dot in dots) + FOLIO_PT < x
    assert entries == CARDS + len(SECTION_TITLES)
    assert max(rights) - min(rights) < 0.5  # points: one right-aligned column


def test_sommaire_wrapped_titles_hang_under_the_title(
    reader: PdfReader, page_text: list[str]
) -> None:
    sections = letters(" ".join(SECTION_TITLES))
    starts = set()
    for index in sommaire_pages(page_text):
        pieces = texts(reader.pages[index])
        left = min(piece[1] for piece in pieces)  # the page's margin: left and right pages
        for y, line in lines(pieces).items():
            words = [piece for piece in line if not is_leader(piece) and not piece[0].isdigit()]
            if y < 19 * MM or not words or "OMMAIRE" in words[-1][0]:
                continue
            if letters("".join(piece[0] for piece in words)) in sections:
                continue  # a section's line
            title = words[1] if words[0][0].startswith("N°.") else words[0]
            starts.add(round(title[1] - left, 1))
    assert len(starts) == 1, starts  # first lines and continued lines alike


# --- 2. running heads ------------------------------------------------------------------------


def running_heads(reader: PdfReader, indexes: list[int]) -> dict[int, list[Piece]]:
    """The text in the top margin of each page."""
    heads = {}
    for index in indexes:
        page = reader.pages[index]
        top = float(page.mediabox.height) - 17 * MM
        heads[index] = [piece for piece in texts(page) if piece[2] > top]
    return heads


def test_running_heads_are_one_line_shortened_at_a_word(
    reader: PdfReader, page_text: list[str]
) -> None:
    heads = running_heads(reader, card_pages(page_text))
    assert len(heads) > CARDS
    seen = set()
    for index, pieces in heads.items():
        assert len(lines(pieces)) == 1, f"page {index + 1}: {pieces}"
        head = " ".join(piece[0] for piece in pieces)
        assert head.startswith("( ") and head.endswith(" )"), head
        assert not re.search(r"\w-$", pieces[-1][0])  # never hyphenated
        seen.add(head)
    long_title = next(head for head in seen if head.startswith("( Les laboratoires"))
    assert long_title.endswith(" … )")
    shortened = long_title.removeprefix("( ").removesuffix(" … )")
    assert (SECTION_TITLES[0] + " ").startswith(shortened + " ")  # cut after a whole word
    assert f"( {SHORT_TITLE} )" in seen  # the section's short_title


@pytest.mark.parametrize("page_format", ["A6", "A4"])
def test_running_head_fits_every_format(tmp_path: Path, page_format: str) -> None:
    content = make_content(tmp_path / "content", cards=1, sections=1, paragraphs=1)
    output = tmp_path / "output"
    argv = ["build", "--content", str(content), "--output", str(output), "--format", page_format]
    assert main(argv) == 0
    pdf = output / "booklet.pdf"
    pages = card_pages(page_texts(pdf))
    for index, pieces in running_heads(PdfReader(pdf), pages).items():
        assert len(lines(pieces)) == 1, f"page {index + 1}: {pieces}"
        head, *_ = words_by_line(pdf, index)
        assert head[-1][0] == ")"
        width = float(PdfReader(pdf).pages[index].mediabox.width)
        assert head[0][1] >= 14 * MM and head[-1][2] <= width - 14 * MM  # within the margins


# --- 5. tables -------------------------------------------------------------------------------


Word = tuple[str, float, float]  # text, left and right in points


def words_by_line(pdf: Path, index: int) -> list[list[Word]]:
    """The words of a page, line by line from the top: pdfium gives each character's box."""
    text = pypdfium2.PdfDocument(pdf)[index].get_textpage()
    found: dict[int, list[Word]] = defaultdict(list)
    word: list[tuple[str, tuple[float, ...]]] = []
    for char_index in range(text.count_chars()):
        char = text.get_text_range(char_index, 1)
        box = text.get_charbox(char_index, loose=True)
        if word and (char.isspace() or abs(box[1] - word[-1][1][1]) > 1):
            found[round(word[0][1][1])].append(_word(word))
            word = []
        if not char.isspace():
            word.append((char, box))
    if word:
        found[round(word[0][1][1])].append(_word(word))
    return [sorted(found[y], key=lambda w: w[1]) for y in sorted(found, reverse=True)]


def _word(chars: list[tuple[str, tuple[float, ...]]]) -> Word:
    return "".join(char for char, _ in chars), chars[0][1][0], chars[-1][1][2]


def table_rows(pdf: Path, index: int) -> list[list[Word]]:
    """The body rows of the generated tables: lines of at least three words (the cells)
    that start with a year and end with the count of agents. A line of running text may
    start with the "2021" that ends an address broken after its "-"."""
    return [
        line
        for line in words_by_line(pdf, index)
        if len(line) >= 3 and re.fullmatch(r"20\d\d", line[0][0]) and line[-1][0].isdigit()
    ]


def test_tables_break_between_pairs_of_rows_under_a_repeated_header(
    messy: Path, page_text: list[str]
) -> None:
    rows = {index: table_rows(messy, index) for index in card_pages(page_text)}
    for index, found in rows.items():
        if found:
            assert len(found) >= 2, f"page {index + 1}: a single row of a table"
            assert "Année" in page_text[index], f"page {index + 1}: rows without their header"
    split = sum(bool(rows[index]) and bool(rows.get(index - 1)) for index in rows)
    assert split >= 2  # tables longer than a page were split, header repeated


def test_a_table_never_leaves_one_row_alone_wherever_the_page_ends(
    write_content: WriteContent, tmp_path: Path
) -> None:
    """Cards with 20 to 35 lines before a table of 12 rows: the table starts anywhere in the
    last third of the page, so the page ends after each of its rows in turn."""
    files = {"booklet.yml": "title: Tableaux\n", "s/_section.md": "---\ntitle: S\nseries: C\n---\n"}
    rows = "\n".join(f"| {2000 + row} | Creuse | {row + 3} |" for row in range(12))
    for card in range(16):
        lines_before = "\n\n".join(["Une ligne."] * (20 + card))
        files[f"s/00C.{card + 1:03d}-t.md"] = (
            f"---\nnumber: 00C.{card + 1:03d}\ntitle: Tableau {card}\ndate: 2020-05-04\n---\n"
            f"{lines_before}\n\n| Année | Lieu | Agents |\n|---|---|---:|\n{rows}\n"
        )
    output = tmp_path / "output"
    assert main(["build", "--content", str(write_content(files)), "--output", str(output)]) == 0
    pdf = output / "booklet.pdf"
    counts = [len(table_rows(pdf, index)) for index in range(len(PdfReader(pdf).pages))]
    assert sum(counts) == 16 * 12
    assert 1 not in counts, counts


def test_table_figures_are_right_aligned(messy: Path, page_text: list[str]) -> None:
    widths = set()
    for index in card_pages(page_text):
        for row in table_rows(messy, index):
            agents, _, right = row[-1]  # the last column: 3 to 30 agents, one or two figures
            assert agents.isdigit()
            widths.add(round(right - row[0][1]))  # from the row's left edge
    assert len(widths) == 1, widths


def test_a_table_wider_than_the_text_is_an_error_naming_the_card(
    write_content: WriteContent, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wide = "| " + " | ".join(["ABCDEFGHIJKLMNOPQRSTU"] * 7) + " |"
    card = SMALL_CONTENT["nos-cousins/00C.002-mission.md"] + f"\n{wide}\n|{'---|' * 7}\n"
    content = write_content({**SMALL_CONTENT, "nos-cousins/00C.002-mission.md": card})
    output = tmp_path / "output"
    assert main(["build", "--content", str(content), "--output", str(output)]) == 1
    first, *_ = capsys.readouterr().err.splitlines()
    line = card.splitlines().index(wide) + 1
    assert first.startswith(f"{content / 'nos-cousins' / '00C.002-mission.md'}:{line}: "), first
    assert "wider than the text" in first
    assert not output.exists()  # nothing written


# --- 6. outline ------------------------------------------------------------------------------


def test_outline_lists_the_sections_and_the_cards_only(
    reader: PdfReader, page_text: list[str]
) -> None:
    def flatten(items: list) -> list:
        return [
            leaf for item in items for leaf in (flatten(item) if isinstance(item, list) else [item])
        ]

    titles = [item.title for item in flatten(reader.outline)]
    assert "Résultats de l’équipe" in " ".join(page_text)  # a heading inside cards
    assert len(titles) == 1 + len(SECTION_TITLES) + CARDS  # the sommaire, sections, cards
    assert not any("Résultats" in title for title in titles)


# --- 7, 8, 9: faces, QR codes, office printing -----------------------------------------------

# Every style the stylesheet can ask for, with characters that only the fallbacks have: ↻ ℃
# (DejaVu Serif), ☎ 😀 ✓ (Symbola).
SIGNS = "☎ 😀 ✓ ↻ ℃"
STYLES_CARD = f"""\
---
number: 00C.001
title: Toutes les faces {SIGNS}
date: 2020-05-04
summary: Un résumé en italique {SIGNS}.
testimonies:
  - name: Jeanne {SIGNS}
links:
  - label: Le guide
    url: https://www.modernisation.gouv.fr/guide-labos
  - label: Écrire
    url: mailto:contact@innovation.gouv.fr
---
Romain {SIGNS}, *italique {SIGNS} avec **gras dedans {SIGNS}** et `code {SIGNS}`*, **gras
{SIGNS} avec *italique dedans {SIGNS}* et `code {SIGNS}`**, `code {SIGNS}`.

### Un titre {SIGNS} **gras {SIGNS}** *italique {SIGNS}*

| **En tête {SIGNS}** | *Italique {SIGNS}* |
|---|---:|
| ***gras italique {SIGNS}*** | 12 {SIGNS} |
"""
LINKS = ("https://www.modernisation.gouv.fr/guide-labos", "mailto:contact@innovation.gouv.fr")


@pytest.fixture(scope="module")
def styled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tagged booklet and its print-shop PDF, with QR codes and no tint."""
    folder = tmp_path_factory.mktemp("styled")
    content = folder / "content"
    for name, text in {
        **SMALL_CONTENT,
        "nos-cousins/00C.001-programme-labo-pia.md": STYLES_CARD,
    }.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, "utf-8")
    argv = ["build", "--content", str(content), "--output", str(folder / "output")]
    assert main([*argv, "--print", "--qr", "--no-tint", "--pdf-variant", "pdf/ua-1"]) == 0
    return folder / "output"


def test_only_bundled_faces_are_drawn(styled: Path) -> None:
    for name in ("booklet.pdf", "booklet-print.pdf"):
        fonts = {font.name for font in pdf_fonts(pikepdf.open(styled / name))}
        assert fonts <= BUNDLED_FACES, fonts - BUNDLED_FACES
        # the fallbacks were used in several styles, and none was faked
        assert {"Symbola-Semi-Condensed", "DejaVu-Serif-Italic", "DejaVu-Serif-Bold"} <= fonts
        assert {"Courier-Prime-Bold", "Courier-Prime-Italic", "Old-Standard-TT-Bold"} <= fonts


def test_body_headings_stay_tagged(styled: Path) -> None:
    headings = outline(PdfReader(styled / "booklet.pdf"), {"H3", "H4", "H5", "H6"})
    assert any(text.startswith("Un titre") for _, _, text in headings)


def qr_codes(page: pypdfium2.PdfPage) -> list[tuple[float, float, float, float]]:
    """The bounds, in points, of the drawings (form XObjects) 14 mm or more on each side."""
    found = []
    for drawing in page.get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_FORM]):
        left, bottom, right, top = drawing.get_bounds()
        if min(right - left, top - bottom) > 14 * MM:
            found.append((left, bottom, right, top))
    return sorted(found, key=lambda bounds: -bounds[3])  # top to bottom


def test_each_link_has_a_qr_code_that_scans(styled: Path) -> None:
    pdf = pypdfium2.PdfDocument(styled / "booklet.pdf")
    index = next(i for i, text in enumerate(page_texts(styled / "booklet.pdf")) if "LIENS" in text)
    page = pdf[index]
    codes = qr_codes(page)
    assert len(codes) == len(LINKS)
    scale = 6  # 432 dpi: a module is some 7 pixels
    image = page.render(scale=scale).to_pil().convert("L")
    height = page.get_height()
    for url, (left, bottom, right, top) in zip(LINKS, codes, strict=True):
        margin = 2 * MM  # the quiet zone's inner half: nothing else is drawn there
        box = [round(v * scale) for v in (left - margin, height - top - margin)]
        box += [round(v * scale) for v in (right + margin, height - bottom + margin)]
        crop = image.crop(box)
        dark = crop.point(lambda value: value < 128 and 255).getbbox()
        assert dark is not None
        matrix = segno.make(url, error="m", micro=False).matrix
        modules = len(matrix)
        size = (dark[2] - dark[0]) / scale / MM
        assert size >= 15 - 0.1, f"{size:.1f} mm"
        step = (dark[2] - dark[0]) / modules
        for row, values in enumerate(matrix):
            for column, value in enumerate(values):
                x = dark[0] + (column + 0.5) * step
                y = dark[1] + (row + 0.5) * step
                assert (crop.getpixel((int(x), int(y))) < 128) == bool(value), (url, row, column)
        # its quiet zone is light: the dark modules are all inside the drawing
        assert dark[0] > margin * scale * 0.5 and dark[1] > margin * scale * 0.5


def test_qr_codes_are_artifacts_in_tagged_pdfs(styled: Path) -> None:
    figures = outline(PdfReader(styled / "booklet.pdf"), {"Figure"})
    assert figures == []  # the codes are drawn as backgrounds: screen readers skip them


def paper(pdf: Path, index: int) -> tuple[int, ...]:
    """The colour of a page where covers and dividers have no text, inside the trim."""
    page = pypdfium2.PdfDocument(pdf)[index]
    image = page.render(scale=1).to_pil().convert("RGB")
    return image.getpixel((round(image.width / 2), round(image.height * 0.15)))


def test_no_tint_gives_white_covers_and_dividers(styled: Path, messy: Path) -> None:
    divider = next(
        i for i, text in enumerate(page_texts(styled / "booklet.pdf")) if text.startswith("N°. 00C")
    )
    for name in ("booklet.pdf", "booklet-print.pdf"):
        assert paper(styled / name, 0) == (255, 255, 255)
        assert paper(styled / name, divider) == (255, 255, 255)
    # the same typography: the cover's title is where the tinted cover has it
    tinted = messy.parent / "booklet-print.pdf"
    assert paper(messy, 0) == paper(tinted, 0) != (255, 255, 255)  # manila, also for the shop


def test_booklet_yml_asks_for_qr_codes_and_no_tint(write_content: WriteContent) -> None:
    booklet = "title: Essai\nqr: true\ntint: false\n"
    card = STYLES_CARD
    content = write_content(
        {**SMALL_CONTENT, "booklet.yml": booklet, "nos-cousins/00C.001-programme-labo-pia.md": card}
    )
    html = compose(check(content), datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert '<html lang="fr" class="untinted">' in html
    assert html.count('class="qr"') == len(LINKS)


def test_tint_must_be_true_or_false(write_content: WriteContent) -> None:
    content = write_content({**SMALL_CONTENT, "booklet.yml": "title: Essai\ntint: non\n"})
    with pytest.raises(ContentErrors) as raised:
        check(content)
    assert [str(error) for error in raised.value.errors] == [
        f'{content / "booklet.yml"}:2: "tint" must be true or false, got "non"'
    ]


def test_a_long_title_is_shortened_after_a_whole_word_never_on_a_little_word() -> None:
    title = "Les laboratoires soutenus par la Direction interministérielle du numérique (DINUM)"
    assert shorten(title, 40) == "Les laboratoires soutenus …"  # not "… soutenus par la …"
    assert shorten(title, len(title)) == title
    assert shorten("Anticonstitutionnellement", 10) == "Anticonst…"
    assert len(shorten(title, 30)) <= 30
