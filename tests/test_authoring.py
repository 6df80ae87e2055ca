"""The author's loop: editions, quick proofs, the HTML, progress and timings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import WriteContent
from pdf_helpers import MM, page_texts
from pypdf import PdfReader
from samples import CARD, SMALL_CONTENT

from nomodel import pipeline
from nomodel.cli import main

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = """\
title: Essai
editions:
  - name: atelier
    title: Pour l’atelier
    cards: [00C.002]
    format: A6
  - name: formation
    tags: [formation]
"""


@pytest.fixture
def with_editions(write_content: WriteContent) -> Path:
    tagged = CARD.replace("date: 2020-05-04", "date: 2020-05-04\ntags: [formation]")
    return write_content(
        {
            **SMALL_CONTENT,
            "booklet.yml": EDITIONS,
            "nos-cousins/00C.001-programme-labo-pia.md": tagged,
        }
    )


def build(content: Path, output: Path, *options: str) -> int:
    return main(["build", "--content", str(content), "--output", str(output), *options])


def test_an_edition_is_its_own_booklet(with_editions: Path, tmp_path: Path) -> None:
    assert build(with_editions, tmp_path / "out", "--edition", "atelier") == 0
    pdf = tmp_path / "out" / "atelier.pdf"
    text = "".join(page_texts(pdf))
    assert "Pour l’atelier" in text and "00C.002" in text and "00C.001" not in text
    page = PdfReader(pdf).pages[0]
    assert (round(page.mediabox.width / MM), round(page.mediabox.height / MM)) == (105, 148)
    assert len(PdfReader(pdf).pages) % 4 == 0


def test_all_editions_from_one_load(
    with_editions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = []
    real_check = pipeline.check
    monkeypatch.setattr(pipeline, "check", lambda *a, **k: loads.append(1) or real_check(*a, **k))
    assert build(with_editions, tmp_path / "out", "--all-editions") == 0
    assert loads == [1]
    formation = "".join(page_texts(tmp_path / "out" / "formation.pdf"))
    assert "00C.001" in formation and "00C.002" not in formation
    assert (tmp_path / "out" / "atelier.pdf").exists()


def test_unknown_edition_lists_the_known_ones(
    with_editions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(with_editions, tmp_path / "out", "--edition", "atelierr") == 2
    assert 'no edition "atelierr" (the editions are: atelier, formation)' in capsys.readouterr().err


def test_an_edition_must_name_real_cards(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    content = write_content(
        {**SMALL_CONTENT, "booklet.yml": EDITIONS.replace("00C.002", "00C.009")}
    )
    assert main(["check", "--content", str(content)]) == 1
    assert 'booklet.yml:5: edition "atelier": no card 00C.009' in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "expected"),
    [(("--only", "00C.002"), ["00C.002"]), (("--section", "nos-cousins"), ["00C.001", "00C.002"])],
)
def test_quick_proofs(
    option: tuple[str, ...], expected: list[str], small_content: Path, tmp_path: Path
) -> None:
    assert build(small_content, tmp_path, *option) == 0
    texts = page_texts(tmp_path / "proof.pdf")
    assert texts[0].startswith("N°. 00C\n( Nos cousins )")  # the divider, no cover
    numbers = re.findall(r"\( No Model \) N°\. (\S+)", "".join(texts))
    assert numbers == expected
    assert "SOMMAIRE" not in "".join(texts) and "COLOPHON" not in "".join(texts)


def test_html_is_written_with_its_styles_linked(small_content: Path, tmp_path: Path) -> None:
    assert build(small_content, tmp_path, "--html") == 0
    html = (tmp_path / "booklet.html").read_text("utf-8")
    assert f'href="{(ROOT / "styles" / "booklet.css").as_uri()}"' in html
    assert "Programme labo PIA" in html and '<html lang="fr">' in html


def run(*args: str, tty: bool = False) -> str:
    command = [sys.executable, str(ROOT / "build.py"), *args]
    if tty:
        return _on_a_terminal(command)
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    return done.stdout


def _on_a_terminal(command: list[str]) -> str:
    """What ``command`` shows when its output is a terminal, as in a person's shell (a
    pseudo-terminal from the standard library: no script(1), which differs between systems)."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=follower, stderr=follower, cwd=ROOT)
    os.close(follower)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the command has ended and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return shown.decode("utf-8", "replace")


def test_quiet_verbose_and_plain_output(small_content: Path, tmp_path: Path) -> None:
    base = ("--content", str(small_content), "--output", str(tmp_path))
    assert run(*base, "--quiet") == ""
    verbose = run(*base, "--verbose")
    for stage in ("load and check the content", "lay out booklet", "write booklet.pdf"):
        assert re.search(rf"^  {stage}: \d+\.\d\d s$", verbose, re.M)
    plain = run(*base)
    assert "\x1b" not in plain and plain.startswith("8 pages, 2 cards, ")


def test_a_terminal_gets_a_live_progress_display(small_content: Path, tmp_path: Path) -> None:
    shown = run("--content", str(small_content), "--output", str(tmp_path), tty=True)
    assert "\x1b[" in shown and "lay out booklet" in shown  # redrawn in place
    assert "8 pages, 2 cards, " in shown
