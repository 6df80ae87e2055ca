"""Times the imposition of a 2000-page A5 booklet: `python bench/bench_impose.py`."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nomodel.impose import impose
from nomodel.paper import PAPER_SIZES, POINTS_PER_MM

PAGES = 2000


def booklet(pages: int) -> bytes:
    """A5 pages that only print their number: built with pypdf in well under a second,
    where a WeasyPrint layout of 2000 pages would dominate the run."""
    a5 = PAPER_SIZES["A5"]
    width, height = a5.width * POINTS_PER_MM, a5.height * POINTS_PER_MM
    writer = PdfWriter()
    # A standard 14 font needs no embedding: one shared dictionary is the whole resource.
    helvetica = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    trim = ArrayObject(FloatObject(v) for v in (0, 0, width, height))
    for number in range(1, pages + 1):
        page = writer.add_blank_page(width, height)
        page[NameObject("/TrimBox")] = trim
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): helvetica})}
        )
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 72 Tf 120 280 Td ({number}) Tj ET".encode())
        page.replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> None:
    started = time.perf_counter()
    source = booklet(PAGES)
    built = time.perf_counter() - started

    started = time.perf_counter()
    imposed = impose(source)
    elapsed = time.perf_counter() - started

    sides = len(PdfReader(io.BytesIO(imposed)).pages)
    print(f"source: {PAGES} pages, {len(source) / 1e6:.2f} MB, built in {built:.2f} s")
    print(f"imposed: {sides} sheet sides, {len(imposed) / 1e6:.2f} MB, in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
