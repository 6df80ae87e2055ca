"""The outputs made from the written booklet, on the worker processes (derive.py)."""

from __future__ import annotations

from io import BytesIO

import pikepdf
import pytest

from nomodel.cards import CardInfo
from nomodel.derive import _slices
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


def test_answers_come_in_the_order_of_the_calls_from_two_processes() -> None:
    masters = [pdf_with(pages, 9.0) for pages in (1, 2, 3, 4, 5)]
    workers = Workers(2)
    try:
        answers = workers.map("derive", [("trim", master) for master in masters])
        assert answers == [trimmed(master) for master in masters]
        with pikepdf.open(BytesIO(answers[2])) as third:
            assert len(third.pages) == 3
            assert [float(v) for v in third.pages[0].mediabox] == [9, 9, 109, 109]
    finally:
        workers.close()


def test_an_error_in_a_worker_is_raised_here_and_the_workers_start_anew() -> None:
    workers = Workers(2)
    try:
        with pytest.raises(pikepdf.PdfError):
            workers.map("derive", [("trim", pdf_with(2, 3.0)), ("trim", b"not a PDF")])
        assert workers._all == []  # stopped: one may still have owed an answer
        assert workers.map("derive", [("trim", pdf_with(1, 3.0))])  # and started again
    finally:
        workers.close()


@pytest.mark.parametrize(
    ("cards", "jobs", "sizes"),
    [(0, 2, []), (1, 2, [1]), (5, 2, [2, 3]), (7, 3, [2, 2, 3]), (3, 8, [1, 1, 1])],
)
def test_cards_are_cut_in_one_slice_per_worker(cards: int, jobs: int, sizes: list[int]) -> None:
    infos = tuple(CardInfo(f"00A.{i:03}", f"Fiche {i}", "", ()) for i in range(cards))
    slices = _slices(infos, jobs)
    assert [len(part) for part in slices] == sizes
    assert [card for part in slices for card in part] == list(infos)
