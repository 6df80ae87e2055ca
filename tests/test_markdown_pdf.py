"""Markdown as authors paste it from pads (CommonMark + GitHub's extensions), checked in
the PDF: lists, breaks, tables, task lists, footnotes, links printed on paper and
cross-references between cards with their page numbers."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import samples
from pdf_helpers import link_targets, outline, page_texts, texts
from pypdf import PdfReader

from nomodel.cli import main

SECTION = samples.SECTION.replace(
    "D’autres acteurs ont mené des démarches de préfiguration.",
    "D’autres acteurs ont mené des démarches (voir [le programme PIA](00C.001)).",
)

# Pasted from a pad: lists right under a paragraph line, two-space nesting, "\" breaks, a
# hashtag at the start of a line, raw HTML, a GFM table, a task list and a footnote.
PASTED = """\
---
number: 00C.001
title: Programme labo PIA
date: 2020-05-04
---
**Sponsor** : la DITP, écrire à equipe.labo-innovation@modernisation.gouv.fr
Les étapes du programme :
* appel à projets en 2017
* sélection de 12 lauréats
  * 4 en Nouvelle-Aquitaine
  * 8 ailleurs
* formation-action de 18 mois

Adresse postale : DITP\\
20 avenue de Ségur\\
75007 Paris

#ChacunPourTous **Le labo en bref** : voir {bare} et le [guide des labos]({guide}) ; \
la fiche [le labo de la Creuse](00C.002-mission.md) raconte la suite, comme [la fin](00C.003).

<h2>Chiffres clés</h2>

| Région | Labos | Budget (€) |
|:-------|------:|-----------:|
| Nouvelle-Aquitaine | 4 | 1 000 000 |
| Grand Est | 12 | 500 000 |

## À faire
- [x] signer la convention
- [ ] ~~envoyer le courrier~~ publier le bilan

Le bilan[^bilan] est en ligne.

