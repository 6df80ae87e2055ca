"""Safe and sturdy builds: nothing outside the project is read, failures leave no half file."""

from __future__ import annotations

import errno
import http.server
import io
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from conftest import WriteContent
from pdf_helpers import page_texts
from PIL import Image
from pypdf import PdfReader
from samples import CARD, PREVIOUS, SECRET, SMALL_CONTENT

from nomodel import pipeline
from nomodel.cli import main
from nomodel.fetch import ResourcePolicy
from nomodel.layout import SandboxedFetcher
from nomodel.preflight import pdf_fonts

ROOT = Path(__file__).resolve().parent.parent
CARD_FILE = "nos-cousins/00C.001-programme-labo-pia.md"


def hostile(secret: Path, content: Path) -> dict[str, str]:
    """Ways a card can try to read the secret or the network, by name."""
    uri = secret.as_uri()
    link = content / "nos-cousins" / "lien.png"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret)
    return {
        "relative path": "![Notes](../../private/notes.txt)",
        "file URL": f"![Notes]({uri})",
        "symbolic link": "![Notes](lien.png)",
        "raw img": f'<img src="{uri}" alt="notes">',
        "attachment": f'<a rel="attachment" href="{uri}">notes</a>',
        "style url": f"<span style=\"background: url('{uri}')\">x</span>",
        "stylesheet": f'<link rel="stylesheet" href="{uri}">',
        "css import": f'<style>@import "{uri}";</style>',
        "object": f'<object data="{uri}"></object>',
        "network": "![Logo](http://127.0.0.1:9/logo.png)",
        "big data URL": "![Gros](data:image/png;base64," + "A" * 1_100_000 + ")",
    }


@pytest.mark.parametrize(
    "attack",
    [
        "relative path",
        "file URL",
        "symbolic link",
        "raw img",
        "attachment",
        "style url",
        "stylesheet",
        "css import",
        "object",
        "network",
        "big data URL",
    ],
)
def test_hostile_resources_are_refused_with_file_and_line(
    attack: str,
    secret: Path,
    write_content: WriteContent,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    content = write_content(SMALL_CONTENT)
    line = f"Un paragraphe.\n\n{hostile(secret, content)[attack]}\n"
    (content / CARD_FILE).write_text(CARD + "\n" + line, "utf-8")
    output = tmp_path / "output"
    output.mkdir()
    (output / "booklet.pdf").write_bytes(PREVIOUS)

    assert main(["build", "--content", str(content), "--output", str(output), "--cards"]) == 1
    err = capsys.readouterr().err
    assert "00C.001-programme-labo-pia.md:13: " in err
    reasons = ("outside the content folder", "network", "1 MB", "is not allowed in a card")
    assert any(reason in err for reason in reasons), err
    assert (output / "booklet.pdf").read_bytes() == PREVIOUS
    for written in output.rglob("*"):
        assert not contains_secret(written.read_bytes())


@pytest.mark.weasyprint_warnings  # the refused attachment
def test_the_fetcher_itself_refuses_what_a_check_would_miss(secret: Path, tmp_path: Path) -> None:
    """The last line of defence: WeasyPrint would embed the file as an attachment."""
    html = f'<p><a rel="attachment" href="{secret.as_uri()}">notes</a></p>'
    assert contains_secret(weasyprint.HTML(string=html).write_pdf())  # the danger is real

    fetcher = SandboxedFetcher(ResourcePolicy((tmp_path / "content",)))
    assert not contains_secret(weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf())
    assert fetcher.refused == {secret.as_uri(): "is outside the content folder"}


def contains_secret(data: bytes) -> bool:
    """Whether the secret is in the bytes, or in any stream of them once decompressed."""
    if SECRET.encode() in data:
        return True
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(data))
    except pikepdf.PdfError:
        return False  # not a PDF (the placeholder of a previous build): its bytes were searched
    with pdf:
        return any(
            SECRET.encode() in obj.read_bytes()
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream)
        )


@pytest.fixture
def image_server(tmp_path: Path) -> Iterator[str]:
    """An HTTP server on the loopback address, serving one PNG."""
    folder = tmp_path / "served"
    folder.mkdir()
    Image.new("RGB", (600, 400), "#335577").save(folder / "logo.png")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/logo.png"
    server.shutdown()


def test_network_images_only_with_allow_remote(
    image_server: str, write_content: WriteContent, tmp_path: Path
) -> None:
    card = CARD + f"\n![Le logo]({image_server})\n"
    content = write_content({**SMALL_CONTENT, CARD_FILE: card})
    assert main(["build", "--content", str(content), "--output", str(tmp_path / "a")]) == 1
    options = ["--output", str(tmp_path / "b"), "--allow-remote"]
    assert main(["build", "--content", str(content), *options]) == 0
    page = PdfReader(tmp_path / "b" / "booklet.pdf").pages[4]
    assert any(
        x.get_object()["/Subtype"] == "/Image" for x in page["/Resources"]["/XObject"].values()
    )


