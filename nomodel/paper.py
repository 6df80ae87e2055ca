"""ISO 216 paper sizes (booklet formats, imposition sheets) and the PDF kinds of outputs."""

from __future__ import annotations

from dataclasses import dataclass

# Lengths: the one place for converting them.
MM_PER_INCH = 25.4
POINTS_PER_MM = 72 / MM_PER_INCH  # PDF points (1/72 inch)
MM_PER_POINT = MM_PER_INCH / 72
MM_PER_CSS_PX = MM_PER_INCH / 96  # CSS pixels (1/96 inch), WeasyPrint's unit for boxes


@dataclass(frozen=True)
class PaperSize:
    width: int  # mm, portrait
    height: int

    def landscape_points(self) -> tuple[float, float]:
        return self.height * POINTS_PER_MM, self.width * POINTS_PER_MM


PAPER_SIZES = {
    "A3": PaperSize(297, 420),
    "A4": PaperSize(210, 297),
    "A5": PaperSize(148, 210),
    "A6": PaperSize(105, 148),
}
BOOKLET_FORMATS = ("A4", "A5", "A6")
# A booklet page is half of the next ISO size: that is the sheet it is imposed on.
SHEET_FOR = {"A4": "A3", "A5": "A4", "A6": "A5"}
# Cards are attached to reports and archived: archival (PDF/A-3) and tagged (level a).
CARD_VARIANT = "pdf/a-3a"
