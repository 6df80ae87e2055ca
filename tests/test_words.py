"""Words that print whole (issue 12, points 3 and 4): no hyphen inside a domain name, an
acronym, a word in capitals or with digits; no no-break space tying a word to a long
unbreakable run. Measured on the text of the PDF, where the words land at every place of a
line in turn."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import WriteContent
from pdf_helpers import page_texts
from samples import CARD, SMALL_CONTENT

from nomodel import markdown_html
from nomodel.cli import main

CARD_FILE = "nos-cousins/00C.001-programme-labo-pia.md"
WHOLE = (
    "mesdroitssociaux.gouv.fr",
    "1jeune1solution.gouv.fr",
    "DINUM",
    "COVID19",
    "INTERMINISTÉRIELLE",
    "lab23",
)
# The same sentence, pushed one word further each time, so that every word of it ends a
# line somewhere in the card.
SENTENCE = (
    "La plateforme mesdroitssociaux.gouv.fr de la DINUM, ouverte pendant le COVID19 avec "
    "1jeune1solution.gouv.fr et la DÉLÉGATION INTERMINISTÉRIELLE, rejoint le lab23 à "
    "contact.presse@mesdroitssociaux.gouv.fr pour les démarches."
)
PARAGRAPHS = "\n\n".join("Ceci " * shift + SENTENCE for shift in range(24))


def build(content: Path, output: Path, *options: str) -> Path:
    assert main(["build", "--content", str(content), "--output", str(output), *options]) == 0
    return output


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("words")
    content = root / "content"
    for name, text in {**SMALL_CONTENT, CARD_FILE: CARD + "\n" + PARAGRAPHS + "\n"}.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, "utf-8")
    return "\n".join(page_texts(build(content, root / "out") / "booklet.pdf"))


def hyphenated(word: str, text: str) -> list[str]:
    """The places where ``word`` was cut at a line's end with a hyphen added."""
    return [
        f"{word[:i]}‐|{word[i:]}"
        for i in range(2, len(word) - 1)
        for hyphen in ("‐", "-")
        if f"{word[:i]}{hyphen}\n{word[i:]}" in text and word[i - 1] != "-"
    ]


def test_these_words_are_never_hyphenated(printed: str) -> None:
    assert printed.count("DINUM") == 24  # every paragraph is there
    for word in WHOLE:
        assert hyphenated(word, printed) == [], word


def test_without_the_rule_they_would_be(
    tmp_path: Path, write_content: WriteContent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test above can fail: with the words left to hyphenation, some are cut."""
    monkeypatch.setattr(markdown_html, "whole_words_plugin", lambda md: None)
    content = write_content({**SMALL_CONTENT, CARD_FILE: CARD + "\n" + PARAGRAPHS + "\n"})
    text = "\n".join(page_texts(build(content, tmp_path / "out") / "booklet.pdf"))
    assert any(hyphenated(word, text) for word in WHOLE)


def test_a_long_address_is_not_tied_to_the_word_before_it(
    tmp_path: Path, write_content: WriteContent
) -> None:
    body = "Écrire à contact.presse@mesdroitssociaux.gouv.fr ou à la DINUM : lab23."
    content = write_content({**SMALL_CONTENT, CARD_FILE: CARD + "\n" + body + "\n"})
    html = (build(content, tmp_path / "out", "--html") / "booklet.html").read_text()
    assert "Écrire à <a " in html  # a plain space: "à" may end a line
    assert "ou à\u00a0la" in html  # a short word stays tied
    assert "DINUM</span>\u00a0:" in html  # the colon's no-break space is kept


def test_no_line_is_a_lone_short_word(printed: str) -> None:
    lone = [line for line in printed.splitlines() if line.strip() in {"à", "le", "la", "de"}]
    assert lone == []