def test_awkward_but_valid_input_builds(write_content: WriteContent, tmp_path: Path) -> None:
    long_word = "Anticonstitutionnellementissimementextraordinairementinterminable" * 2
    long_url = "https://example.org/" + "tres-long-chemin/" * 12 + "fin"
    paragraphs = "\n\n".join(f"Paragraphe {n}\tavec une tabulation." for n in range(60))
    card = (
        "\ufeff---\r\nnumber: 00C.001\r\ntitle: Emoji 😀 et symboles ☎ ✓\r\n"
        "date: 2020-05-04\r\ntags: []\r\nlinks: []\r\ntestimonies: []\r\n---\r\n"
        f"{long_word} {long_url} {'z' * 90} `{'x' * 90}`\r\n\r\n" + paragraphs.replace("\n", "\r\n")
    )
    content = write_content({**SMALL_CONTENT, CARD_FILE: card.encode()})
    assert main(["build", "--content", str(content), "--output", str(tmp_path)]) == 0
    texts = page_texts(tmp_path / "booklet.pdf")
    card_pages = [i for i, t in enumerate(texts) if "N°. 00C.001" in t and "SOMMAIRE" not in t]
    # 60 paragraphs flow over several pages; the band is only on the first
    assert len(card_pages) > 2
    assert sum("( No Model )" in texts[i] for i in card_pages) == 1
    assert "Paragraphe 59" in "".join(texts)
    assert "😀" in texts[card_pages[0]] and "☎" in texts[card_pages[0]]
    assert "TÉMOIGNAGE" not in "".join(texts[i] for i in card_pages)  # no testimonies
    fonts = pdf_fonts(pikepdf.open(tmp_path / "booklet.pdf"))
    assert all(font.embedded for font in fonts)
    bundled = ("Old-Standard", "Courier-Prime", "DejaVuSerif", "Symbola")
    assert all(font.name.startswith(bundled) for font in fonts), fonts
    assert_nothing_runs_off_the_page(tmp_path / "booklet.pdf", card_pages[0])


def assert_nothing_runs_off_the_page(pdf: Path, index: int) -> None:
    """The outer margin of the page (right on a right-hand page) has no ink in the body."""
    import pypdfium2

    image = pypdfium2.PdfDocument(pdf)[index].render(scale=2).to_pil().convert("L")
    width, height = image.size
    outer = range(width - 20, width) if index % 2 == 0 else range(20)  # page 1 is index 0
    for x in outer:
        for y in range(height // 5, 4 * height // 5):
            assert image.getpixel((x, y)) > 200, f"ink at ({x}, {y}) in the margin"


def test_a_character_no_bundled_font_has_is_reported(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    card = CARD.replace("Dans le cadre", "Dans le 漢 cadre")
    content = write_content({**SMALL_CONTENT, CARD_FILE: card})
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert '00C.001-programme-labo-pia.md:9: character "漢" (U+6F22' in err


def test_a_failing_stage_leaves_the_previous_pdf(
    small_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    (tmp_path / "booklet.pdf").write_bytes(PREVIOUS)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the layout engine fell over")

    monkeypatch.setattr(pipeline, "lay_out_booklet", broken)
    assert main(["build", "--content", str(small_content), "--output", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "the layout engine fell over" in err and "Traceback" not in err
    assert (tmp_path / "booklet.pdf").read_bytes() == PREVIOUS


def test_a_full_disk_leaves_the_previous_pdf_and_no_temporary_file(
    small_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    (tmp_path / "booklet.pdf").write_bytes(PREVIOUS)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    assert main(["build", "--content", str(small_content), "--output", str(tmp_path)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert (tmp_path / "booklet.pdf").read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["booklet.pdf", "content"]


def test_sigterm_while_writing_keeps_the_previous_pdf(small_content: Path, tmp_path: Path) -> None:
    (tmp_path / "booklet.pdf").write_bytes(PREVIOUS)
    # The real command, slowed down at the moment the PDF is being written to disk.
    script = (
        "import os, sys, time\n"
        "def slow(fd):\n"
        "    print('writing', flush=True); time.sleep(30)\n"
        "os.fsync = slow\n"
        "from nomodel.entry import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    command = [
        sys.executable,
        "-c",
        script,
        "--content",
        str(small_content),
        "--output",
        str(tmp_path),
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "writing"
    staged = [p for p in tmp_path.iterdir() if p.name.startswith(".nomodel-staging-")]
    assert staged and any(staged[0].iterdir())  # half a file is there
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert (tmp_path / "booklet.pdf").read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["booklet.pdf", "content"]
