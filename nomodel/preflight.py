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
from .paper import MM_PER_POINT

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


def preflight(pdf: bytes, bleed_mm: float, low_res: Iterable[LowResImage]) -> Preflight:
    """Checks the print PDF (trim, pages, fonts), given its images below ``MIN_DPI`` at
    printed size (``low_res_images`` of each layout: only the layout knows that size)."""
    with pikepdf.open(BytesIO(pdf)) as written:
        fonts = set(pdf_fonts(written))
        trim = [float(value) for value in written.pages[0].trimbox]
        pages = len(written.pages)
    width, height = trim[2] - trim[0], trim[3] - trim[1]
    return Preflight(
        trim_mm=(round(width * MM_PER_POINT), round(height * MM_PER_POINT)),
        bleed_mm=bleed_mm,
        pages=pages,
        fonts=tuple(sorted(fonts, key=lambda font: font.name)),
        low_res_images=tuple(sorted(low_res, key=lambda image: (image.page, image.name))),
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


def low_res_images(document: Document, first_page: int = 1) -> Iterable[LowResImage]:
    """The raster images of ``document`` below ``MIN_DPI`` as laid out, with the numbers of
    their pages (the first being ``first_page``)."""
    for number, page in enumerate(document.pages, start=first_page):
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
