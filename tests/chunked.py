"""A small folder laid out in several chunks, and its builds: what the tests of the chunked
layout (test_chunks.py) and of its cache (test_chunk_cache.py) share. The conftest's
``chunked_folders`` fixture makes the folders, with chunks of two cards."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from PIL import Image

from bench.make_content import make_content
from nomodel import pipeline

CARDS = 7


def chunked_content(root: Path, cards_start: str) -> Path:
    content = root / "content"
    make_content(content, CARDS, 2, 1, 0)
    (content / "booklet.yml").write_text(
        f"title: Essai en morceaux\ncards_start: {cards_start}\n"
        "editions:\n  - name: courte\n    title: Courte\n    sections: [section-a]\n"
    )
    # Cross-references forward and backward, across chunks: their « p. N » are injected.
    cards = sorted(content.rglob("00*.md"))
    first, last = cards[0], cards[-1]
    number = re.compile(r"^number: (\S+)$", re.MULTILINE)
    append(first, f"\nVoir [la dernière fiche]({number.search(last.read_text()).group(1)}).\n")
    append(last, f"\nVoir [la première fiche]({number.search(first.read_text()).group(1)}).\n")
    # An image below print resolution in the last chunk: preflight names its booklet page.
    Image.new("RGB", (300, 200), "#884422").save(content / "basse.png")
    append(last, f"\n![Atelier]({os.path.relpath(content / 'basse.png', last.parent)})\n")
    return content


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def build(content: Path, out: Path, **options: object) -> pipeline.BuildResult:
    defaults = {"jobs": 1, "cache": False}
    built = pipeline.build(
        content, pipeline.BuildOptions(output_dir=out, **{**defaults, **options})
    )
    return built[0]


def copied(content: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of ``content`` to edit, and an output folder for it."""
    return shutil.copytree(content, tmp_path / "content"), tmp_path / "out"
