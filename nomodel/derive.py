"""The outputs made from the written booklet, side by side on the layout's worker processes.

The booklet is written once (engine.py), with its bleed when a print PDF is asked for (the
master); everything else is made from that master by qpdf (pikepdf): the plain booklet cut at
the trim, the print PDF with its crop marks and preflight, the imposition, the card PDFs.
None depends on another, so each is a call sent to the first worker free, the cards in one
slice per worker, the longest calls first; each worker opens the master itself. With one job
they run one after the other in this process, as they did before. Measured at 500 cards
(1212 pages), these took 12.5 s one after the other on one core while the other idled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .cards import CardInfo, cut_cards
from .impose import impose
from .preflight import LowResImage, Preflight, preflight
from .print_pdf import add_crop_marks
from .trim import trimmed

if TYPE_CHECKING:
    from .workers import Workers


@dataclass(frozen=True)
class Wanted:
    """What to make from the master, besides the plain booklet."""

    trim: bool  # the master has its bleed: the plain booklet is the master cut at the trim
    bleed_mm: float
    print_pdf: bool
    sheet: tuple[float, float] | None  # the imposition's landscape sheet; None: none
    cards: tuple[CardInfo, ...]
    subject: str | None  # the cards' subject when they have no summary
    low_res: tuple[LowResImage, ...]  # for the preflight


@dataclass(frozen=True)
class Made:
    booklet: bytes
    printable: bytes | None
    report: Preflight | None
    imposed: bytes | None
    cards: list[bytes]  # in the order of Wanted.cards


def derive(master: bytes, wanted: Wanted, workers: Workers) -> Made:
    """Every output asked for, made from ``master`` on ``workers``, which are then stopped
    (their memory held the master's objects)."""
    slices = _slices(wanted.cards, workers.jobs)
    calls: list[tuple[Any, ...]] = [("cards", master, part, wanted.subject) for part in slices]
    if wanted.print_pdf:
        calls.append(("print", master, wanted.bleed_mm, wanted.low_res))
    if wanted.sheet is not None:
        # The imposition draws each page clipped to its TrimBox: the master's bleed never shows.
        calls.append(("impose", master, wanted.sheet))
    if wanted.trim:
        calls.append(("trim", master))
    try:
        results = workers.map("derive", calls)
    finally:
        workers.close()
    kinds = [call[0] for call in calls[len(slices) :]]
    answers = dict(zip(kinds, results[len(slices) :], strict=True))
    printed = answers.get("print")
    return Made(
        booklet=answers.get("trim", master),
        printable=printed[0] if printed else None,
        report=printed[1] if printed else None,
        imposed=answers.get("impose"),
        cards=[card for part in results[: len(slices)] for card in part],
    )


def made(kind: str, master: bytes, *args: Any) -> Any:
    """One output made from ``master``, in the worker that was sent the call."""
    if kind == "print":
        bleed_mm, low_res = args
        printable = add_crop_marks(master, bleed_mm)
        return printable, preflight(printable, bleed_mm, low_res)
    makers: dict[str, Callable[..., Any]] = {"cards": cut_cards, "impose": impose, "trim": trimmed}
    return makers[kind](master, *args)


def _slices(cards: tuple[CardInfo, ...], jobs: int) -> list[tuple[CardInfo, ...]]:
    """The cards in at most ``jobs`` runs of consecutive cards, of sizes as equal as can be."""
    count = min(jobs, len(cards))
    return [cards[len(cards) * i // count : len(cards) * (i + 1) // count] for i in range(count)]
