"""Content from elsewhere stays harmless (issue 9): one path rule, links out of the content
folder refused, SVG as data, bounded memory and time, raw HTML that cannot change the
document, all outputs or none, signals at any moment, one error model."""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import pikepdf
import pytest
from conftest import WriteContent
from PIL import Image
from samples import CARD, PREVIOUS, SECOND_CARD, SECRET, SMALL_CONTENT

from nomodel.cli import main

ROOT = Path(__file__).resolve().parent.parent
CARD_FILE = "nos-cousins/00C.001-programme-labo-pia.md"
BODY_LINE = 9  # the first body line of samples.CARD
HOSTILE_LINE = BODY_LINE + 2  # where `card_with` puts the hostile line


def card_with(line: str) -> str:
    """The sample card, with ``line`` on line HOSTILE_LINE."""
    return CARD + "\n" + line + "\n"


def build(content: Path, output: Path, *options: str) -> int:
    return main(["build", "--content", str(content), "--output", str(output), *options])


def assert_untouched(output: Path) -> None:
    """The previous booklet is as it was, nothing else was written, and the secret is in
    no file."""
    assert (output / "booklet.pdf").read_bytes() == PREVIOUS
    assert sorted(p.name for p in output.iterdir()) == ["booklet.pdf"]


@pytest.fixture
def output(tmp_path: Path) -> Path:
    folder = tmp_path / "output"
    folder.mkdir()
    (folder / "booklet.pdf").write_bytes(PREVIOUS)
    return folder


# ---------- 1. one path rule, decoded once ----------


@pytest.mark.parametrize(
    "reference",
    [
        '<a rel="attachment" href="a%252fb/notes.txt">notes</a>',
        "![Notes](a%252fb/notes.txt)",
        '<img src="a%252fb/notes.txt" alt="notes">',
        "<span style=\"background: url('a%252fb/notes.txt')\">x</span>",
        "![Notes](a%2fb/notes.txt)",
        "![Notes](a%25252fb/notes.txt)",
    ],
)
def test_a_folder_named_with_a_percent_escape_is_no_way_out(
    reference: str,
    secret: Path,
    write_content: WriteContent,
    output: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(reference)})
    # A link literally named "a%2fb", leading to the folder of the secret.
    (content / "nos-cousins" / "a%2fb").symlink_to(secret.parent)
    (content / "nos-cousins" / "a%252fb").symlink_to(secret.parent)
    assert build(content, output, "--cards", "--print") == 1
    err = capsys.readouterr().err
    assert f"00C.001-programme-labo-pia.md:{HOSTILE_LINE}: " in err
    assert "outside the content folder" in err or "not found" in err
    assert_untouched(output)
    assert SECRET not in err


def test_the_fetcher_reads_the_path_it_checked(secret: Path, tmp_path: Path) -> None:
    """WeasyPrint's own opener never reads a file: the fetcher hands it the bytes."""
    from nomodel.fetch import ResourcePolicy
    from nomodel.layout import SandboxedFetcher

    content = tmp_path / "content"
    content.mkdir()
    (content / "a%2fb").symlink_to(secret.parent)
    fetcher = SandboxedFetcher(ResourcePolicy((content,)))
    with pytest.raises(PermissionError):
        fetcher.fetch((content / "a%2fb" / "notes.txt").as_uri())  # a link leading out
    (content / "inside.txt").write_text("dedans")
    response = fetcher.fetch((content / "inside.txt").as_uri())
    assert response.read() == b"dedans"
    assert response.url == (content / "inside.txt").resolve().as_uri()


# ---------- 2. every file the loader reads ----------


