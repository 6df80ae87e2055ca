"""The outputs made from the written booklet, one after the other in the build's process.

The booklet is written once (engine.py), with its bleed when a print PDF is asked for (the
master); everything else is made from that master by qpdf (pikepdf): the plain booklet cut at
the trim, the print PDF with its crop marks and preflight, the imposition, the card PDFs,
each written into the build's staging folder (write.Outputs) as soon as it is made.

They were made side by side on the worker processes, each process opening the master: qpdf
holds a tagged booklet's objects in each (230–270 MB at 1212 pages), which made most of the
build's peak of memory (a 492-page build with every output: 434 MB, summed over its
processes; 243 MB here), for 1.5–2 s of the 35 s of that build.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cards import CardInfo, cut_cards
from .impose import impose
from .preflight import LowResImage, Preflight, preflight
from .print_pdf import add_crop_marks
from .trim import trimmed
from .write import write_file

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


def derive(master: bytes, wanted: Wanted, staging: Path) -> Made:
    """Every output asked for, made from ``master`` and written into ``staging`` as soon as
    it is made (each card as soon as it is cut); the print PDF's preflight report."""
    booklet = f"{wanted.stem}.pdf"
    files, report = [booklet], None
    write_file(staging, booklet, trimmed(master) if wanted.trim else master)
    if wanted.print_pdf:
        files.append(f"{wanted.stem}-print.pdf")
        printable = add_crop_marks(master, wanted.bleed_mm)
        write_file(staging, files[-1], printable)
        report = preflight(printable, wanted.bleed_mm, wanted.low_res)
    if wanted.sheet is not None:
        # The imposition draws each page clipped to its TrimBox: the master's bleed never shows.
        files.append(f"{wanted.stem}-imposed.pdf")
        write_file(staging, files[-1], impose(master, wanted.sheet))
    card_files = [f"{CARDS_FOLDER}/{card.number}.pdf" for card in wanted.cards]
    if wanted.cards:
        cut = cut_cards(master, wanted.cards, wanted.subject)
        for file, data in zip(card_files, cut, strict=True):
            write_file(staging, file, data)
    return Made([*files, *card_files], report)
