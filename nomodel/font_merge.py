"""Each font of the booklet embedded once, subset to the glyphs of every chunk.

A chunk's PDF is written with an empty font program (chunk_layout.py) and with what WeasyPrint
knew of each font: its glyphs' widths and Unicode text. Here the fonts of all chunks are put
together (same hash: same face, same glyph ids, as WeasyPrint subsets with retained glyph ids)
and written by WeasyPrint's own ``build_fonts_dictionary``, subset with fontTools — whether or
not HarfBuzz's subsetter is installed, so that the booklet is the same on every machine."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

import pikepdf
import pydyf
from weasyprint.pdf.fonts import Font, build_fonts_dictionary

from .chunk_layout import ChunkResult
from .write import font_timestamps

FONTS_KEY = "NomodelFonts"  # where the fonts wait in the scratch PDF


def merged_fonts(
    master: pikepdf.Pdf,
    results: Sequence[ChunkResult],
    font_files: dict[str, bytes],
    modified: str | None,
) -> dict[str, pikepdf.Object]:
    """Font resource name → the font, copied into ``master``."""
    fonts: dict[str, Font] = {}
    for result in results:
        for use in result.fonts:
            if use.key not in fonts:
                fonts[use.key] = _font(use.state, font_files[use.file])
            else:
                _add(fonts[use.key], use.state)
    if not fonts:
        return {}
    scratch = pydyf.PDF()
    with font_timestamps(modified):
        options = {"hinting": False, "pdf_version": str(master.pdf_version)}
        dictionary = build_fonts_dictionary(scratch, fonts, True, True, options)
    scratch.add_object(dictionary)
    scratch.catalog[FONTS_KEY] = dictionary.reference
    written = BytesIO()
    scratch.write(written, version=master.pdf_version.encode(), compress=True)
    with pikepdf.open(BytesIO(written.getvalue())) as fonts_pdf:
        return {
            key: master.copy_foreign(value)
            for key, value in fonts_pdf.Root[f"/{FONTS_KEY}"].items()
        }


def _font(state: dict, file: bytes) -> Font:
    """WeasyPrint's Font, made again from its state and file (no HarfBuzz objects)."""
    font = Font.__new__(Font)
    vars(font).update(state)
    font.to_unicode = dict(state["to_unicode"])
    font.widths = dict(state["widths"])
    font.missing = dict(state["missing"])
    font.file_content = file
    # fontTools, not HarfBuzz: it needs no HarfBuzz face, and gives the same subset on
    # every machine (WeasyPrint 70 picks HarfBuzz when libharfbuzz-subset is installed).
    font.subset = font._fonttools_subset
    return font


def _add(font: Font, state: dict) -> None:
    """The glyphs another chunk used, after those already known (ToUnicode order)."""
    for glyph, text in state["to_unicode"].items():
        font.to_unicode.setdefault(glyph, text)
    font.widths.update(state["widths"])
    font.missing.update(state["missing"])
    font.used_in_forms = font.used_in_forms or state["used_in_forms"]