@pytest.mark.parametrize("linked", ["card", "section folder", "_section.md", "booklet.yml"])
def test_a_content_file_linking_out_is_refused(
    linked: str,
    tmp_path: Path,
    write_content: WriteContent,
    output: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    content = write_content(SMALL_CONTENT)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret_card = CARD.replace("Programme labo PIA", SECRET).replace("00C.001", "00C.003")
    targets = {
        "card": ("nos-cousins/00C.003-secret.md", outside / "00C.003.md", secret_card),
        "section folder": ("autre", outside / "section", None),
        "_section.md": ("nos-cousins/_section.md", outside / "_section.md", None),
        "booklet.yml": ("booklet.yml", outside / "booklet.yml", f"title: {SECRET}\n"),
    }
    where, target, text = targets[linked]
    if linked == "section folder":
        target.mkdir()
        (target / "_section.md").write_text(f"---\ntitle: {SECRET}\nseries: D\n---\nIntro.\n")
    elif linked == "_section.md":
        target.write_text((content / where).read_text().replace("Nos cousins", SECRET))
    else:
        target.write_text(text or "")
    (content / where).unlink(missing_ok=True)
    (content / where).symlink_to(target)

    assert build(content, output) == 1
    err = capsys.readouterr().err
    kind = "folder" if linked == "section folder" else "file"
    assert f"{where}: is a link to a {kind} outside the content folder" in err
    assert SECRET not in err
    assert_untouched(output)


def test_a_link_that_stays_inside_is_followed(write_content: WriteContent, tmp_path: Path) -> None:
    content = write_content(SMALL_CONTENT)
    (content / "brouillons").mkdir()
    moved = content / "brouillons" / "00C.002.txt"  # not a section: no Markdown file
    (content / "nos-cousins" / "00C.002-mission.md").rename(moved)
    (content / "nos-cousins" / "00C.002-mission.md").symlink_to(moved)
    assert build(content, tmp_path / "out") == 0


# ---------- 3. SVG images are data ----------

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' width="40" height="40">{}</svg>'
)


def _svg_cases(secret: Path) -> dict[str, str]:
    uri = secret.as_uri()
    inner_svg = SVG.format(f'<image href="{uri}" width="10" height="10"/>')
    return {
        "image href": f'<image href="{uri}" width="10" height="10"/>',
        "xlink href": f'<image xlink:href="{uri}" width="10" height="10"/>',
        "external use": f'<use href="{uri}#x"/>',
        "style import": f'<style>@import url("{uri}");</style><rect width="5" height="5"/>',
        "style url": f'<style>rect {{ fill: url("{uri}#g") }}</style><rect width="5" height="5"/>',
        "fill url": f'<rect width="5" height="5" fill="url({uri}#g)"/>',
        "font face": f'<style>@font-face {{ font-family: x; src: url("{uri}") }}</style>',
        "css escape": '<rect width="5" height="5" style="fill: u\\72l(' + uri + '#g)"/>',
        "data svg": (
            '<image width="10" height="10" href="data:image/svg+xml;base64,'
            + base64.b64encode(inner_svg.encode()).decode()
            + '"/>'
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "image href",
        "xlink href",
        "external use",
        "style import",
        "style url",
        "fill url",
        "font face",
        "css escape",
        "data svg",
        "xml-stylesheet",
    ],
)
def test_an_svg_that_references_anything_but_itself_is_refused(
    case: str,
    secret: Path,
    write_content: WriteContent,
    output: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if case == "xml-stylesheet":
        svg = f'<?xml-stylesheet href="{secret.as_uri()}"?>' + SVG.format("<rect/>")
    else:
        svg = SVG.format(_svg_cases(secret)[case])
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with("![Un dessin](dessin.svg)")})
    (content / "nos-cousins" / "dessin.svg").write_text(svg)
    assert build(content, output, "--cards") == 1
    err = capsys.readouterr().err
    assert f'00C.001-programme-labo-pia.md:{HOSTILE_LINE}: image "dessin.svg" is an SVG that' in err
    assert_untouched(output)


def test_a_data_url_svg_is_checked_too(
    secret: Path, write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    svg = SVG.format(f'<image href="{secret.as_uri()}" width="10" height="10"/>')
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(f"![Un dessin]({url})")})
    assert build(content, output) == 1
    assert "is an SVG that references" in capsys.readouterr().err
    assert_untouched(output)


def test_an_svg_that_multiplies_itself_is_refused_at_once(
    write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """8 levels of 10 <use>: a few hundred bytes, 10^8 elements to draw (minutes)."""
    levels = ['<rect id="l0" width="1" height="1"/>']
    for level in range(1, 9):
        uses = "".join(f'<use href="#l{level - 1}" x="{i}"/>' for i in range(10))
        levels.append(f'<g id="l{level}">{uses}</g>')
    svg = SVG.format("<defs>" + "".join(levels) + '</defs><use href="#l8"/>')
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with("![Un motif](motif.svg)")})
    (content / "nos-cousins" / "motif.svg").write_text(svg)
    assert build(content, output) == 1
    err = capsys.readouterr().err
    assert "is an SVG that expands to over 200000 elements through <use>" in err
    assert_untouched(output)


