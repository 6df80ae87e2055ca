"""A large generated content folder builds (its speed is measured in bench/, not here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pdf_helpers import page_texts

from bench.make_content import make_content
from nomodel.cli import main


@pytest.mark.scale  # run by .ci/run: python -m pytest -m scale
def test_500_cards_build(tmp_path: Path) -> None:
    content = make_content(tmp_path / "content", cards=500, paragraphs=1)
    assert main(["build", "--content", str(content), "--output", str(tmp_path / "out")]) == 0
    texts = page_texts(tmp_path / "out" / "booklet.pdf")
    assert len(texts) % 4 == 0
    bands = re.findall(r"\( No Model \)\s*N°\. (\d\d[A-Z]\.\d{3})", "\n".join(texts))
    assert len(bands) == len(set(bands)) == 500
