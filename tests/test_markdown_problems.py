"""Every problem of a Markdown body on its true line, found from markdown-it's line maps:
link targets, images, raw HTML, cross-references and characters no bundled font has."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import WriteContent
from samples import SMALL_CONTENT

from nomodel import checks
from nomodel.cli import main
from nomodel.errors import ContentErrors

CARD = "nos-cousins/00C.001-programme-labo-pia.md"
HEAD = """\
---
number: 00C.001
title: Programme labo PIA
date: 2020-05-04
---
"""  # the body starts on line 6
LINKS = """\
Autorisés : [site](https://example.org), [écrire](mailto:a@b.fr), [appeler](tel:+33100000000),
[plus bas](#notes), [la mission](00C.002), [la mission](00C.002-mission.md).

* [clic](javascript:alert(1))
* [fichier](file:///etc/passwd) et [données](data:text/html,x)
* | tableau |
  |---|
  | [document](notes.pdf) |

<p>
  <a href="javascript:void(0)">brut</a>
</p>

Voir [la fiche 9](00C.009) et <a href="00C.002">brut</a>, ou [ailleurs](//example.org/x).
[requête](?page=2)
"""
IMAGES = """\
Un paragraphe
sur deux lignes ![](../images/a.png) puis
<img src="../../secret.png" alt="x"> à la troisième.

<div>
  <p>bloc</p>
  <img src="//www.example.org/embed" alt="x">
</div>

![Carte](//www.example.org/carte.png) et ![Plan](https://example.org/plan.png)
"""
# Each block alone is harmless; together, the <div>s left open nest 60 levels deep.
NESTED = "Avant.\n\n" + "<div>\n\n" * 60 + "Fin.\n"


def problems(write_content: WriteContent, capsys: pytest.CaptureFixture[str], body: str) -> list:
    content = write_content({**SMALL_CONTENT, CARD: HEAD + body})
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].endswith("nothing was written")
    return [line.split(f"{CARD.split('/')[1]}:", 1)[1] for line in err[:-1]]


def test_links_that_cannot_work_on_paper_are_refused_on_their_lines(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    found = problems(write_content, capsys, LINKS)
    assert [line.split(": ", 1)[0] for line in found] == [
        "9",
        "10",
        "10",
        "13",
        "16",
        "19",
        "19",
        "19",
        "20",
    ]
    # Markdown links are told as raw HTML's are (html_policy.link_refusal).
    assert found[0].endswith(
        'link "javascript:alert(1)" is a javascript: link, which a PDF must never carry'
    )
    assert 'link "data:text/html,x" is a "data:" link' in found[1]
    assert 'link "file:///etc/passwd" is a file: link' in found[2]
    file_link = "is a link to a file, which a printed booklet does not have"
    assert f'link "notes.pdf" {file_link}' in found[3]
    assert 'link "javascript:void(0)" is a javascript: link' in found[4]
    assert 'link "//example.org/x" is a network address without its scheme' in found[5]
    assert f'link "00C.002" {file_link}' in found[6]  # raw HTML: cross-references are Markdown
    assert found[7].endswith('link "00C.009" refers to card 00C.009, which does not exist')
    assert f'link "?page=2" {file_link}' in found[8]


def test_links_to_names_no_file_has_are_refused_not_a_crash(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link's path goes to the file system (a card's file is a cross-reference): a NUL
    character, a loop of links or a name too long is a link to no file, told on its line."""
    content = write_content(SMALL_CONTENT)
    (content / "nos-cousins" / "boucle").symlink_to("boucle")
    body = "[a](a%00b.md)\n\n[b](boucle/x.md)\n\n[c](" + "n" * 5000 + ".md)\n"
    found = problems(write_content, capsys, body)
    assert [line.split(": ", 1)[0] for line in found] == ["6", "8", "10"]
    assert all("is a link to a file, which a printed booklet does not have" in f for f in found)


def test_the_same_text_earlier_does_not_move_a_problem(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "Le fichier absent.png manque.\n\nDeux.\n\n![Un atelier](absent.png)\n"
    assert problems(write_content, capsys, body) == ['10: image "absent.png" not found']


def test_images_and_raw_html_resources_on_their_lines(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    found = problems(write_content, capsys, IMAGES)
    assert found == [
        '7: image "../images/a.png" has no alt text: describe it between the brackets, or'
        " write ![décoratif](../images/a.png) if it is only decoration",
        '7: image "../images/a.png" not found',
        '8: "../../secret.png" is outside the content folder',
        '12: "//www.example.org/embed" is a network address (on "www.example.org"): write it'
        " with https:// and build with --allow-remote",
        '15: image "//www.example.org/carte.png" is a network address (on "www.example.org"):'
        " write it with https:// and build with --allow-remote",
        '15: image "https://example.org/plan.png" is on the network (--allow-remote fetches it)',
    ]


def test_a_missing_character_is_reported_on_every_line(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "Le signe 漢 ici,\n\nrien là,\n\net 漢 漢 encore.\n"
    found = problems(write_content, capsys, body)
    assert [line.split(": ", 1)[0] for line in found] == ["6", "10"]
    assert all('character "漢" (U+6F22' in line for line in found)


def test_card_files_are_cross_references_in_every_folder(
    write_content: WriteContent, tmp_path: Path
) -> None:
    other = SMALL_CONTENT["nos-cousins/00C.002-mission.md"].replace("00C.002", "00D.001")
    section = SMALL_CONTENT["nos-cousins/_section.md"].replace("series: C", "series: D")
    body = "Voir [l’autre](../ailleurs/00D.001-autre.md) et [la mission](./00C.002-mission.md).\n"
    content = write_content(
        {
            **SMALL_CONTENT,
            CARD: HEAD + body,
            "ailleurs/_section.md": section.replace("Nos cousins", "Ailleurs"),
            "ailleurs/00D.001-autre.md": other,
        }
    )
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out), "--html"]) == 0
    html = (out / "booklet.html").read_text()
    assert '<a href="#card-00D.001" class="xref">l’autre' in html
    assert '<a href="#card-00C.002" class="xref">la mission' in html


def test_raw_html_nesting_across_blocks_is_refused(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    found = problems(write_content, capsys, NESTED)
    assert found == ["8: raw HTML nests 62 levels deep; the limit is 40"]


@pytest.mark.parametrize(
    "body",
    [
        LINKS,
        IMAGES,
        NESTED,
        "Le signe 漢, [la fiche 9](00C.009), www.exemple_site.fr et https://a.fr/x_y.\n",
        '<p>ouvert\n\n<span class="card">réservé</span> puis [x](file:///etc)\n',
    ],
    ids=["links", "images", "nested", "text", "raw"],
)
def test_check_finds_what_the_build_finds(write_content: WriteContent, body: str) -> None:
    """``nomodel check`` leaves out what finds no problems (typography, whole words,
    printed addresses, most of the rendering): it must find every problem a build finds."""
    content = write_content({**SMALL_CONTENT, CARD: HEAD + body})
    found = []
    for problems_only in (True, False):
        with pytest.raises(ContentErrors) as raised:
            checks.check(content, problems_only=problems_only)
        found.append(raised.value.details())
    assert found[0] == found[1]