def test_svg_text_is_set_in_the_bundled_fonts(write_content: WriteContent, tmp_path: Path) -> None:
    svg = SVG.format(
        '<style>text { font-family: "DejaVu Sans", Arial }</style>'
        '<text x="2" y="20" font-family="Liberation Sans" style="font: 12px Arial">Atelier</text>'
    )
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with("![Un dessin](dessin.svg)")})
    (content / "nos-cousins" / "dessin.svg").write_text(svg)
    assert build(content, tmp_path / "out") == 0
    import pikepdf

    with pikepdf.open(tmp_path / "out" / "booklet.pdf") as pdf:
        names = {
            str(obj.get("/BaseFont")).partition("+")[2]
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary)
            and obj.get("/Type") == "/Font"
            and "/BaseFont" in obj
        }
    bundled = ("Old-Standard", "Courier-Prime", "DejaVuSerif", "Symbola")
    assert names and all(name.startswith(bundled) for name in names), names
    from pypdf import PdfReader

    reader = PdfReader(tmp_path / "out" / "booklet.pdf")
    assert "Atelier" in "".join(page.extract_text() for page in reader.pages)


# ---------- 4. links that cannot work on paper ----------


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("[clic](javascript:alert(1))", "javascript: link"),
        ('<a href="javascript:alert(1)">clic</a>', "javascript: link"),
        ('<a href="JaVaScRiPt:alert(1)">clic</a>', "javascript: link"),
        ("[notes](file:///etc/passwd)", "file: link"),
        ("[le compte rendu](compte-rendu.pdf)", "link to a file"),
        ('<a href="../../notes.txt">notes</a>', "link to a file"),
        ("[appel](vbscript:msgbox)", '"vbscript:" link'),
    ],
)
def test_a_link_that_cannot_work_on_paper_is_refused(
    link: str,
    reason: str,
    write_content: WriteContent,
    output: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(f"Voir {link}.")})
    assert build(content, output) == 1
    err = capsys.readouterr().err
    assert f"00C.001-programme-labo-pia.md:{HOSTILE_LINE}: link " in err and reason in err
    assert_untouched(output)


def test_a_small_data_url_image_is_drawn(write_content: WriteContent, tmp_path: Path) -> None:
    import io

    picture = io.BytesIO()
    Image.new("RGB", (30, 20), "#335577").save(picture, "PNG")
    url = "data:image/png;base64," + base64.b64encode(picture.getvalue()).decode()
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(f"![Un carré]({url})")})
    assert build(content, tmp_path / "out") == 0
    with pikepdf.open(tmp_path / "out" / "booklet.pdf") as pdf:
        images = [
            o
            for o in pdf.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
        ]
        assert [(int(i.Width), int(i.Height)) for i in images] == [(30, 20)]


def test_links_that_work_on_paper_are_kept(write_content: WriteContent, tmp_path: Path) -> None:
    links = (
        "[site](https://example.org) [écrire](mailto:labo@example.org) [appeler](tel:+33123456789)"
    )
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(links)})
    assert build(content, tmp_path / "out") == 0
    pdf = (tmp_path / "out" / "booklet.pdf").read_bytes()
    assert b"javascript" not in pdf.lower() and b"file:" not in pdf


# ---------- 5. memory and time are bounded ----------


