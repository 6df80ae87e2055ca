"""Raw HTML in a card: read as the layout reads it, kept only when it cannot change the
document.

The HTML of a body is parsed with tinyhtml5, the parser WeasyPrint itself uses, so what is
checked here is what would be laid out (a duplicate ``src``, ``<![CDATA[…]]>``, ``<!-->`` or
CSS escapes are seen the same way), and the body handed to the layout is this parse written
out again, so an unclosed element cannot run into the rest of the booklet. Refused: what
reaches the document's head, metadata or base URL, scripts, forms and other documents
(``REFUSED_ELEMENTS``), a theme's own classes and ids, style properties that would change the
page (``STYLE_PROPERTIES`` lists those allowed), links that cannot work on paper, and any
resource that ``ResourcePolicy`` refuses.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import tinycss2
import tinyhtml5
from tinycss2.ast import Declaration, FunctionBlock, Node, URLToken

from .css import css_urls
from .fetch import local_url


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


REFUSED_ELEMENTS = _names(
    # the document's head, metadata and base URL
    "html head body title meta base link style script noscript template"
    # other documents, drawings and media, loaded from elsewhere
    " iframe frame frameset object embed applet param svg math video audio source track"
    " canvas map area portal picture"
    # forms, and the elements that turn the rest of the page into text
    " form button select textarea option optgroup datalist xmp plaintext noembed noframes"
)
STYLE_PROPERTIES = _names(
    "text-align vertical-align color background-color font-weight font-style font-variant"
    " text-decoration text-decoration-line text-transform white-space width height max-width"
    " padding-bottom background background-image background-size background-position"
    " background-repeat"
)
# Attributes that load what they name, wherever they stand.
LOADING_ATTRIBUTES = ("src", "data", "poster", "background", "srcset", "lowsrc", "dynsrc")
LINK_SCHEMES = ("http", "https", "mailto", "tel")
# Elements inside elements, counted from the page's body (a card body is 3 levels down):
# real cards nest a handful of levels; WeasyPrint's layout fails past about 130.
MAX_NESTING = 40
MAX_TAGS = 3000

Problem = tuple[str, str]  # (what to look for in the source to find the line, message)
ResourceProblem = Callable[[str], str | None]  # why an absolute URL may not be loaded


@dataclass(frozen=True)
class Reserved:
    """The classes and ids of the theme's templates (``card``, ``divider``, ``card-…``): a
    card using one would restyle itself as a page of the booklet or break its links."""

    classes: frozenset[str]
    id_prefixes: tuple[str, ...]

    def id_taken(self, value: str) -> bool:
        return any(value == prefix or value.startswith(prefix) for prefix in self.id_prefixes)


@functools.cache
def reserved_names(templates: tuple[Path, ...]) -> Reserved:
    """Every class and id (up to its first Jinja expression) used by the templates."""
    classes: set[str] = set()
    ids: set[str] = set()
    for template in templates:
        for element in tinyhtml5.parse(template.read_text("utf-8")).iter():
            classes.update(element.get("class", "").split())
            if element.get("id"):
                ids.add(element.get("id", "").partition("{")[0])
    classes = {name for name in classes if "{" not in name}
    return Reserved(frozenset(classes), tuple(sorted(i for i in ids if i)))


def may_hold_raw_html(markdown: str) -> bool:
    """Raw HTML needs a "<": a body without one is only what the Markdown stage wrote."""
    return "<" in markdown


def too_many_tags(markdown: str) -> str | None:
    """Why a body holds more HTML than can be read in reasonable time, or None. The HTML
    parser takes time growing with the square of the nesting: 10 000 nested elements (a
    60 KB card) would take minutes, before their depth could even be measured."""
    tags = len(_START_TAG.findall(markdown))
    if tags > MAX_TAGS:
        return f"holds {tags} HTML tags; a card may hold {MAX_TAGS}"
    return None


_START_TAG = re.compile(r"<[A-Za-z]")


def html_problems(
    fragment: str, resource_problem: ResourceProblem, base_url: str, reserved: Reserved
) -> list[Problem]:
    """Everything in ``fragment`` that a card may not do, as laid out in a page;
    ``resource_problem`` judges each absolute URL it would load."""
    html = _parse_in_page(fragment)
    head, body = html.find("head"), html.find("body")
    assert head is not None and body is not None, "the parser always makes both"
    problems: list[Problem] = []
    # <html …> and <body …> in a card add their attributes to the booklet's own elements.
    for name, element in (("html", html), ("body", body)):
        if element.attrib:
            problems.append((f"<{name}", f"<{name}> is not allowed in a card"))
    if (depth := _depth(body)) > MAX_NESTING:
        # The layout recurses once per level: a few kilobytes of <div> would crash it.
        problems.append(("<", f"raw HTML nests {depth} levels deep; the limit is {MAX_NESTING}"))
        return problems
    ours = {id(body), id(body[0])}  # the page's body and the card's place in it
    for element in [*head, *body.iter()]:
        if id(element) not in ours:
            problems += _element_problems(element, resource_problem, base_url, reserved)
    return problems


def _depth(root: ET.Element) -> int:
    deepest, pending = 0, [(root, 0)]
    while pending:
        element, depth = pending.pop()
        deepest = max(deepest, depth)
        pending += [(child, depth + 1) for child in element]
    return deepest


def balanced(fragment: str, base_url: str) -> str:
    """The fragment as the parser understood it, written out again: every element closed
    where it ends, stray end tags dropped, comments gone, and what it loads addressed from
    ``base_url`` (the card's own file, as Markdown images are)."""
    root = tinyhtml5.parser.HTMLParser(namespace_html_elements=False).parse_fragment(fragment)
    for element in root.iter():
        _absolute_urls(element, base_url)
    parts = [_escape_text(root.text or "")]
    for child in root:
        parts.append(_html(child))
    return "".join(parts)


def _absolute_urls(element: ET.Element, base_url: str) -> None:
    attachment = "attachment" in element.get("rel", "").lower().split()
    for attribute, value in element.attrib.items():
        name = attribute.lower()
        if (name in LOADING_ATTRIBUTES and name != "srcset") or (name == "href" and attachment):
            element.set(attribute, local_url(urljoin(base_url, value.strip())))
        elif name == "style" and "url" in value.lower():
            element.set(attribute, _absolute_style(value, base_url))


def _absolute_style(style: str, base_url: str) -> str:
    declarations = tinycss2.parse_blocks_contents(style)
    pending: list[Node] = list(declarations)
    while pending:
        node = pending.pop()
        if isinstance(node, URLToken):
            node.value = local_url(urljoin(base_url, node.value.strip()))
            node.representation = f"url({tinycss2.serializer.serialize_url(node.value)})"
        elif isinstance(node, Declaration):
            pending += node.value
        elif isinstance(node, FunctionBlock):
            if node.lower_name == "url":
                for argument in node.arguments:
                    if argument.type == "string":
                        argument.value = local_url(urljoin(base_url, argument.value.strip()))
                        quoted = tinycss2.serializer.serialize_string_value(argument.value)
                        argument.representation = f'"{quoted}"'
            pending += node.arguments
    return tinycss2.serialize(declarations)


def link_refusal(href: str) -> str | None:
    """Why a link cannot be in a printed booklet or its PDF, or None when it can."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    scheme = urlsplit(href).scheme.lower()
    if scheme in LINK_SCHEMES:
        return None
    if scheme == "javascript":
        return "is a javascript: link, which a PDF must never carry"
    if scheme == "file":
        return "is a file: link, which would carry a path of this computer into the PDF"
    if scheme:
        return f'is a "{scheme}:" link; links go to http(s), mailto or tel addresses'
    return (
        "is a link to a file, which a printed booklet does not have; link to a web address"
        " (https://…) or, for another card, to its number: [le labo](00C.002)"
    )


def _parse_in_page(fragment: str) -> ET.Element:
    """``fragment`` parsed where it stands in the booklet: inside the body of a page."""
    page = f"<!DOCTYPE html><html><head></head><body><div>{fragment}</div></body></html>"
    return tinyhtml5.parse(page, namespace_html_elements=False)


def _element_problems(
    element: ET.Element, resource_problem: ResourceProblem, base_url: str, reserved: Reserved
) -> Iterator[Problem]:
    if not isinstance(element.tag, str):
        return  # a comment
    name = element.tag.rsplit("}", 1)[-1].lower()
    if name in REFUSED_ELEMENTS:
        yield f"<{name}", f"<{name}> is not allowed in a card"
        return
    if name == "input" and element.get("type", "").lower() != "checkbox":
        yield "<input", "<input> is not allowed in a card (only task-list checkboxes)"
    for attribute, value in element.attrib.items():
        attribute = attribute.lower()
        if attribute in LOADING_ATTRIBUTES or attribute.endswith(":href"):
            for url in _urls(attribute, value):
                if reason := resource_problem(urljoin(base_url, url)):
                    yield url, f'"{url}" {reason}'
        elif attribute == "href":
            yield from _href_problems(name, element, value, resource_problem, base_url)
        elif attribute == "style":
            yield from _style_problems(value, resource_problem, base_url)
        elif attribute == "class":
            for taken in sorted(set(value.split()) & reserved.classes):
                yield taken, f'class "{taken}" belongs to the booklet\'s templates'
        elif attribute in ("id", "name") and reserved.id_taken(value):
            yield value, f'{attribute} "{value}" belongs to the booklet\'s templates'


def _href_problems(
    name: str, element: ET.Element, href: str, resource_problem: ResourceProblem, base_url: str
) -> Iterator[Problem]:
    if "attachment" in element.get("rel", "").lower().split():
        # WeasyPrint embeds the file of <a rel="attachment"> in the PDF: a resource.
        if reason := resource_problem(urljoin(base_url, href.strip())):
            yield href, f'"{href}" {reason}'
    elif reason := link_refusal(href):
        yield href, f'link "{href}" {reason}'


def _style_problems(
    style: str, resource_problem: ResourceProblem, base_url: str
) -> Iterator[Problem]:
    for declaration in tinycss2.parse_blocks_contents(style):
        if not isinstance(declaration, Declaration):
            continue
        if declaration.lower_name not in STYLE_PROPERTIES:
            yield (
                declaration.name,
                f'style "{declaration.name}" is not allowed in a card'
                f" (allowed: {', '.join(sorted(STYLE_PROPERTIES))})",
            )
        for url in css_urls(declaration.value):
            if reason := resource_problem(urljoin(base_url, url)):
                yield style, f'"{url}" {reason}'  # CSS escapes decoded: find the style


def _urls(attribute: str, value: str) -> list[str]:
    if attribute == "srcset":  # "a.png 1x, b.png 2x"
        return [item.split()[0] for item in value.split(",") if item.split()]
    return [value.strip()] if value.strip() else []


_ATTRIBUTE_NAME = re.compile(r"[^\s\"'<>/=\x00-\x1f]+")
_VOID = _names("area base br col embed hr img input link meta param source track wbr")


def _html(element: ET.Element) -> str:
    """One element written out as HTML, then its tail."""
    tail = _escape_text(element.tail or "")
    if not isinstance(element.tag, str):
        return tail  # comments are dropped
    name = element.tag.rsplit("}", 1)[-1]
    attributes = "".join(
        f' {key}="{_escape_attribute(value)}"'
        for key, value in element.attrib.items()
        if _ATTRIBUTE_NAME.fullmatch(key)  # the parser keeps junk like <a "x">: dropped
    )
    if name in _VOID:
        return f"<{name}{attributes}>{tail}"
    inner = _escape_text(element.text or "") + "".join(_html(child) for child in element)
    if name in ("pre", "listing", "textarea") and inner.startswith("\n"):
        inner = "\n" + inner  # the parser drops a newline right after the start tag
    return f"<{name}{attributes}>{inner}</{name}>{tail}"


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;")