[^bilan]: Rapport de la DITP, 2019.
"""
BARE = (
    "https://www.modernisation.gouv.fr/action-publique-transformation/"
    "laboratoires-d-innovation-territoriale"
)
GUIDE = "https://www.modernisation.gouv.fr/outils-et-formations/guide-des-laboratoires"

OTHER = """\
---
number: {number}
title: {title}
date: 2020-05-04
---
{body}
"""

CONTENT = {
    "booklet.yml": textwrap.dedent("""\
        title: Essai
        editions:
          - name: atelier
            title: Essai, pour l’atelier
            cards: [00C.001]
        """),
    "nos-cousins/_section.md": SECTION,
    "nos-cousins/00C.001-programme.md": PASTED.format(bare=BARE, guide=GUIDE),
    "nos-cousins/00C.002-mission.md": OTHER.format(
        number="00C.002",
        title="Mission de préfiguration du labo de la Creuse",
        body="De juin à décembre 2018, une équipe a accompagné le Département.\n\n" * 40,
    ),
    "nos-cousins/00C.003-fin.md": OTHER.format(
        number="00C.003",
        title="La fin",
        body="Retour à [la fiche du programme](00C.001), avec sa note[^1].\n\n[^1]: La sienne.",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pasted")
    for name, text in CONTENT.items():
        (root / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "content" / name).write_text(text, encoding="utf-8")
    out = root / "out"
    args = ["--content", str(root / "content"), "--output", str(out), "--html"]
    assert main(["build", *args, "--cards", "--pdf-variant", "pdf/ua-1"]) == 0
    assert main(["build", *args, "--edition", "atelier"]) == 0
    return out


def card_pages(pdf: Path, number: str) -> list[int]:
    """Indexes of the pages of a card, from the card number beside the folio."""
    return [
        i
        for i, text in enumerate(page_texts(pdf))
        if re.fullmatch(
            rf"(\d+ )?N°\. {number}( \d+)?",
            text.strip().splitlines()[-1:][0] if text.strip() else "",
        )
    ]


def lines(pdf: Path, pages: list[int]) -> list[str]:
    """The text lines of these pages, without the spaces the extractor doubles or adds
    after a no-break space where the font changes."""
    texts = (page_texts(pdf)[i] for i in pages)
    return [
        re.sub(" +", " ", line.strip()).replace("\u00a0 ", "\u00a0")
        for text in texts
        for line in text.splitlines()
    ]


def running_text(found: list[str]) -> str:
    """Lines joined back into running text: a line ending after / . - _ @ may end inside an
    address, which is joined with nothing (so an added hyphen would show)."""
    return "".join(line + ("" if line[-1:] in "/.-_@" else " ") for line in found)


def test_pasted_lists_breaks_and_hashtags_read_as_written(built: Path) -> None:
    pdf = built / "booklet.pdf"
    found = lines(pdf, card_pages(pdf, "00C.001"))
    for item in ("appel à\u00a0projets en 2017", "sélection de 12 lauréats", "8 ailleurs"):
        assert item in found  # each item on its own line, not run into the paragraph
    address = found.index("Adresse postale\u00a0: DITP")  # "\\" breaks: three lines
    assert found[address : address + 3] == [found[address], "20 avenue de Ségur", "75007 Paris"]
    text = "\n".join(found)
    assert "#ChacunPourTous Le labo en bref" in text
    for literal in ("**", "\\", "* ", "[x]", "~~", "[^"):
        assert literal not in text
    # Two-space nesting: the nested items are indented under their parent.
    page = PdfReader(pdf).pages[card_pages(pdf, "00C.001")[0]]
    x = {text: left for text, left, _ in texts(page)}
    assert x["4 en Nouvelle-Aquitaine"] > x["sélection de 12 lauréats"] + 3


def test_headings_are_demoted_raw_html_too(built: Path) -> None:
    found = outline(PdfReader(built / "booklet.pdf"), {"H1", "H2", "H3", "H4", "H5"})
    headings = [(tag, text) for _, tag, text in found]
    card = headings[headings.index(("H2", "Programme labo PIA")) :][:4]
    # The body's top level (## and <h2>) sits right under the card's title.
    assert card == [
        ("H2", "Programme labo PIA"),
        ("H3", "Chiffres clés"),
        ("H3", "À\u00a0faire"),
        ("H2", "Mission de préfiguration du labo dela Creuse"),
    ]


def _right_edge(page: pdfium.PdfPage, text: str) -> float:
    textpage = page.get_textpage()
    whole = textpage.get_text_range()
    index = whole.index(text, whole.index("Budget (€)")) + len(text) - 1
    return textpage.get_charbox(index)[2]


def test_table_columns_keep_their_gfm_alignment(built: Path) -> None:
    html = (built / "booklet.html").read_text()
    assert '<th style="text-align:right">Budget (€)</th>' in html
    page = pdfium.PdfDocument(built / "booklet.pdf")[
        card_pages(built / "booklet.pdf", "00C.001")[0]
    ]
    # Right-aligned figures: their right edges line up, whatever their length.
    assert _right_edge(page, "4") == pytest.approx(_right_edge(page, "12"), abs=0.5)
    assert _right_edge(page, "1\u00a0000\u00a0000") == pytest.approx(
        _right_edge(page, "500\u00a0000"), abs=0.5
    )


def test_task_lists_strikethrough_and_footnotes_are_printed(built: Path) -> None:
    pdf = built / "booklet.pdf"
    pages = card_pages(pdf, "00C.001")
    text = "\n".join(lines(pdf, pages))
    assert "☑ signer la convention" in text
    assert "☐ envoyer le courrier publier le bilan" in text
    assert "Rapport de la DITP, 2019." in text
    # The struck words have a line drawn through them, at mid-height of their letters.
    document = pdfium.PdfDocument(pdf)
    for index in pages:
        page = document[index]
        textpage = page.get_textpage()
        whole = textpage.get_text_range()
        if "envoyer" in whole:
            start = whole.index("envoyer")
            left, bottom, _, top = textpage.get_charbox(start)
            right = textpage.get_charbox(start + len("envoyer le courrier") - 1)[2]
            paths = page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_PATH])
            # get_bounds() in pypdfium2 5, get_pos() in 4
            rules = [getattr(o, "get_bounds", getattr(o, "get_pos", None))() for o in paths]
            assert any(
                x0 <= left + 1 and x1 >= right - 1 and bottom < y0 <= y1 < top
                for x0, y0, x1, y1 in rules
            )
            break
    else:
        pytest.fail("the struck words are not printed")


def test_bare_urls_and_emails_are_links(built: Path) -> None:
    reader = PdfReader(built / "booklet.pdf")
    uris = {
        a.get_object()["/A"].get("/URI")
        for index in card_pages(built / "booklet.pdf", "00C.001")
        for a in reader.pages[index].get("/Annots", [])
        if "/A" in a.get_object()
    }
    assert {BARE, GUIDE, "mailto:equipe.labo-innovation@modernisation.gouv.fr"} <= uris


def test_addresses_are_printed_and_break_only_after_separators(built: Path) -> None:
    pdf = built / "booklet.pdf"
    found = lines(pdf, card_pages(pdf, "00C.001"))
    text = running_text(found)
    assert BARE in text
    assert f"guide des labos ({GUIDE})" in text
    # Every line that ends inside an address ends after / . - _ or @.
    for address in (BARE, GUIDE, "equipe.labo-innovation@modernisation.gouv.fr"):
        for line in found:
            tail = next((line[i:] for i in range(len(line)) if address.startswith(line[i:])), "")
            if len(tail) > 8 and tail != address:
                assert tail[-1] in "/.-_@", tail


def test_cross_references_print_the_page_where_the_card_starts(built: Path) -> None:
    pdf = built / "booklet.pdf"
    starts = {n: card_pages(pdf, n)[0] for n in ("00C.001", "00C.002", "00C.003")}
    assert starts["00C.003"] > starts["00C.002"] + 1  # 00C.002 runs over several pages
    text = running_text(lines(pdf, card_pages(pdf, "00C.001")))
    assert f"le labo de la Creuse (N°.\u00a000C.002, p.\u00a0{starts['00C.002'] + 1})" in text
    assert f"la fin (N°.\u00a000C.003, p.\u00a0{starts['00C.003'] + 1})" in text
    assert link_targets(pdf, starts["00C.001"])[:2] == [starts["00C.002"], starts["00C.003"]]
    # Each card's footnote reference leads to its own note, not to the first card's.
    assert set(link_targets(pdf, starts["00C.003"])) == {starts["00C.001"], starts["00C.003"]}
    back = page_texts(pdf)[starts["00C.003"]]
    assert f"(N°.\u00a000C.001, p.\u00a0{starts['00C.001'] + 1})" in back
    divider = next(i for i, t in enumerate(page_texts(pdf)) if "D’autres acteurs" in t)
    assert f"(N°.\u00a000C.001, p.\u00a0{starts['00C.001'] + 1})" in page_texts(pdf)[divider]


def test_cross_references_in_an_edition_and_a_single_card(built: Path) -> None:
    # The edition leaves 00C.002 and 00C.003 out: their numbers print, with no page nor link.
    edition = built / "atelier.pdf"
    text = running_text(lines(edition, card_pages(edition, "00C.001")))
    assert "le labo de la Creuse (N°.\u00a000C.002)" in text
    assert "la fin (N°.\u00a000C.003)" in text
    assert link_targets(edition, card_pages(edition, "00C.001")[0]) == []
    # A single card is cut from the booklet: it keeps the booklet's page numbers (its own
    # folios are the booklet's too), but links to nothing outside itself.
    single = built / "cards" / "00C.001.pdf"
    pages = range(len(PdfReader(single).pages))
    assert "(N°.\u00a000C.002, p." in " ".join(lines(single, list(pages)))
    # Its only internal link is the footnote's, which lands inside the card.
    assert [target for i in pages for target in link_targets(single, i)] == [len(pages) - 1]


def test_the_readme_example_card_prints_as_the_readme_says(tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("## Writing cards") :]
    example = section[section.index("```markdown\n") + 12 : section.index("\n```\n")] + "\n"
    seed = Path(__file__).parent.parent / "content"
    content = tmp_path / "content"
    shutil.copytree(seed, content)
    (content / "nos-cousins" / "00C.004-gironde.md").write_text(example, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out)]) == 0
    pdf = out / "booklet.pdf"
    starts = {n: card_pages(pdf, n)[0] for n in ("00C.002", "00C.004")}
    text = running_text(lines(pdf, card_pages(pdf, "00C.004")))
    for printed in (
        "le guide des labos (https://www.modernisation.gouv.fr/guide)",
        f"le labo de la Creuse (N°.\u00a000C.002, p.\u00a0{starts['00C.002'] + 1})",
        "Hôtel du Département 1 esplanade",
        "☑ signer la convention",
        "Une note, imprimée à\u00a0la fin de la carte.",
    ):
        assert printed in text
    assert "www.gironde.fr" in text
