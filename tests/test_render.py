"""Small real content folders, laid out and checked in the PDF they give."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import WriteContent
from pdf_helpers import MM, page_texts
from PIL import Image
from pypdf import PdfReader
from samples import CARD, SMALL_CONTENT

from nomodel.cli import main


def build(content: Path, output: Path) -> Path:
    assert main(["build", "--content", str(content), "--output", str(output)]) == 0
    return output / "booklet.pdf"


def test_content_is_never_evaluated_as_a_template(
    write_content: WriteContent, tmp_path: Path
) -> None:
    card = (
        CARD.replace("title: Programme labo PIA", "title: Le labo {{ 7*7 }}")
        .replace(
            "role: Cheffe de projets innovation publique à la DITP", 'role: "{# note #} Cheffe"'
        )
        .replace("Dans le cadre", "{% if true %}oui{% endif %} {{ 7*7 }} Dans le cadre")
    )
    content = write_content({**SMALL_CONTENT, "nos-cousins/00C.001-programme-labo-pia.md": card})
    text = " ".join(page_texts(build(content, tmp_path / "out")))
    assert "Le labo {{ 7*7 }}" in text
    assert "{% if true %}oui{% endif %} {{ 7*7 }} Dans" in text
    assert "{# note #} Cheffe" in text
    assert "49" not in text


@pytest.mark.parametrize(("size", "mm"), [("A4", (210, 297)), ("a6", (105, 148))])
def test_format_from_booklet_yml(
    size: str, mm: tuple[int, int], write_content: WriteContent, tmp_path: Path
) -> None:
    content = write_content({**SMALL_CONTENT, "booklet.yml": f"title: Essai\nformat: {size}\n"})
    reader = PdfReader(build(content, tmp_path / "out"))
    for page in reader.pages:
        assert (round(page.mediabox.width / MM), round(page.mediabox.height / MM)) == mm


def test_padding_pages_are_blank_and_come_before_the_colophon(
    write_content: WriteContent, tmp_path: Path
) -> None:
    third = CARD.replace("00C.001", "00C.003").replace("Programme labo PIA", "Troisième")
    content = write_content({**SMALL_CONTENT, "nos-cousins/00C.003-troisieme.md": third})
    texts = page_texts(build(content, tmp_path / "out"))
    # cover, inside cover, sommaire, divider, 3 cards = 7 pages, colophon and back cover: 9
    assert len(texts) == 12
    assert [text.strip() for text in texts[7:10]] == ["", "", ""]
    assert texts[10].startswith("COLOPHON")
    assert "( No Model )" in texts[11]


def test_author_from_booklet_yml(write_content: WriteContent, tmp_path: Path) -> None:
    reader = PdfReader(build(write_content(SMALL_CONTENT), tmp_path / "out"))
    assert reader.metadata.author == "Équipe d’essai"
    assert reader.metadata.title == "Essai"


def test_markdown_features_are_drawn(write_content: WriteContent, tmp_path: Path) -> None:
    image = tmp_path / "content" / "images" / "atelier.png"
    image.parent.mkdir(parents=True)
    Image.new("RGB", (300, 200), "#884422").save(image)
    body = """\
## Un intertitre

Un texte avec *emphase*, un [lien](https://example.org/labo) et une note[^1].

- premier point
- second point

| Année | Labos |
|-------|-------|
| 2018  | 12    |

![Un atelier collectif](../images/atelier.png)

[^1]: La note de bas de carte.
"""
    card = CARD.split("Dans le cadre")[0] + body
    content = write_content({**SMALL_CONTENT, "nos-cousins/00C.001-programme-labo-pia.md": card})
    pdf = build(content, tmp_path / "out")
    reader = PdfReader(pdf)
    page = reader.pages[4]
    text = page.extract_text()
    for expected in ("Un intertitre", "premier point", "2018", "La note de bas de carte."):
        assert expected in text
    uris = [a.get_object()["/A"].get("/URI") for a in page["/Annots"] if "/A" in a.get_object()]
    assert "https://example.org/labo" in uris
    images = page["/Resources"]["/XObject"].values()
    assert any(x.get_object()["/Subtype"] == "/Image" for x in images)


def test_missing_image_is_a_content_error(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    card = CARD + "\nUn paragraphe.\n\n![Un atelier](../images/absent.png)\n"
    content = write_content({**SMALL_CONTENT, "nos-cousins/00C.001-programme-labo-pia.md": card})
    assert main(["check", "--content", str(content)]) == 1
    assert '00C.001-programme-labo-pia.md:13: image "../images/absent.png" not found' in (
        capsys.readouterr().err
    )


def test_markdown_problems_are_reported_with_front_matter_problems(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    with_image = CARD + "\n![Un atelier](absent.png)\n"
    content = write_content(
        {
            **SMALL_CONTENT,
            "booklet.yml": "titel: Essai\n",
            "nos-cousins/00C.001-programme-labo-pia.md": with_image,
        }
    )
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith('booklet.yml:1: unknown key "titel" (did you mean "title"?)')
    assert err[1].endswith('00C.001-programme-labo-pia.md:11: image "absent.png" not found')
    assert err[2] == "2 problems: nothing was written"
