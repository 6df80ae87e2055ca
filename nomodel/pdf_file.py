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
