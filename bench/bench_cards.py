"""What exporting every card costs next to laying the booklet out once.

    python bench/bench_cards.py [--cards 100]

Builds a generated content folder (bench/make_content.py) in the cards' variant (PDF/A-3a,
tagged, as ``build --cards`` does), then cuts every card's PDF out of it (cards.py), and prints
the seconds of each step.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_content import make_content
from nomodel.cards import CardInfo, cut_cards
from nomodel.checks import check
from nomodel.paper import CARD_VARIANT
from nomodel.pipeline import BuildOptions, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        content = make_content(Path(folder) / "content", args.cards)
        rendered = check(content)
        output = Path(folder) / "output"
        options = BuildOptions(output_dir=output, pdf_variant=CARD_VARIANT, cache=False)
        started = time.perf_counter()
        (result,) = build(content, options)
        seconds = time.perf_counter() - started
        booklet = (output / "booklet.pdf").read_bytes()

        print(f"{result.pages} pages, {args.cards} cards")
        print(f"booklet.pdf laid out and written ({CARD_VARIANT}): {seconds:6.2f} s")
        started = time.perf_counter()
        cards = [CardInfo.of(card) for card in rendered.content.cards]
        sizes = [len(pdf) for pdf in cut_cards(booklet, cards, rendered.content.booklet.subject)]
        seconds = time.perf_counter() - started
        print(
            f"{args.cards} card PDFs cut: {seconds:6.2f} s"
            f" ({sum(sizes) / 1e6:.1f} MB, {1000 * seconds / args.cards:.0f} ms a card)"
        )


if __name__ == "__main__":
    main()
