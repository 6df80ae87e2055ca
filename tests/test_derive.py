"""The outputs made from the written booklet (derive.py)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pikepdf
import pytest

from nomodel.derive import Wanted, derive
from nomodel.errors import OutputError
from nomodel.preflight import Preflight
from nomodel.trim import trimmed


def pdf_with(pages: int, bleed: float) -> bytes:
    with pikepdf.new() as document:
        for _ in range(pages):
            page = document.add_blank_page(page_size=(100 + 2 * bleed, 100 + 2 * bleed))
            page.trimbox = [bleed, bleed, 100 + bleed, 100 + bleed]
        output = BytesIO()
        document.save(output, deterministic_id=True)
        return output.getvalue()


def test_each_output_is_made_from_the_master_and_written(tmp_path: Path) -> None:
    master = pdf_with(3, 9.0)
    wanted = Wanted("livret", True, 9.0, True, (842.0, 595.0), (), None, ())
    made = derive(master, wanted, tmp_path)
    assert made.files == ["livret.pdf", "livret-print.pdf", "livret-imposed.pdf"]
    assert isinstance(made.report, Preflight)
    assert (tmp_path / "livret.pdf").read_bytes() == trimmed(master)
    with pikepdf.open(tmp_path / "livret-print.pdf") as printable:
        assert len(printable.pages) == 3
    with pikepdf.open(tmp_path / "livret.pdf") as booklet:
        assert [float(v) for v in booklet.pages[0].mediabox] == [9, 9, 109, 109]


def test_an_output_that_cannot_be_written_is_told_with_its_name(tmp_path: Path) -> None:
    """A full disk, a read-only folder or a file in the way is an OutputError naming the
    output."""
    staging = tmp_path / "out" / ".nomodel-staging-x"
    (staging / "livret-print.pdf").mkdir(parents=True)  # a folder in the way
    wanted = Wanted("livret", False, 3.0, True, None, (), None, ())
    with pytest.raises(OutputError, match=r"cannot write \S*out/livret-print\.pdf: Is a dir"):
        derive(pdf_with(1, 3.0), wanted, staging)
    assert (staging / "livret.pdf").is_file()  # the staging folder is the caller's to discard
