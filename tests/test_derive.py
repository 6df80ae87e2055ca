"""The outputs made from the written booklet, on the worker processes (derive.py)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from nomodel.cards import CardInfo
from nomodel.derive import Wanted, _slices, derive
from nomodel.errors import OutputError
from nomodel.preflight import Preflight
from nomodel.trim import trimmed
from nomodel.workers import Workers


def pdf_with(pages: int, bleed: float) -> bytes:
    with pikepdf.new() as document:
        for _ in range(pages):
            page = document.add_blank_page(page_size=(100 + 2 * bleed, 100 + 2 * bleed))
            page.trimbox = [bleed, bleed, 100 + bleed, 100 + bleed]
        output = BytesIO()
        document.save(output, deterministic_id=True)
        return output.getvalue()


def test_each_output_is_written_by_its_worker_and_answers_come_in_order(tmp_path: Path) -> None:
    masters = [pdf_with(pages, 9.0) for pages in (1, 2, 3, 4, 5)]
    calls: list[tuple[Any, ...]] = [
        ("trim", master, tmp_path, f"b{i}.pdf") for i, master in enumerate(masters)
    ]
    calls.insert(2, ("print", masters[0], tmp_path, "b-print.pdf", 3.0, ()))
    workers = Workers(2)
    try:
        answers = workers.map("derive", calls)
    finally:
        workers.close()
    assert [isinstance(answer, Preflight) for answer in answers] == [0, 0, 1, 0, 0, 0]
    assert answers.count(None) == 5
    for i, master in enumerate(masters):
        assert (tmp_path / f"b{i}.pdf").read_bytes() == trimmed(master)
    with pikepdf.open(tmp_path / "b2.pdf") as third:
        assert len(third.pages) == 3
        assert [float(v) for v in third.pages[0].mediabox] == [9, 9, 109, 109]
    with pikepdf.open(tmp_path / "b-print.pdf") as printable:
        assert len(printable.pages) == 1


def test_an_error_in_a_worker_is_raised_here_and_the_workers_start_anew(tmp_path: Path) -> None:
    workers = Workers(2)
    try:
        with pytest.raises(pikepdf.PdfError):
            calls = [("trim", pdf_with(2, 3.0), tmp_path, "a.pdf")]
            workers.map("derive", [*calls, ("trim", b"not a PDF", tmp_path, "b.pdf")])
        assert workers._all == []  # stopped: one may still have owed an answer
        workers.map("derive", [("trim", pdf_with(1, 3.0), tmp_path, "c.pdf")])  # started again
        assert (tmp_path / "c.pdf").is_file()
    finally:
        workers.close()


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_output_that_cannot_be_written_is_told_with_its_name(tmp_path: Path, jobs: int) -> None:
    """A worker writes what it made into the staging folder: a full disk, a read-only
    folder or a file in the way is an OutputError naming the output, as in this process."""
    staging = tmp_path / "out" / ".nomodel-staging-x"
    (staging / "livret-print.pdf").mkdir(parents=True)  # a folder in the way
    wanted = Wanted("livret", False, 3.0, True, None, (), None, ())
    workers = Workers(jobs)
    with pytest.raises(OutputError, match=r"cannot write \S*out/livret-print\.pdf: Is a dir"):
        derive(pdf_with(1, 3.0), wanted, workers, staging)
    assert (staging / "livret.pdf").is_file()  # the staging folder is the caller's to discard


@pytest.mark.parametrize(
    ("cards", "jobs", "sizes"),
    [(0, 2, []), (1, 2, [1]), (5, 2, [2, 3]), (7, 3, [2, 2, 3]), (3, 8, [1, 1, 1])],
)
def test_cards_are_cut_in_one_slice_per_worker(cards: int, jobs: int, sizes: list[int]) -> None:
    infos = tuple(CardInfo(f"00A.{i:03}", f"Fiche {i}", "", ()) for i in range(cards))
    slices = _slices(infos, jobs)
    assert [len(part) for part in slices] == sizes
    assert [card for part in slices for card in part] == list(infos)
