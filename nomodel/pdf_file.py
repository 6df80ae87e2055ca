"""How every PDF output is saved once pikepdf has changed it."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

import pikepdf


def saved(pdf: pikepdf.Pdf, version: str | None = None) -> bytes:
    """``pdf``'s bytes, in PDF ``version`` if given: with a deterministic /ID, so that two
    builds of the same content are identical, and its compressed streams (fonts, images,
    pages) copied as they are, where qpdf would by default inflate and deflate each again."""
    output = BytesIO()
    pdf.save(
        output,
        deterministic_id=True,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        force_version=version or "",  # "": the version qpdf finds needed
    )
    return output.getvalue()


def copied(target: pikepdf.Pdf, source: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """A value of ``source`` in ``target``, with all it refers to (qpdf copies each object
    once per target: a page or font already copied is reused)."""
    return copied_all(target, source, [value])[0]


def copied_all(
    target: pikepdf.Pdf, source: pikepdf.Pdf, values: Sequence[object]
) -> list[pikepdf.Object]:
    """``copied`` for many values in one call into qpdf (a chunk's structure elements and
    ParentTree entries are hundreds: one call each was a tenth of a tagged merge). qpdf
    copies indirect objects only, so the values, direct arrays and dictionaries among them
    (they may hold references), travel inside one indirect array."""
    return list(target.copy_foreign(source.make_indirect(pikepdf.Array(values))))


def copied_untouched(target: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """``copied`` without a new object in ``value``'s own file: qpdf's first new object in a
    file reads every object of it to number it (132 MB for a tagged 1832-page booklet), which
    ``copied_all`` pays once, where the source is read whole anyway (merge, cards), and the
    imposition must not. Indirect objects are copied by qpdf, once each; the direct arrays
    and dictionaries around them here, one call into qpdf per indirect object."""
    if value.is_indirect:
        return target.copy_foreign(value)
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary(
            {key: copied_untouched(target, item) for key, item in value.items()}
        )
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([copied_untouched(target, item) for item in value])
    return value
