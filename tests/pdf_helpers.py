"""Reading what was drawn in a PDF: text per page, fonts, link targets."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

MM = 72 / 25.4  # PDF points per millimetre
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


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


def _then(first: Matrix, second: Matrix) -> Matrix:
    """The matrix that applies ``first``, then ``second`` (PDF row-vector convention)."""
    a, b, c, d, e, f = first
    A, B, C, D, E, F = second
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def texts(page: PageObject) -> list[tuple[str, float, float]]:
    """Each piece of text on the page with the origin of its text matrix, in page space.

    pypdf restarts the CTM at the identity inside a form XObject, so the CTM of each
    ``Do`` is kept on a stack and applied on top (forms here have no /Matrix of their own).
    """
    found: list[tuple[str, float, float]] = []
    forms: list[Matrix] = [IDENTITY]

    def before(operator: bytes, operands: list, cm: list, tm: list) -> None:
        if operator == b"Do":
            forms.append(_then(tuple(cm), forms[-1]))

    def after(operator: bytes, operands: list, cm: list, tm: list) -> None:
        if operator == b"Do":
            forms.pop()

    def text(text: str, cm: list, tm: list, font: object, size: float) -> None:
        if text.strip():
            *_, x, y = _then(_then(tuple(tm), tuple(cm)), forms[-1])
            found.append((text.strip(), x, y))

    page.extract_text(visitor_operand_before=before, visitor_operand_after=after, visitor_text=text)
    return found


def halves(page: PageObject) -> tuple[str | None, str | None]:
    """The text printed on the left and on the right half of a sheet side."""
    fold = float(page.mediabox.width) / 2
    left = "".join(t for t, x, _ in texts(page) if x < fold) or None
    right = "".join(t for t, x, _ in texts(page) if x >= fold) or None
    return left, right


def printed(source: PdfReader, index: int | None) -> str | None:
    """All the text of a source page, ``None`` for none or no page."""
    return None if index is None else "".join(t for t, *_ in texts(source.pages[index])) or None


# (tag, properties, text) of one marked-content sequence.
Marked = tuple[str, DictionaryObject | None, str]


def marked_sequences(page: PageObject) -> list[Marked]:
    """Each marked-content sequence of a page with the text shown inside it
    (not in nested sequences), in the order the sequences end."""
    stack: list[tuple[str, DictionaryObject | None, list[str]]] = []
    found: list[Marked] = []

    def before(operator: bytes, operands: list, *_: object) -> None:
        if operator in (b"BMC", b"BDC"):
            properties = operands[1] if operator == b"BDC" else None
            stack.append((str(operands[0]), properties, []))
        elif operator == b"EMC":
            tag, properties, texts = stack.pop()
            found.append((tag, properties, "".join(texts).strip()))

    def text(shown: str, *_: object) -> None:
        if stack:
            stack[-1][2].append(shown)

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    assert not stack
    return found


def outline(reader: PdfReader, tags: set[str]) -> list[tuple[int, str, str]]:
    """The structure tree in logical order: (depth, tag, text) of each element whose tag is
    in ``tags``; depth counts only such elements, so it shows how they nest."""
    texts: dict[tuple[int, int], str] = {}
    for page in reader.pages:
        for _, properties, text in marked_sequences(page):
            if properties is not None and "/MCID" in properties:
                texts[(page.indirect_reference.idnum, properties["/MCID"])] = text
    found: list[tuple[int, str, str]] = []

    def text_of(element: DictionaryObject) -> str:
        parts = []
        kids = element.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, int):
                parts.append(texts.get((element.raw_get("/Pg").idnum, kid), ""))
            elif isinstance(kid, DictionaryObject) and "/S" in kid:
                parts.append(text_of(kid))
        return "".join(parts)

    def walk(element: DictionaryObject, depth: int) -> None:
        tag = str(element["/S"])[1:]
        if tag in tags:
            found.append((depth, tag, text_of(element).strip()))
            depth += 1
        kids = element.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                walk(kid, depth)

    root = reader.trailer["/Root"]["/StructTreeRoot"]["/K"]
    for element in root if isinstance(root, ArrayObject) else [root]:
        walk(element.get_object(), 0)
    return found
