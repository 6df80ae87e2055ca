"""QR codes for the links of a card, drawn as vectors, so that a printed card can be scanned."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import segno

from .errors import ContentError
from .model import Content

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


def qr_problems(content: Content) -> Iterator[ContentError]:
    """Links too long for any QR code (a version-40 code holds about 2300 characters at the
    error correction printed cards need), on the line where the card gives them."""
    for card in content.cards:
        for link in card.links:
            try:
                segno.make(link.url, error="m", micro=False)
            except segno.DataOverflowError:
                yield ContentError(
                    card.path,
                    _line_of(card.path, link.url),
                    f'link "{link.url[:40]}…" is too long for a QR code ({len(link.url)}'
                    " characters): shorten it, or build without QR codes",
                )


def _line_of(path: Path, text: str) -> int:
    """The front-matter line that holds ``text`` (the card model keeps no line per link)."""
    lines = path.read_text("utf-8-sig").splitlines()
    return next((number for number, line in enumerate(lines, 1) if text in line), 0)