def test_yaml_aliases_of_a_long_string_are_refused_before_expanding(
    write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = "x" * 300_000
    aliases = ", ".join(["*a"] * 30_000)
    card = CARD.replace(
        "date: 2020-05-04\n", f"date: 2020-05-04\nsummary: &a {long}\ntags: [{aliases}]\n"
    )
    content = write_content({**SMALL_CONTENT, CARD_FILE: card})
    assert build(content, output) == 1
    err = capsys.readouterr().err
    assert "invalid YAML: aliases expand to over 1000000 characters" in err
    assert_untouched(output)


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG file that claims a huge picture (its pixels are never there)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(30_000, 30_000), (12_000, 12_000), (100_000, 500)])
def test_an_image_with_absurdly_many_pixels_is_refused(
    size: tuple[int, int],
    write_content: WriteContent,
    output: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with("![Une photo](photo.png)")})
    (content / "nos-cousins" / "photo.png").write_bytes(_png_header_only(*size))
    assert build(content, output) == 1
    err = capsys.readouterr().err
    width, height = size
    assert (
        f'{HOSTILE_LINE}: image "photo.png" is an image of {width} × {height} pixels;'
        " the limit is 40 million pixels"
    ) in err
    assert_untouched(output)


def test_raw_html_nested_beyond_what_a_layout_can_take_is_refused(
    write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = "<div>" * 200 + "x" + "</div>" * 200  # 2 KB; WeasyPrint fails past ~130
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(deep)})
    assert build(content, output) == 1
    err = capsys.readouterr().err
    assert f"{HOSTILE_LINE}: raw HTML nests 201 levels deep; the limit is 40" in err
    assert_untouched(output)


