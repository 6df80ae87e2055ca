"""What a print shop checks before printing: trim, bleed, pages, fonts, image resolution."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import pikepdf
from pikepdf import Dictionary, Name
from weasyprint import Document
from weasyprint.formatting_structure.boxes import Box
from weasyprint.images import RasterImage

from .compat import laid_out_boxes
from .paper import MM_PER_CSS_PX

MIN_DPI = 300
CSS_PX_PER_INCH = 96


@dataclass(frozen=True)
class Font:
    name: str  # without the subset tag
    embedded: bool
    subset: bool


@dataclass(frozen=True)
class LowResImage:
    name: str
    dpi: int
    page: int  # 1-based


@dataclass(frozen=True)
class Preflight:
    trim_mm: tuple[int, int]
    bleed_mm: float
    pages: int
    fonts: tuple[Font, ...]
    low_res_images: tuple[LowResImage, ...]

    @property
    def problems(self) -> list[str]:
        problems = [f"font {font.name} is not embedded" for font in self.fonts if not font.embedded]
        problems += [
            f"image {image.name} on page {image.page}: {image.dpi} dpi at printed size"
            f" (print needs {MIN_DPI})"
            for image in self.low_res_images
        ]
        return problems

    def report(self) -> list[str]:
        width, height = self.trim_mm
        embedded = all(font.embedded for font in self.fonts)
        subset = all(font.subset for font in self.fonts)
        names = ", ".join(sorted({font.name for font in self.fonts}))
        lines = [
            f"trim {width} × {height} mm, bleed {self.bleed_mm:g} mm, crop marks",
            f"{self.pages} pages",
            f"fonts: {'all embedded' if embedded else 'NOT ALL EMBEDDED'}"
            f"{', subsets' if subset else ''} ({names})",
        ]
        if self.low_res_images:
            lines.append(f"images below {MIN_DPI} dpi at printed size:")
            lines += [f"  {i.name}: {i.dpi} dpi, page {i.page}" for i in self.low_res_images]
        else:
            lines.append(f"images: none below {MIN_DPI} dpi at printed size")
        return lines


def preflight(document: Document, pdf: bytes, bleed_mm: float) -> Preflight:
    """Checks the laid-out ``document`` (images) and the PDF written from it (fonts)."""
    first = document.pages[0]
    with pikepdf.open(BytesIO(pdf)) as written:
        fonts = set(pdf_fonts(written))
    return Preflight(
        trim_mm=(round(first.width * MM_PER_CSS_PX), round(first.height * MM_PER_CSS_PX)),
        bleed_mm=bleed_mm,
        pages=len(document.pages),
        fonts=tuple(sorted(fonts, key=lambda font: font.name)),
        low_res_images=tuple(_low_res_images(document)),
    )


def pdf_fonts(pdf: pikepdf.Pdf) -> list[Font]:
    """Every font drawn on the pages, as the PDF declares it."""
    fonts = []
    for page in pdf.pages:
        resources = page.obj.get("/Resources", Dictionary())
        for font in resources.get("/Font", Dictionary()).values():
            name = str(font.get("/BaseFont", Name("/unnamed"))).lstrip("/")
            tag, plus, rest = name.partition("+")
            subset = bool(plus) and len(tag) == 6 and tag.isupper()
            fonts.append(Font(rest if subset else name, _embedded(font), subset))
    return fonts


def _embedded(font: pikepdf.Object) -> bool:
    if "/DescendantFonts" in font:
        return all(_embedded(child) for child in font.DescendantFonts)
    if font.get("/Subtype") == Name.Type3:
        return True  # drawn by the PDF's own procedures
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def _low_res_images(document: Document) -> Iterable[LowResImage]:
    for number, page in enumerate(document.pages, start=1):
        # The printed size of an image is only known from the laid-out boxes.
        for box in laid_out_boxes(page):
            image = getattr(box, "replacement", None)
            if not isinstance(image, RasterImage) or not box.width or not box.height:
                continue
            dpi = min(image.width / box.width, image.height / box.height) * CSS_PX_PER_INCH
            if dpi < MIN_DPI:
                yield LowResImage(_image_name(box), int(dpi), number)


def _image_name(box: Box) -> str:
    src = box.element.get("src", "") if getattr(box, "element", None) is not None else ""
    return PurePosixPath(unquote(urlsplit(src).path)).name or "image"
