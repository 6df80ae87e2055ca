"""Each font of the booklet embedded once, subset to the glyphs of every chunk.

A chunk's PDF is written with an empty font program (chunk_layout.py) and with what WeasyPrint
knew of each font: its glyphs' widths and Unicode text. Here the fonts of all chunks are put
together (same hash: same face, same glyph ids, as WeasyPrint subsets with retained glyph ids)
and written by WeasyPrint's own code (compat.fonts_dictionary), subset as WeasyPrint subsets
(HarfBuzz's subsetter when installed, else fontTools)."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

import pikepdf
import pydyf
from weasyprint.pdf.fonts import Font

from .chunk_layout import ChunkResult
from .compat import font_from_state, fonts_dictionary
from .write import font_timestamps

FONTS_KEY = "NomodelFonts"  # where the fonts wait in the scratch PDF


def merged_fonts(
    master: pikepdf.Pdf,
    results: Sequence[ChunkResult],
    font_files: dict[str, bytes],
    modified: str | None,
    pdf_version: str,
) -> dict[str, pikepdf.Object]:
    """Font resource name → the font, copied into ``master``, written for ``pdf_version``
    (the chunks' PDF version: WeasyPrint adds a CIDSet up to 1.4, as PDF/A-1 wants)."""
    fonts: dict[str, Font] = {}
    for result in results:
        for use in result.fonts:
            if use.key not in fonts:
                fonts[use.key] = font_from_state(use.state, font_files[use.file])
            else:
                _add(fonts[use.key], use.state)
    if not fonts:
        return {}
    scratch = pydyf.PDF()
    with font_timestamps(modified):
        options = {"hinting": False, "pdf_version": pdf_version}
        dictionary = fonts_dictionary(scratch, fonts, options)
    scratch.add_object(dictionary)
    scratch.catalog[FONTS_KEY] = dictionary.reference
    written = BytesIO()
    scratch.write(written, version=pdf_version.encode(), compress=True)
    with pikepdf.open(BytesIO(written.getvalue())) as fonts_pdf:
        return {
            key: master.copy_foreign(value)
            for key, value in fonts_pdf.Root[f"/{FONTS_KEY}"].items()
        }


def _add(font: Font, state: dict) -> None:
    """The glyphs another chunk used, after those already known (ToUnicode order)."""
    for glyph, text in state["to_unicode"].items():
        font.to_unicode.setdefault(glyph, text)
    font.widths.update(state["widths"])
    font.missing.update(state["missing"])
    font.used_in_forms = font.used_in_forms or state["used_in_forms"]
