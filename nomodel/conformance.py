"""What PDF/A and PDF/UA validators ask of the PDFs WeasyPrint writes, done after it writes.

WeasyPrint (70) writes PDF/A metadata compressed, RGB colours in PDF/X, and structure trees
that PDF/UA validators refuse. The fixes below edit the booklet it writes (pikepdf):

- PDF/X: no DeviceRGB, which PDF/X-4 (ISO 15930-7) allows only with an RGB output intent
  and ours is CMYK: RGB colours, images and shadings are given as ICC-based sRGB, which it
  allows, converted to the press's CMYK by the print shop's RIP;
- PDF/A: the catalog's XMP metadata stream is written without a filter (PDF/A-1 forbids
  one, ISO 19005-1 6.7.2 and TC2; the checkers ask it of parts 2 and 3 too, and XMP is
  meant to be readable by tools that know nothing of PDF), and no image asks viewers to
  interpolate it (ISO 19005-2 6.2.8.1: ``/Interpolate`` shall be false);
- PDF/A-3a, the cards' variant, is tagged and, with the fixes below, meets PDF/UA-1 too: its
  XMP says so, with the extension schema PDF/A asks for a property it does not predefine
  (ISO 19005-2 6.6.2.3), so that a card is both archival and accessible;
- tagged PDFs: headings without gaps, starting at H1 (``number_headings``: the merge alone
  sees them all; the rest of the structure is fixed chunk by chunk as WeasyPrint builds it,
  in the processes that lay the chunks out: tag_tree.py).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from . import struct_tree
from .chunks import ANCHOR_SCHEME
from .compat import srgb_profile

# Declared in PDF/A-3a files: PDF/UA-1 identification (ISO 14289-1 5) and its schema.
ALSO_UA = "pdf/a-3a"
UA_IDENTIFICATION = b"""\
<rdf:Description rdf:about="" pdfuaid:part="1"
  xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"/>
<rdf:Description rdf:about=""
  xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
  xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
  <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:name>part</pdfaProperty:name>
   <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
   <pdfaProperty:category>internal</pdfaProperty:category>
   <pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""
SRGB = Name("/nomodel-sRGB")  # the ICC-based sRGB colour space, in content streams
# RGB colour operators → the same colour set in SRGB (ISO 32000-1 8.6.8).
RGB_OPERATORS = {"rg": (Operator("cs"), Operator("sc")), "RG": (Operator("CS"), Operator("SC"))}


def conform(document: pikepdf.Pdf, variant: str) -> None:
    """Makes ``document``, written by WeasyPrint in ``variant`` (the merged booklet, before
    it is saved), what the validators above ask of the whole. Its structure was fixed chunk
    by chunk where each was written (tag_tree.py), but for the headings' levels, which
    depend on the headings before them: the merge numbers them (``number_headings``)."""
    if variant.startswith("pdf/x-"):
        _rgb_as_icc(document)
    if variant.startswith("pdf/a-"):
        _pdf_a_metadata(document, also_ua=variant == ALSO_UA)
        _no_interpolation(document)


def number_headings(headings: Sequence[tuple[Dictionary, int]]) -> None:
    """Headings, given in reading order with their levels as written, renumbered so that
    the first is H1 and none skips a level (PDF/UA-1 7.4.2), keeping their hierarchy: in a
    card's own PDF its title H2 becomes H1 and its testimonies H2; a body heading that
    jumps from H2 to H4 becomes H3."""
    open_levels: list[tuple[int, int]] = []  # (level written, level given)
    for element, written in headings:
        while open_levels and open_levels[-1][0] >= written:
            open_levels.pop()
        given = open_levels[-1][1] + 1 if open_levels else 1
        open_levels.append((written, given))
        element.S = Name(f"/H{given}")


def heading_element(top: Sequence[pikepdf.Object], path: tuple[int, ...]) -> Dictionary:
    """The element at ``path`` (kid indexes, the first among ``top``)."""
    element: object = top[path[0]]
    for index in path[1:]:
        assert isinstance(element, Dictionary)
        element = struct_tree.kids(element)[index]
    assert isinstance(element, Dictionary)
    return element


def _pdf_a_metadata(document: pikepdf.Pdf, also_ua: bool) -> None:
    metadata = document.Root.Metadata
    xmp = metadata.read_bytes()
    if also_ua:
        xmp = xmp.replace(b"</rdf:RDF>", UA_IDENTIFICATION + b"</rdf:RDF>", 1)
    metadata.write(xmp)  # written back without a filter


def _no_interpolation(document: pikepdf.Pdf) -> None:
    for obj in document.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Interpolate") is not None:
            del obj.Interpolate


def _rgb_as_icc(document: pikepdf.Pdf) -> None:
    profile = srgb_profile()
    srgb = Array([Name.ICCBased, document.make_stream(profile, N=3)])
    for obj in list(document.objects):
        if not isinstance(obj, Dictionary | pikepdf.Stream):
            continue
        for key in ("/ColorSpace", "/CS"):  # images, shadings, transparency groups
            if obj.get(key) == Name.DeviceRGB:
                obj[key] = srgb
        if obj.get("/Subtype") == Name.Form or obj.get("/PatternType") == 1:
            _rgb_operators_as_icc(document, obj, obj, srgb)
    for page in document.pages:
        _rgb_operators_as_icc(document, page, page.obj, srgb)


def _rgb_operators_as_icc(
    document: pikepdf.Pdf,
    content: pikepdf.Object | pikepdf.Page,
    owner: Dictionary | pikepdf.Stream,
    srgb: Array,
) -> None:
    """Rewrites the RGB colours of a page's, a form's or a pattern's content in ``srgb``."""
    operations: list[tuple[Collection[pikepdf.Object], pikepdf.Operator]] = []
    changed = False
    for instruction in pikepdf.parse_content_stream(content):
        operands, operator = instruction.operands, instruction.operator
        if str(operator) in RGB_OPERATORS:
            space, colour = RGB_OPERATORS[str(operator)]
            operations += [([SRGB], space), (operands, colour)]
            changed = True
        elif str(operator) in {"cs", "CS"} and list(operands) == [Name.DeviceRGB]:
            operations.append(([SRGB], operator))
            changed = True
        else:
            operations.append((operands, operator))
    if not changed:
        return
    data = pikepdf.unparse_content_stream(operations)
    if isinstance(content, pikepdf.Stream):
        content.write(data)
    else:
        owner.Contents = document.make_stream(data)
    if "/Resources" not in owner:
        owner.Resources = Dictionary()
    if "/ColorSpace" not in owner.Resources:
        owner.Resources.ColorSpace = Dictionary()
    owner.Resources.ColorSpace[SRGB] = srgb


def anchor_elsewhere(annotation: pikepdf.Object) -> str | None:
    """The anchor of another chunk that a chunk's link annotation leads to, written as a
    ``nomodel-anchor:`` URI (chunks.py); None for any other link."""
    uri = str(annotation.get("/A", Dictionary()).get("/URI", ""))
    return uri.removeprefix(ANCHOR_SCHEME) if uri.startswith(ANCHOR_SCHEME) else None
