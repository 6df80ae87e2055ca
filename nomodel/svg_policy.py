"""SVG images are data, not documents: a drawing that references nothing outside itself,
that cannot multiply itself without bound, and whose text uses the bundled fonts.

WeasyPrint draws an SVG when the PDF is written and fetches what it references then
(``<image href>``, ``<use href="other.svg#x">``, ``url()`` and ``@import`` in its styles,
``@font-face``); a reference is either inside the drawing (``#id``) or refused here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from xml.parsers import expat

import tinycss2
from tinycss2.ast import AtRule, Declaration, Node, QualifiedRule

from .css import css_nodes, css_urls

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# What one drawing may expand to once every <use> is replaced by what it points to: a map
# with many repeated symbols stays far below; 8 levels of 10 <use> (a few hundred bytes)
# would be 100 million elements, and minutes of drawing.
MAX_ELEMENTS = 200_000
MAX_DEPTH = 200
# Text is set line by line when the PDF is written, slowly: a drawing's labels are short.
MAX_TEXT = 20_000
# SVG text is set in the booklet's own faces, never in a font of the machine.
FONT_STACK = '"Old Standard TT", "DejaVu Serif", Symbola'
_REFUSED_ELEMENTS = {"script", "foreignObject"}
_FONT_PROPERTIES = {"font-family", "font"}


class SvgProblem(Exception):
    """What makes an SVG unsafe, worded to follow "is an SVG that …"."""


def safe_svg(data: bytes, data_url_allowed: Callable[[str], bool]) -> bytes:
    """The SVG, its text set in the bundled fonts; SvgProblem when it references anything
    but itself (an embedded ``data:`` image is checked by ``data_url_allowed``), declares
    entities or a stylesheet, or expands beyond ``MAX_ELEMENTS``."""
    _check_declarations(data)
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_pis=True))
    try:
        root = ET.fromstring(data, parser=parser)
    except ET.ParseError as error:
        raise SvgProblem(f"cannot be read ({error})") from None
    text = 0
    for element in root.iter():
        _check(element, data_url_allowed)
        text += len(element.text or "") + len(element.tail or "")
    if text > MAX_TEXT:
        raise SvgProblem(f"holds over {MAX_TEXT} characters of text")
    _check_expansion(root)
    if not any(_local(element.tag) == "text" for element in root.iter()):
        return data  # nothing to change: the drawing as it was written
    _set_fonts(root)
    return ET.tostring(root)


def _check_declarations(data: bytes) -> None:
    """What stands outside the drawing's elements: entities (which can multiply text or
    name files) and processing instructions such as ``<?xml-stylesheet?>``."""

    def entity(*args: object) -> None:
        raise SvgProblem("declares XML entities")

    def instruction(target: str, data: str) -> None:
        if target.lower() == "xml-stylesheet":
            raise SvgProblem("links a stylesheet (<?xml-stylesheet?>)")

    parser = expat.ParserCreate()
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise SvgProblem(f"cannot be read ({error})") from None


def _check(element: ET.Element, data_url_allowed: Callable[[str], bool]) -> None:
    if element.tag is ET.ProcessingInstruction:
        return  # checked by _check_declarations
    name = _local(element.tag)
    if name in _REFUSED_ELEMENTS:
        raise SvgProblem(f"holds a <{name}> element")
    for attribute, value in element.attrib.items():
        if _local(attribute) == "href":
            _check_reference(value.strip(), data_url_allowed)
        elif attribute == "style":
            _check_css(tinycss2.parse_blocks_contents(value), data_url_allowed)
        elif "url(" in value.lower() or "\\" in value:
            _check_css(tinycss2.parse_component_value_list(value), data_url_allowed)
    if name == "style":
        _check_css(tinycss2.parse_stylesheet(element.text or ""), data_url_allowed)


def _check_reference(url: str, data_url_allowed: Callable[[str], bool]) -> None:
    if url.startswith("#"):
        return
    if url.lower().startswith("data:") and data_url_allowed(url):
        return
    shown = url if len(url) < 60 else url[:57] + "…"
    raise SvgProblem(f'references "{shown}" (an SVG may only reference its own parts, #id)')


def _check_css(nodes: list[Node], data_url_allowed: Callable[[str], bool]) -> None:
    for node in css_nodes(nodes):
        if isinstance(node, AtRule) and node.lower_at_keyword in ("import", "font-face"):
            raise SvgProblem(f"loads something through @{node.lower_at_keyword}")
    for url in css_urls(nodes):
        _check_reference(url, data_url_allowed)


def _check_expansion(root: ET.Element) -> None:
    """Counts the elements once every ``<use>`` is expanded, without expanding them."""
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(element: ET.Element, depth: int) -> int:
        key = id(element)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise SvgProblem("uses itself (a <use> loop)")
        if depth > MAX_DEPTH:
            raise SvgProblem(f"nests elements over {MAX_DEPTH} levels deep")
        visiting.add(key)
        total = 1 + sum(size(child, depth + 1) for child in element)
        if _local(element.tag) == "use":
            target = by_id.get(_href(element).removeprefix("#"))
            total += size(target, depth + 1) if target is not None else 0
        visiting.discard(key)
        if total > MAX_ELEMENTS:
            raise SvgProblem(f"expands to over {MAX_ELEMENTS} elements through <use>")
        sizes[key] = total
        return total

    size(root, 0)


def _set_fonts(root: ET.Element) -> None:
    """Every text of the drawing in the bundled faces: the font names it gives are removed
    (attributes, style attributes and style sheets) and the root names the booklet's."""
    for element in root.iter():
        for attribute in _FONT_PROPERTIES & set(element.attrib):
            del element.attrib[attribute]
        if "style" in element.attrib:
            element.set("style", _without_fonts(element.get("style", "")))
        if _local(element.tag) == "style" and element.text:
            element.text = _sheet_without_fonts(element.text)
    root.set("font-family", FONT_STACK)


def _sheet_without_fonts(sheet: str) -> str:
    rules = tinycss2.parse_stylesheet(sheet)
    for rule in rules:
        if isinstance(rule, QualifiedRule):
            kept = _without_fonts(tinycss2.serialize(rule.content))
            rule.content = tinycss2.parse_component_value_list(kept)
    return tinycss2.serialize(rules)


def _without_fonts(style: str) -> str:
    kept = [
        declaration
        for declaration in tinycss2.parse_blocks_contents(style)
        if not (isinstance(declaration, Declaration) and declaration.lower_name in _FONT_PROPERTIES)
    ]
    return tinycss2.serialize(kept)


def _href(element: ET.Element) -> str:
    for attribute, value in element.attrib.items():
        if _local(attribute) == "href":
            return value.strip()
    return ""


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]
