"""Markdown bodies → HTML fragments, with French typography and images resolved."""

from __future__ import annotations

import io
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urljoin

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup
from PIL import Image

from .errors import ContentError
from .fetch import CardImages, ResourcePolicy, css_url, local_url
from .html_policy import (
    balanced,
    html_problems,
    link_refusal,
    may_hold_raw_html,
    reserved_names,
    too_many_tags,
)
from .model import Content
from .project import Theme
from .typography import FrenchTypographyExtension

# Cards' titles are h2 under the section's h1: a heading in a body starts at h3.
HEADING_SHIFT = 2
# The alt text that says an image is only decoration (README: "Images").
DECORATIVE = {"décoratif", "decoratif", "décorative", "decorative"}


@dataclass
class _Source:
    """Where the Markdown being converted comes from, for error messages, and what it may
    load."""

    policy: ResourcePolicy
    path: Path = Path()
    text: str = ""
    first_line: int = 1
    problems: list[ContentError] = field(default_factory=list)
    images: CardImages = field(init=False)

    def start(self, path: Path, text: str, first_line: int) -> None:
        """A new body: its own problems and its own images' count."""
        self.path, self.text, self.first_line = path, text, first_line
        self.problems = []
        self.images = CardImages(self.policy)

    def report(self, needle: str, message: str) -> None:
        """A problem on the line where ``needle`` is written."""
        offset = self.text.find(needle)
        if offset < 0:  # <META for <meta, an attribute's value as the parser decoded it
            offset = self.text.lower().find(needle.lower())
        line = self.first_line + (self.text.count("\n", 0, offset) if offset >= 0 else 0)
        self.problems.append(ContentError(self.path, line, message))


class _ImagesAndHeadings(Treeprocessor):
    """Resolves image paths against the card's own file and demotes body headings."""

    def __init__(self, md: markdown.Markdown, source: _Source) -> None:
        super().__init__(md)
        self.source = source

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                element.tag = f"h{min(int(element.tag[1]) + HEADING_SHIFT, 6)}"
            elif element.tag == "img":
                self._image(element)
            elif element.tag == "a" and (reason := link_refusal(href := element.get("href", ""))):
                self.source.report(href, f'link "{href}" {reason}')

    def _image(self, img: etree.Element) -> None:
        src = img.get("src", "")
        alt = img.get("alt", "").strip()
        if not alt:
            self.source.report(
                src,
                f'image "{src}" has no alt text: describe it between the brackets,'
                f" or write ![décoratif]({src}) if it is only decoration",
            )
        # Relative to the card's own file; decoded once, by the policy, as the layout will.
        url = local_url(urljoin(self.source.path.absolute().as_uri(), src))
        if reason := self.source.images.problem(url):
            self.source.report(src, f'image "{src}" {reason}')
            img.set("src", "")  # reported once, here, with its line
        elif alt.lower() in DECORATIVE:
            self._as_decoration(img, url, src)
        else:
            img.set("src", url)

    def _as_decoration(self, img: etree.Element, url: str, src: str) -> None:
        """A decorative image becomes a background, which a tagged PDF marks as an
        artifact: screen readers pass over it instead of announcing an empty figure."""
        try:
            data = self.source.policy.read(url).data
            with Image.open(io.BytesIO(data)) as picture:
                width, height = picture.size
        except (OSError, Image.DecompressionBombError):
            self.source.report(
                src, f'image "{src}" cannot be read (decorative images are PNG or JPEG)'
            )
            return
        img.clear()
        img.tag = "span"
        img.set("class", "decoration")
        img.set("style", f"width: {width}px")
        drawing = etree.SubElement(img, "span")
        drawing.set(
            "style",
            f"padding-bottom: {100 * height / width:.3f}%; background-image: {css_url(url)}",
        )


class _BodyExtension(Extension):
    def __init__(self, source: _Source) -> None:
        super().__init__()
        self.source = source

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ImagesAndHeadings(md, self.source), "nomodel-images", 4)


class MarkdownRenderer:
    """One Markdown converter reused for every body, so footnote ids stay unique."""

    def __init__(
        self, policy: ResourcePolicy, templates: tuple[Path, ...], typeset: bool = True
    ) -> None:
        self._source = _Source(policy)
        self._reserved = reserved_names(templates)  # the names the booklet's templates use
        self._md = markdown.Markdown(
            extensions=[
                "footnotes",
                "tables",
                "fenced_code",
                "sane_lists",
                *([FrenchTypographyExtension()] if typeset else []),
                _BodyExtension(self._source),
            ],
            extension_configs={"footnotes": {"UNIQUE_IDS": True}},
            output_format="html",
        )

    def convert(self, text: str, path: Path, first_line: int) -> tuple[Markup, list[ContentError]]:
        self._source.start(path, text, first_line)
        if too_many := too_many_tags(text):
            self._source.report("<", too_many)
            return Markup(""), self._source.problems
        html = self._md.reset().convert(text)
        if may_hold_raw_html(text):
            # Raw HTML is read as the layout will read it, and kept only when harmless; what
            # it loads is addressed from the card's own file, like a Markdown image.
            base = path.absolute().as_uri()
            images = self._source.images.problem
            problems = html_problems(html, images, base, self._reserved)
            for needle, message in problems:
                self._source.report(needle, message)
            if not problems:  # else the card is refused: its HTML is never laid out
                html = balanced(html, base)
        return Markup(html), self._source.problems


@dataclass(frozen=True)
class RenderedContent:
    """The content with every Markdown body turned into HTML, keyed by source file."""

    content: Content
    bodies: Mapping[Path, Markup]


def render_content(
    content: Content, policy: ResourcePolicy, typeset: bool = True
) -> tuple[RenderedContent, tuple[ContentError, ...]]:
    """Converts every intro and card body; also returns the problems found on the way."""
    templates = Theme.of(content.root).templates()
    renderer = MarkdownRenderer(policy, templates, typeset)
    bodies: dict[Path, Markup] = {}
    problems: list[ContentError] = []
    for section in content.sections:
        sources = [(section.index_file, section.intro, section.intro_line)]
        sources += [(card.path, card.body, card.body_line) for card in section.cards]
        for path, text, line in sources:
            bodies[path], found = renderer.convert(text, path, line)
            problems += found
    return RenderedContent(content, MappingProxyType(bodies)), tuple(problems)
