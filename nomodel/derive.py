"""The outputs made from the written booklet, side by side on the layout's worker processes.

The booklet is written once (engine.py), with its bleed when a print PDF is asked for (the
master); everything else is made from that master by qpdf (pikepdf): the plain booklet cut at
the trim, the print PDF with its crop marks and preflight, the imposition, the card PDFs.
None depends on another, so each is a call sent to the first worker free, the cards in one
slice per worker, the longest calls first; each worker opens the master itself and writes
what it made into the build's staging folder (write.Outputs). With one job
they run one after the other in this process, as they did before. Measured at 500 cards
(1212 pages), these took 12.5 s one after the other on one core while the other idled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cards import CardInfo, cut_cards
from .impose import impose
from .preflight import LowResImage, Preflight, preflight
from .print_pdf import add_crop_marks
from .trim import trimmed
from .write import write_file

if TYPE_CHECKING:
    from .workers import Workers


CARDS_FOLDER = "cards"


@dataclass(frozen=True)
class Wanted:
    """What to make from the master, besides the plain booklet."""

    stem: str  # the booklet's name: STEM.pdf, STEM-print.pdf, STEM-imposed.pdf
    trim: bool  # the master has its bleed: the plain booklet is the master cut at the trim
    bleed_mm: float
    print_pdf: bool
    sheet: tuple[float, float] | None  # the imposition's landscape sheet; None: none
    cards: tuple[CardInfo, ...]
    subject: str | None  # the cards' subject when they have no summary
    low_res: tuple[LowResImage, ...]  # for the preflight


@dataclass(frozen=True)
class Made:
    files: list[str]  # written into the staging folder: the booklet, print, imposition, cards
    report: Preflight | None


def derive(master: bytes, wanted: Wanted, workers: Workers, staging: Path) -> Made:
    """Every output asked for, made from ``master`` on ``workers``, which then rest
    (their memory held the master's objects), and written into ``staging`` by the process
    that made it: the build's own process never holds them (500 cards: 50 MB of PDFs; its
    peak went from 282 to 146 MB)."""
    booklet = f"{wanted.stem}.pdf"
    slices = _slices(wanted.cards, workers.jobs)
    card_files = [tuple(f"{CARDS_FOLDER}/{card.number}.pdf" for card in part) for part in slices]
    calls: list[tuple[Any, ...]] = [
        ("cards", master, staging, files, part, wanted.subject)
        for files, part in zip(card_files, slices, strict=True)
    ]
    files = [booklet]
    if wanted.print_pdf:
        files.append(f"{wanted.stem}-print.pdf")
        calls.append(("print", master, staging, files[-1], wanted.bleed_mm, wanted.low_res))
    if wanted.sheet is not None:
        # The imposition draws each page clipped to its TrimBox: the master's bleed never shows.
        files.append(f"{wanted.stem}-imposed.pdf")
        calls.append(("impose", master, staging, files[-1], wanted.sheet))
    if wanted.trim:
        calls.append(("trim", master, staging, booklet))
    else:
        write_file(staging, booklet, master)
    try:
        reports = workers.map("derive", calls)
    finally:
        workers.rest()
    report = next((found for found in reports if found is not None), None)
    return Made([*files, *(file for part in card_files for file in part)], report)


def made(kind: str, master: bytes, staging: Path, *args: Any) -> Preflight | None:
    """One output made from ``master`` and written into ``staging``, in the worker that was
    sent the call: its file's name comes first in ``args`` (a card slice's names, its cards
    written one by one as they are cut); the print PDF's preflight report."""
    if kind == "cards":
        files, *slice_args = args
        for file, data in zip(files, cut_cards(master, *slice_args), strict=True):
            write_file(staging, file, data)
        return None
    file, *rest = args
    if kind == "print":
        bleed_mm, low_res = rest
        printable = add_crop_marks(master, bleed_mm)
        write_file(staging, file, printable)
        return preflight(printable, bleed_mm, low_res)
    makers: dict[str, Callable[..., bytes]] = {"impose": impose, "trim": trimmed}
    write_file(staging, file, makers[kind](master, *rest))
    return None


def _slices(cards: tuple[CardInfo, ...], jobs: int) -> list[tuple[CardInfo, ...]]:
    """The cards in at most ``jobs`` runs of consecutive cards, of sizes as equal as can be."""
    count = min(jobs, len(cards))
    return [cards[len(cards) * i // count : len(cards) * (i + 1) // count] for i in range(count)]
