"""Each font of the booklet embedded once, subset to the glyphs of every chunk.

A chunk's PDF is written with an empty font program (chunk_layout.py) and with what WeasyPrint
knew of each font: its glyphs' widths and Unicode text. Here the fonts of all chunks are put
together (same hash: same face, same glyph ids, as WeasyPrint subsets with retained glyph ids)
and written by WeasyPrint's own ``build_fonts_dictionary``, subset as WeasyPrint subsets
(HarfBuzz's subsetter when installed, else fontTools)."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

import cffi
import pikepdf
import pydyf
from weasyprint.pdf.fonts import Font, build_fonts_dictionary
from weasyprint.text import ffi as weasyprint_ffi

from .chunk_layout import ChunkResult
from .write import font_timestamps

FONTS_KEY = "NomodelFonts"  # where the fonts wait in the scratch PDF
# WeasyPrint (70) declares no HarfBuzz function that makes a face from bytes (its faces come
# from Pango): these two are declared here, on the same library, for its subsetter.
_FFI = cffi.FFI()
_FFI.cdef(
    "typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;"
    "hb_blob_t *hb_blob_create (const char *data, unsigned int length, int mode,"
    " void *user_data, void *destroy);"
    "hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);"
    "void hb_blob_destroy (hb_blob_t *blob);"
)
_HARFBUZZ = weasyprint_ffi._dlopen(
    _FFI,
    "libharfbuzz-0",
    "harfbuzz",
    "harfbuzz-0.0",
    "libharfbuzz.so.0",
    "libharfbuzz.0.dylib",
    "libharfbuzz-0.dll",
)
HB_MEMORY_MODE_DUPLICATE = 0


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
                fonts[use.key] = _font(use.state, font_files[use.file])
            else:
                _add(fonts[use.key], use.state)
    if not fonts:
        return {}
    scratch = pydyf.PDF()
    with font_timestamps(modified):
        options = {"hinting": False, "pdf_version": pdf_version}
        dictionary = build_fonts_dictionary(scratch, fonts, True, True, options)
    scratch.add_object(dictionary)
    scratch.catalog[FONTS_KEY] = dictionary.reference
    written = BytesIO()
    scratch.write(written, version=pdf_version.encode(), compress=True)
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
    font.hb_face = _face(file, font.index)
    return font


def _face(data: bytes, index: int) -> object:
    """A HarfBuzz face of the font file, in WeasyPrint's FFI types."""
    blob = _HARFBUZZ.hb_blob_create(data, len(data), HB_MEMORY_MODE_DUPLICATE, _FFI.NULL, _FFI.NULL)
    face = _HARFBUZZ.hb_face_create(blob, index)
    _HARFBUZZ.hb_blob_destroy(blob)  # the face holds its own reference
    address = int(_FFI.cast("uintptr_t", face))
    ffi, harfbuzz = weasyprint_ffi.ffi, weasyprint_ffi.harfbuzz
    return ffi.gc(ffi.cast("hb_face_t *", address), harfbuzz.hb_face_destroy)


def _add(font: Font, state: dict) -> None:
    """The glyphs another chunk used, after those already known (ToUnicode order)."""
    for glyph, text in state["to_unicode"].items():
        font.to_unicode.setdefault(glyph, text)
    font.widths.update(state["widths"])
    font.missing.update(state["missing"])
    font.used_in_forms = font.used_in_forms or state["used_in_forms"]
