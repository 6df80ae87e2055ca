"""How every PDF output is saved once pikepdf has changed it."""

from __future__ import annotations

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
    once per target: a page or font already copied is reused). qpdf copies indirect objects
    only, so a direct array or dictionary (it may hold references) travels inside an
    indirect array."""
    if value.is_indirect:
        return target.copy_foreign(value)
    if isinstance(value, pikepdf.Array | pikepdf.Dictionary):
        return target.copy_foreign(source.make_indirect(pikepdf.Array([value])))[0]
    return value