def test_more_html_than_can_be_read_in_time_is_refused_before_reading_it(
    write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The HTML parser's time grows with the square of the nesting: 100 000 nested <div>
    (a 1 MB card) would take hours."""
    deep = "<div>" * 100_000 + "x"
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(deep)})
    assert build(content, output) == 1
    err = capsys.readouterr().err
    assert f"{HOSTILE_LINE}: holds 100000 HTML tags; a card may hold 3000" in err
    assert_untouched(output)


def test_a_named_pipe_in_the_content_does_not_hang_the_build(
    write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with("![Une photo](tuyau.png)")})
    os.mkfifo(content / "nos-cousins" / "tuyau.png")
    assert build(content, output) == 1
    assert 'image "tuyau.png" is not a regular file' in capsys.readouterr().err


# ---------- 6. raw HTML cannot change the document ----------


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ('<meta name="author" content="Pirate">', "<meta> is not allowed in a card"),
        ('<meta name="keywords" content="pirate">', "<meta> is not allowed in a card"),
        ('<base href="file:///">', "<base> is not allowed in a card"),
        ("<title>Pirate</title>", "<title> is not allowed in a card"),
        ('<body class="cards-recto">', "<body> is not allowed in a card"),
        ('<html lang="en">', "<html> is not allowed in a card"),
        ("<script>alert(1)</script>", "<script> is not allowed in a card"),
        ("<style>body { display: none }</style>", "<style> is not allowed in a card"),
        ("<plaintext>", "<plaintext> is not allowed in a card"),
        ('<iframe src="https://example.org"></iframe>', "<iframe> is not allowed in a card"),
        ('<div class="card">x</div>', 'class "card" belongs to the booklet'),
        ('<span id="end-00C.002">x</span>', 'id "end-00C.002" belongs to the booklet'),
        ('<p style="position: fixed">x</p>', 'style "position" is not allowed in a card'),
        ("<p style=\"string-set: section 'Pirate'\">x</p>", 'style "string-set" is not allowed'),
    ],
)
def test_raw_html_cannot_reach_the_document(
    html: str,
    message: str,
    write_content: WriteContent,
    output: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(html)})
    assert build(content, output, "--html") == 1
    err = capsys.readouterr().err
    assert f"00C.001-programme-labo-pia.md:{HOSTILE_LINE}: {message}" in err
    assert_untouched(output)


@pytest.mark.parametrize(
    "html",
    [
        '<img alt="x" src="{uri}" src="ok.png">',  # the first src is the one laid out
        '<![CDATA[ > <img src="{uri}" alt="x"> ]]>',
        '<!--> <img src="{uri}" alt="x"> -->',
        '<?php > <img src="{uri}" alt="x"> ?>',
        "<span style=\"background: url('\\66 ile:{path}')\">x</span>",
        "<span style=\"background: \\75 rl('{uri}')\">x</span>",
    ],
)
def test_the_scan_reads_raw_html_as_the_layout_does(
    html: str,
    secret: Path,
    write_content: WriteContent,
    output: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = html.format(uri=secret.as_uri(), path=str(secret))
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(line)})
    Image.new("RGB", (10, 10)).save(content / "nos-cousins" / "ok.png")
    assert build(content, output, "--html", "--cards") == 1
    err = capsys.readouterr().err
    assert f"00C.001-programme-labo-pia.md:{HOSTILE_LINE}: " in err
    assert "outside the content folder" in err
    assert_untouched(output)


def test_unclosed_raw_html_stays_in_its_card(write_content: WriteContent, tmp_path: Path) -> None:
    content = write_content(
        {**SMALL_CONTENT, CARD_FILE: card_with("Début <b>gras jamais fermé</div></article>")}
    )
    assert build(content, tmp_path / "out", "--html") == 0
    from pdf_helpers import page_texts

    html = (tmp_path / "out" / "booklet.html").read_text()
    card = html[html.index('id="card-00C.001"') : html.index('id="card-00C.002"')]
    assert "<b>gras jamais fermé</b>" in card
    assert "</article>" in card and card.count("<article") == card.count("</article>")
    texts = page_texts(tmp_path / "out" / "booklet.pdf")
    assert any("gras jamais fermé" in text for text in texts)


# ---------- 7. all outputs or none ----------


def test_a_failure_at_the_card_stage_keeps_every_previous_output(
    small_content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out"
    output.mkdir()
    names = ("booklet.pdf", "booklet-print.pdf", "booklet-imposed.pdf", "booklet.html")
    previous = {name: f"previous {name}".encode() for name in names}
    for name, data in previous.items():
        (output / name).write_bytes(data)
    (output / "cards").write_text("a file where the cards' folder must go")
    options = ["--cards", "--print", "--impose", "booklet", "--html"]
    assert build(small_content, output, *options) == 1
    assert "cannot write" in capsys.readouterr().err
    for name, data in previous.items():
        assert (output / name).read_bytes() == data
    assert sorted(p.name for p in output.iterdir()) == sorted([*previous, "cards"])


def test_all_editions_are_written_together_or_not_at_all(
    write_content: WriteContent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    booklet = (
        "title: Essai\neditions:\n  - name: un\n    cards: [00C.001]\n"
        "  - name: deux\n    cards: [00C.002]\n"
    )
    content = write_content({**SMALL_CONTENT, "booklet.yml": booklet})
    output = tmp_path / "out"
    output.mkdir()
    (output / "un.pdf").write_bytes(PREVIOUS)
    from nomodel import pipeline

    laid_out = []
    real = pipeline.lay_out_booklet

    def second_fails(*args: object, **kwargs: object) -> object:
        laid_out.append(1)
        if len(laid_out) == 2:
            raise RuntimeError("the second edition fell over")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "lay_out_booklet", second_fails)
    assert build(content, output, "--all-editions") == 1
    assert (output / "un.pdf").read_bytes() == PREVIOUS
    assert sorted(p.name for p in output.iterdir()) == ["un.pdf"]


# ---------- 8. signals at any moment ----------


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_importing_gives_one_line_and_130(
    stop: signal.Signals, tmp_path: Path
) -> None:
    # The real command, held up while it imports WeasyPrint: that is where it is told to stop.
    script = (
        "import builtins, sys, time\n"
        "real = builtins.__import__\n"
        "def slow(name, *args, **kwargs):\n"
        "    if name == 'pydantic':\n"
        "        print('importing', flush=True); time.sleep(30)\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = slow\n"
        "sys.argv = ['build.py', 'check']\n"
        "exec(open('build.py').read())\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "importing"
    process.send_signal(stop)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err == "nomodel: interrupted; the previous outputs are as they were\n"


# ---------- 9. the project's own files fail loudly ----------


def test_a_nul_byte_in_an_image_path_is_a_content_error_among_others(
    write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    second = SECOND_CARD.replace("date: 2020-05-04", "date: 2020-02-30")
    files = {CARD_FILE: card_with("![x](x%00.png)"), "nos-cousins/00C.002-mission.md": second}
    content = write_content({**SMALL_CONTENT, **files})
    assert build(content, output) == 1
    err = capsys.readouterr().err
    assert f'{HOSTILE_LINE}: image "x%00.png" holds a NUL character' in err
    assert '"date" must be a real date' in err  # the other problems are still told
    assert_untouched(output)


def test_a_missing_font_file_is_named(tmp_path: Path) -> None:
    from nomodel.errors import ThemeError
    from nomodel.project import Theme, bundled_root
    from nomodel.theme import check_fonts

    styles = tmp_path / "styles"  # a project's own stylesheet and fonts
    (styles / "fonts").mkdir(parents=True)
    (styles / "fonts" / "broken.ttf").write_bytes(b"not a font")
    stylesheet = styles / "booklet.css"
    stylesheet.write_text(
        "p { margin: 0 }\n"
        '@font-face { font-family: "X"; src: url(fonts/missing.ttf); }\n'
        '@font-face { font-family: "Y"; src: url(fonts/broken.ttf); }\n'
    )
    with pytest.raises(ThemeError) as caught:
        check_fonts(Theme(tmp_path, bundled_root()))
    first, second = str(caught.value).splitlines()
    assert "booklet.css:2: font file fonts/missing.ttf not found" in first
    assert "booklet.css:3: font file fonts/broken.ttf cannot be read" in second


@pytest.mark.weasyprint_warnings  # the skipped declaration is what it reports
def test_a_css_mistake_in_the_theme_stops_the_build_with_its_line(
    small_content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    # The project of small_content is tmp_path: its styles/ override the bundled ones.
    styles = shutil.copytree(ROOT / "styles", tmp_path / "styles")
    css = styles / "booklet.css"
    css.write_text(css.read_text() + "\nh1 { colr: red }\n.card { margin: 0 }\n")
    line = len(css.read_text().splitlines()) - 1
    output = tmp_path / "out"
    assert build(small_content, output) == 1
    err = capsys.readouterr().err
    assert f"booklet.css:{line}:6: Ignored `colr: red" in err
    assert not output.exists()


# ---------- 10. one error model ----------


def test_the_same_mistake_gets_the_same_exit_code(
    small_content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = ["new", "card", "--section", "nope", "--title", "X", "--content", str(small_content)]
    assert main(new) == 2
    assert build(small_content, tmp_path / "out", "--section", "nope") == 2
    first, second = capsys.readouterr().err.splitlines()
    assert 'no section "nope"' in first and 'no section "nope"' in second


def test_a_read_failure_is_not_told_as_a_write_failure(
    small_content: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = Path.iterdir

    def unreadable(path: Path) -> object:
        if path == small_content:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "iterdir", unreadable)
    assert build(small_content, tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "Permission denied" in err and "cannot write" not in err


# ---------- found by trying as an attacker would ----------


@pytest.mark.parametrize(
    "injected",
    [
        "');position:fixed;top:0;left:0;width:30mm;height:30mm;background-color:red;z:url('",
        "');string-set:section'PIRATE',card-number'PIRATE';z:url('",
        '");position:fixed;z:url("',
        ") ;position:fixed;(",
    ],
)
def test_a_decorative_image_address_cannot_inject_css(
    injected: str, write_content: WriteContent, tmp_path: Path
) -> None:
    # In <…>, a CommonMark link destination may hold quotes and unbalanced parentheses.
    card = card_with(f"![décoratif][1]\n\n[1]: <filet.png?{injected}>")
    content = write_content({**SMALL_CONTENT, CARD_FILE: card})
    Image.new("RGB", (40, 4), "#222222").save(content / "nos-cousins" / "filet.png")
    assert build(content, tmp_path / "out", "--html") == 0
    html = (tmp_path / "out" / "booklet.html").read_text()
    card_html = html[html.index('id="card-00C.001"') : html.index('id="card-00C.002"')]
    styles = " ".join(re.findall(r'style="([^"]*)"', card_html))
    assert "position" not in styles and "string-set" not in styles
    from pdf_helpers import page_texts

    assert "PIRATE" not in "".join(page_texts(tmp_path / "out" / "booklet.pdf"))


def _use_bomb(levels: int = 8) -> str:
    defs = ['<rect id="l0" width="1" height="1"/>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#l{level - 1}"/>' for _ in range(10))
        defs.append(f'<g id="l{level}">{uses}</g>')
    return SVG.format("<defs>" + "".join(defs) + f'</defs><use href="#l{levels}"/>')


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("pi.svg", ("<?foo?>" + _use_bomb()).encode()),
        ("doctype.svg", ("<!DOCTYPE html>" + _use_bomb()).encode()),
        ("comment.svg", ("<!--" + "x" * 5000 + "-->" + _use_bomb()).encode()),
        ("utf16.svg", ('<?xml version="1.0" encoding="UTF-16"?>' + _use_bomb()).encode("utf-16")),
        ("named-as.png", _use_bomb().encode()),
    ],
)
def test_an_svg_is_checked_whatever_it_starts_with_or_is_named(
    name: str,
    data: bytes,
    write_content: WriteContent,
    output: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """WeasyPrint draws as SVG whatever Pillow cannot open and XML can read."""
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(f"![Un motif]({name})")})
    (content / "nos-cousins" / name).write_bytes(data)
    assert build(content, output) == 1
    assert "is an SVG that expands to over 200000 elements" in capsys.readouterr().err
    assert_untouched(output)


def test_svg_text_is_bounded(
    write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    svg = SVG.format('<text x="0" y="10">' + "mot " * 75_000 + "</text>")
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with("![Un texte](texte.svg)")})
    (content / "nos-cousins" / "texte.svg").write_text(svg)
    assert build(content, output) == 1
    assert "is an SVG that holds over 20000 characters of text" in capsys.readouterr().err


def test_one_picture_under_many_names_is_read_once_and_a_card_has_a_pixel_budget(
    write_content: WriteContent,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from nomodel import fetch

    names = "\n".join(f"![Photo {n}](photo.png?{n}) ![Photo](photo.png#{n})" for n in range(10))
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(names)})
    Image.new("RGB", (100, 100), "#335577").save(content / "nos-cousins" / "photo.png")
    assert build(content, tmp_path / "out", "--html") == 0
    html = (tmp_path / "out" / "booklet.html").read_text()
    assert "photo.png?" not in html and "photo.png#" not in html  # one URL: decoded once

    monkeypatch.setattr(fetch, "MAX_CARD_PIXELS", 25_000)
    Image.new("RGB", (100, 100), "#553377").save(content / "nos-cousins" / "autre.png")
    Image.new("RGB", (100, 100), "#775533").save(content / "nos-cousins" / "encore.png")
    more = f"{names}\n\n![Autre](autre.png) ![Encore](encore.png)"
    (content / CARD_FILE).write_text(card_with(more))
    assert build(content, tmp_path / "out2") == 1
    err = capsys.readouterr().err
    assert 'image "encore.png" brings the card\'s images to 30000 pixels' in err


def test_a_tiny_file_claiming_millions_of_pixels_is_refused(
    write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with("![Photo](photo.png)")})
    (content / "nos-cousins" / "photo.png").write_bytes(_png_header_only(6000, 6000))
    assert build(content, output) == 1
    assert "claims 36000000 pixels in" in capsys.readouterr().err


def test_a_named_pipe_as_booklet_yml_does_not_hang(tmp_path: Path, small_content: Path) -> None:
    (small_content / "booklet.yml").unlink()
    os.mkfifo(small_content / "booklet.yml")
    command = [sys.executable, "build.py", "check", "--content", str(small_content)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "missing booklet.yml" in done.stderr


def test_a_hard_link_is_refused(
    secret: Path, write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hard link's other name may be any file of the machine on the same disk."""
    attach = '<a rel="attachment" href="notes.txt">notes</a>'
    content = write_content({**SMALL_CONTENT, CARD_FILE: card_with(attach)})
    os.link(secret, content / "nos-cousins" / "notes.txt")
    assert build(content, output, "--cards") == 1
    assert '"notes.txt" is a hard link to a file: copy the file instead' in capsys.readouterr().err
    assert_untouched(output)


def test_a_link_too_long_for_a_qr_code_is_a_content_error(
    write_content: WriteContent, output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "https://example.org/" + "a" * 5000
    card = CARD.replace("---\nDans", f"links:\n  - label: Long\n    url: {url}\n---\nDans")
    content = write_content({**SMALL_CONTENT, CARD_FILE: card})
    assert build(content, output, "--qr") == 1
    err = capsys.readouterr().err
    assert "00C.001-programme-labo-pia.md:10: link " in err
    assert "is too long for a QR code (5020 characters)" in err
    assert_untouched(output)
