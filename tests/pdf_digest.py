"""What two builds of one booklet must have in common, read from the PDF with pikepdf: the
pages (boxes, text), the named destinations, every link, the bookmark tree, the structure tree,
the fonts (each embedded once) and the metadata. Two digests are compared with ``==``."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2 as pdfium


def digest(pdf: Path) -> dict[str, object]:
    with pikepdf.open(pdf) as document:
        pages = {page.objgen: i for i, page in enumerate(document.pages)}
        return {
            "pages": len(document.pages),
            "boxes": [_boxes(page.obj) for page in document.pages],
            "text": page_texts(pdf),
            "destinations": _destinations(document, pages),
            "links": [_links(page.obj, pages) for page in document.pages],
            "outline": _outline(document, pages),
            "structure": _structure(document.Root.get("/StructTreeRoot")),
            "fonts": fonts_embedded(document),
            "info": {str(key): str(value) for key, value in document.docinfo.items()},
            "labels": repr(document.Root.get("/PageLabels")),
            "xmp": bytes(document.Root.Metadata.read_bytes())
            if "/Metadata" in document.Root
            else b"",
        }


def page_texts(pdf: Path) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def fonts_embedded(document: pikepdf.Pdf) -> list[tuple[str, int]]:
    """Each embedded font: its name without the subset tag, and how many times it is there."""
    names: dict[str, int] = {}
    for obj in document.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            name = str(obj.FontName).split("+", 1)[-1]
            names[name] = names.get(name, 0) + 1
    return sorted(names.items())


def _boxes(page: pikepdf.Dictionary) -> list[tuple[str, list[float]]]:
    return [
        (box, [round(float(v), 2) for v in page[box]])
        for box in ("/MediaBox", "/BleedBox", "/TrimBox")
        if box in page
    ]


def _destination(value: object, pages: dict) -> tuple:
    if isinstance(value, pikepdf.Array):
        return (pages.get(value[0].objgen), round(float(value[2]), 1), round(float(value[3]), 1))
    return (str(value),)


def _destinations(document: pikepdf.Pdf, pages: dict) -> dict[str, tuple]:
    names = document.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    return {str(names[i]): _destination(names[i + 1], pages) for i in range(0, len(names), 2)}


def _links(page: pikepdf.Dictionary, pages: dict) -> list[tuple]:
    found = []
    for annotation in page.get("/Annots", []):
        rect = tuple(round(float(v), 1) for v in annotation.Rect)
        if "/Dest" in annotation:
            target = ("dest", str(annotation.Dest))
        else:
            target = ("uri", str(annotation.get("/A", {}).get("/URI", "")))
        found.append((rect, target, str(annotation.get("/Contents", ""))))
    return found


def _outline(document: pikepdf.Pdf, pages: dict) -> list:
    def items(first: object) -> list:
        found = []
        item = first
        while item is not None:
            children = items(item.get("/First"))
            found.append(
                (str(item.Title), _destination(item.Dest, pages), int(item.Count), children)
            )
            item = item.get("/Next")
        return found

    outlines = document.Root.get("/Outlines")
    return items(outlines.get("/First")) if outlines is not None else []


def _structure(element: object, depth: int = 0) -> object:
    """The tree of structure types; marked content as its MCID count, annotations as OBJR."""
    if element is None:
        return None
    if isinstance(element, pikepdf.Array):
        return [_structure(kid, depth) for kid in element]
    if isinstance(element, pikepdf.Dictionary):
        if element.get("/Type") == "/OBJR":
            return "OBJR"
        if element.get("/Type") == "/MCR":
            return "MCR"
        kind = str(element.get("/S", element.get("/Type", "")))
        return (kind, _structure(element.get("/K"), depth + 1))
    return "MCID"
