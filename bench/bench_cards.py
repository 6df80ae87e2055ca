"""What exporting every card costs next to laying the booklet out once.

    python bench/bench_cards.py [--cards 100]

Builds a generated content folder (bench/make_content.py), lays it out once, then cuts and
writes each card as its own PDF (PDF/A-3a, tagged), and prints the seconds of each step.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_content import make_content
from nomodel.cards import cut_cards
from nomodel.compose import compose
from nomodel.layout import LayoutOptions, SandboxedFetcher, lay_out, trimmed
from nomodel.paper import CARD_VARIANT
from nomodel.pipeline import check, resource_policy, version_time
from nomodel.write import pdf_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        content = make_content(Path(folder) / "content", args.cards)
        rendered = check(content)
        html = compose(rendered, version_time(content))

        started = time.perf_counter()
        document = lay_out(
            html, content, LayoutOptions(), SandboxedFetcher(resource_policy(content))
        )
        layout = time.perf_counter() - started

        started = time.perf_counter()
        booklet = pdf_bytes(trimmed(document), None)
        booklet_pdf = time.perf_counter() - started

        started = time.perf_counter()
        sizes = [
            len(pdf_bytes(single, CARD_VARIANT))
            for _, single in cut_cards(trimmed(document), rendered.content)
        ]
        cards = time.perf_counter() - started

    print(f"{len(document.pages)} pages, {args.cards} cards")
    print(f"layout of the booklet (once):      {layout:6.2f} s")
    print(f"booklet.pdf written:               {booklet_pdf:6.2f} s ({len(booklet) / 1e6:.1f} MB)")
    print(
        f"{args.cards} card PDFs cut and written:  {cards:6.2f} s ({sum(sizes) / 1e6:.1f} MB,"
        f" {1000 * cards / args.cards:.0f} ms a card)"
    )


if __name__ == "__main__":
    main()
