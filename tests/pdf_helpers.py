"""Reading what was drawn in a PDF: text per page, fonts, link targets."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

MM = 72 / 25.4  # PDF points per millimetre


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


def letters(text: str) -> str:
    """Only letters and digits, lower case: compares text across line breaks,
    hyphenation, no-break spaces and apostrophe styles."""
    text = unicodedata.normalize("NFC", text).lower()
    return re.sub(r"[\W_]+", "", text)


def fonts(pdf: Path) -> dict[str, bool]:
    """Every font used on any page → whether its program is embedded."""
    found: dict[str, bool] = {}
    for page in PdfReader(pdf).pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font", {}) if resources else {}
        for ref in font_dict.get_object().values():
            font = ref.get_object()
            found[str(font["/BaseFont"])] = _embedded(font)
    return found


def _embedded(font: DictionaryObject) -> bool:
    if "/DescendantFonts" in font:
        return all(_embedded(d.get_object()) for d in font["/DescendantFonts"])
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def link_targets(pdf: Path, page_index: int) -> list[int]:
    """0-based page indexes that the internal links of one page jump to, top to bottom
    (a link broken over several boxes counts once)."""
    reader = PdfReader(pdf)
    page_ids = [page.indirect_reference.idnum for page in reader.pages]
    links = []
    for annotation in reader.pages[page_index].get("/Annots", []):
        annotation = annotation.get_object()
        if annotation.get("/Subtype") != "/Link":
            continue
        destination = annotation.get("/Dest")
        if destination is None and "/A" in annotation:
            destination = annotation["/A"].get("/D")
        if isinstance(destination, str):  # a named destination
            destination = reader.named_destinations[destination]
            links.append((-annotation["/Rect"][3], reader.get_destination_page_number(destination)))
        elif destination is not None:
            links.append((-annotation["/Rect"][3], page_ids.index(destination[0].idnum)))
    return list(dict.fromkeys(target for _, target in sorted(links)))
