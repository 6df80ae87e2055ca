"""What a build tells its user, the same from ``nomodel build`` and ``nomodel watch``: the one
line that sums up a booklet's outputs, and the problems that stopped a build."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from .errors import display_path

if TYPE_CHECKING:
    from .pipeline import BuildResult


def summary(result: BuildResult) -> str:
    """``8 pages, 2 cards, 0.3 s → output/booklet.pdf, output/cards/ (2 PDFs)``."""
    cards = f"{result.cards} card{'s' if result.cards != 1 else ''}"
    return f"{result.pages} pages, {cards}, {result.seconds:.1f} s → {outputs(result)}"


def outputs(result: BuildResult) -> str:
    """The files written, a card's PDFs shown as their folder."""
    cards = [path for path in result.outputs if path.parent.name == "cards"]
    shown = [display_path(path) for path in result.outputs if path not in cards]
    if cards:
        shown.append(f"{display_path(cards[0].parent)}/ ({len(cards)} PDFs)")
    return ", ".join(shown)


def say(stream: TextIO, lines: Sequence[str]) -> None:
    for line in lines:
        print(line, file=stream, flush=True)  # piped output is block-buffered: flush each line
