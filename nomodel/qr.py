"""QR codes for the links of a card, drawn as vectors, so that a printed card can be scanned."""

from __future__ import annotations

from dataclasses import dataclass

import segno

INK = "#1b1a17"  # booklet.css: --ink
MIN_SYMBOL_MM = 15  # the code itself, without its quiet zone: scans from a phone held at 30 cm
QUIET_ZONE = 4  # light modules around the code, as ISO/IEC 18004 asks


@dataclass(frozen=True)
class QrCode:
    data_uri: str  # an SVG image: drawn as paths in the PDF, and an artifact in a tagged PDF
    size_mm: float  # with its quiet zone


def qr_code(url: str) -> QrCode:
    code = segno.make(url, error="m", micro=False)
    modules, _ = code.symbol_size(border=0)
    size = MIN_SYMBOL_MM * (modules + 2 * QUIET_ZONE) / modules
    svg = code.svg_data_uri(border=QUIET_ZONE, dark=INK, light=None, omitsize=True)
    return QrCode(svg, round(size, 2))
