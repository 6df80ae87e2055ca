"""Markdown bodies → HTML fragments: CommonMark and GitHub's extensions (markdown-it-py),
with French typography, images resolved, links checked and printable, headings demoted.

Everything special to nomodel is a markdown-it core rule working on tokens (never a regex
over HTML), and every problem is reported on its line from the tokens' line maps.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin

from markdown_it import MarkdownIt
from markdown_it.common import normalize_url
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from PIL import Image

from .autolinks import GfmAutolinks
from .errors import ContentError
from .fetch import CardImages, ResourcePolicy, css_url, local_url
from .html_policy import (
    balanced,
    html_problems,
    may_hold_raw_html,
    reserved_names,
    too_many_tags,
)
from .links import (
    Cards,
    address_html,
    cross_reference_html,
    is_own_address,
    link_target,
    shown_address,
)
from .model import Content
from .project import Theme
from .typography import french_typography_plugin
from .words import whole_words_plugin

# Cards' titles are h2 under the section's h1: a card body's top heading is h3, an intro's h2.
CARD_TOP, INTRO_TOP = 3, 2
# The alt text that says an image is only decoration (README: "Images").
DECORATIVE = {"décoratif", "decoratif", "décorative", "decorative"}


@dataclass
class _Body:
    """The body being converted: where it comes from, for error messages, and its options."""

    path: Path
    first_line: int  # the file's line where the body starts
    top: int | None  # level of the body's top heading once demoted; None: as written
    images: CardImages  # what the body loads, its images' pixels counted together
    problems: list[ContentError] = field(default_factory=list)
    references: set[str] = field(default_factory=set)  # numbers of the cards it refers to
    raw_line: int = 0  # where the author's raw HTML starts

    def report(self, line: int, message: str) -> None:
        """``line`` counts from 0 at the body's first line, like markdown-it's maps."""
        self.problems.append(ContentError(self.path, self.first_line + line, message))


@dataclass(frozen=True)
class Converted:
    """One body as HTML, with its problems, the cards it refers to and what it depends on
    besides its text: the files it read (URL → ``ResourcePolicy.state``)."""

    html: Markup
    problems: tuple[ContentError, ...]
    references: frozenset[str] = frozenset()
    reads: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RendererOptions:
    typeset: bool = True  # French typography
    paper: bool = True  # links print their address; addresses break only after / . - _ @
    demote: bool = True  # headings demoted under the card's title
    balance_html: bool = True  # raw HTML written out again as the layout's parser reads it
    # False: the problems only (``nomodel check``); a body is then rendered to HTML only when
    # its raw HTML is checked in context (``_html``), else parsed, and its HTML is empty.
    html: bool = True


# The longest address kept normalized (``_EveryLink``): a hostile one of megabytes is
# normalized each time it comes, never kept.
LONGEST_KEPT = 2000


@functools.lru_cache(maxsize=8192)
def _kept(normalize: Callable[[str], str], url: str) -> str:
    return normalize(url)


def _normalized(normalize: Callable[[str], str], url: str) -> str:
    return _kept(normalize, url) if len(url) <= LONGEST_KEPT else normalize(url)


class _EveryLink(MarkdownIt):
    """markdown-it prints links to javascript:, file: or data: as plain text; we refuse them
    with the file and line instead (and images go through the ResourcePolicy)."""

    def validateLink(self, url: str) -> bool:
        return True

    # Each address normalized once: mdurl parses and encodes it in Python (150 µs), and a
    # booklet repeats its addresses (2.1 s of 12 for a check of 2000 generated cards).
    # markdown-it's own methods call the same functions, uncached.
    def normalizeLink(self, url: str) -> str:
        return _normalized(normalize_url.normalizeLink, url)

    def normalizeLinkText(self, link: str) -> str:
        return _normalized(normalize_url.normalizeLinkText, link)


class MarkdownRenderer:
    """One markdown-it parser, with nomodel's rules, reused for every body."""

    def __init__(
        self,
        policy: ResourcePolicy,
        options: RendererOptions | None = None,
        cards: Cards | None = None,
        templates: tuple[Path, ...] | None = None,
    ) -> None:
        self.policy, self.options = policy, options or RendererOptions()
        self.cards = cards or Cards({})
        # The class and id names of the booklet's templates (by default nomodel's own).
        self._reserved = reserved_names(templates or Theme.bundled_only().templates())
        md = _EveryLink("commonmark", {"html": True, "linkify": True})
        md.enable(["table", "strikethrough", "linkify"])
        md.linkify = GfmAutolinks()  # bare addresses as GitHub links them (autolinks.py)
        md.use(footnote_plugin).use(tasklists_plugin)
        md.core.ruler.after("github-tasklists", "nomodel_task_boxes", _task_boxes)
        md.core.ruler.after("linkify", "nomodel_links", self._links)
        md.core.ruler.after("nomodel_links", "nomodel_images", self._images)
        md.core.ruler.after("nomodel_images", "nomodel_raw_html", self._raw_html)
        md.core.ruler.after("nomodel_raw_html", "nomodel_headings", self._headings)
        if self.options.typeset:
            md.use(french_typography_plugin)
        if self.options.paper:  # after typography: it unties what typography tied
            md.use(whole_words_plugin)
        md.add_render_rule("image", _render_image)
        for kind, render in _RENDER_RULES.items():
            md.add_render_rule(kind, render)
        self._md = md

    def context(self) -> str:
        """What every conversion depends on besides its body and the files it reads: the
        options, the cards a body may refer to, the policy and the theme's reserved names."""
        cards = sorted((number, str(path)) for number, path in self.cards.by_number.items())
        roots = [str(root) for root in self.policy.roots]
        options = dataclasses.astuple(self.options)
        reserved = [sorted(self._reserved.classes), self._reserved.id_prefixes]
        return json.dumps([options, cards, roots, self.policy.allow_remote, reserved])

    def converted(
        self, text: str, path: Path, first_line: int, top: int = CARD_TOP, doc_id: str = ""
    ) -> Converted:
        """``top``: the level of the body's top heading; ``doc_id`` keeps its footnote ids
        unique in the booklet ("fn-00C.001-1")."""
        images = CardImages(self.policy.recording())
        body = _Body(path, first_line, top if self.options.demote else None, images)
        html = self._html(text, body, doc_id)
        reads = images.policy.reads or {}
        return Converted(html, tuple(body.problems), frozenset(body.references), reads)

    def _html(self, text: str, body: _Body, doc_id: str) -> Markup:
        if too_many := too_many_tags(text):  # the HTML parser would take minutes
            body.report(text.count("\n", 0, text.find("<")), too_many)
            return Markup("")
        env = {"nomodel": body, "docId": doc_id or None, "paper": self.options.paper}
        raw_html = self.options.balance_html and may_hold_raw_html(text)
        if not (self.options.html or raw_html):
            self._md.parse(text, env)  # every problem is found by the core rules
            return Markup("")
        html = self._md.render(text, env)
        if raw_html and not body.problems:
            base = body.path.absolute().as_uri()
            # Each raw snippet was checked on its line; the whole body is checked once more
            # for what only shows in context (<div>s left open in one block nesting the next).
            for _, message in html_problems(html, body.images.problem, base, self._reserved):
                body.report(body.raw_line, message)
            if not body.problems:
                # An element left open closes at the end of the body, never runs into the
                # booklet; what raw HTML loads is addressed from the card's own file.
                html = balanced(html, base)
        return Markup(html)  # a body with problems is never laid out

    # --- links ---------------------------------------------------------------------

    def _links(self, state: StateCore) -> None:
        body: _Body = state.env["nomodel"]
        for children, i, line in _inline_children(state.tokens, "link_open"):
            token = children[i]
            href = str(token.attrGet("href") or "")
            target = link_target(href, body.path, self.cards)
            if target.file is not None:  # where it leads depends on the folders' links too
                body.images.policy.note(target.file.absolute().as_uri())
            close = _closing(children, i)
            if target.kind == "refused":
                body.report(line, f'link "{_as_written(href)}" {target.value}')
            elif target.kind == "card":
                body.references.add(target.value)
                token.attrSet("href", f"#card-{target.value}")
                token.attrSet("class", "xref")
                children.insert(close, _html(cross_reference_html(target.value)))
            elif target.kind == "web":
                self._web_link(children, i, close, href)

    def _web_link(self, children: list[Token], i: int, close: int, href: str) -> None:
        inside = children[i + 1 : close]
        text = "".join(t.content for t in inside)
        prints_address = all(t.type == "text" for t in inside) and is_own_address(text, href)
        if prints_address:  # printed as an address, never typeset
            children[i + 1 : close] = [_token("address", text)]
        elif self.options.paper:
            address = _token("link-address", shown_address(href))
            address.meta["href"] = href
            children.insert(close + 1, address)

    # --- images --------------------------------------------------------------------

    def _images(self, state: StateCore) -> None:
        body: _Body = state.env["nomodel"]
        for children, i, line in _inline_children(state.tokens, "image"):
            self._image(children[i], body, line)

    def _image(self, img: Token, body: _Body, line: int) -> None:
        src = str(img.attrGet("src") or "")
        shown = _as_written(src)
        alt = img.content.strip()
        if not alt:
            body.report(
                line,
                f'image "{shown}" has no alt text: describe it between the brackets,'
                f" or write ![décoratif]({shown}) if it is only decoration",
            )
        # Relative to the card's own file; decoded once, by the policy, as the layout will.
        url = local_url(urljoin(body.path.absolute().as_uri(), src))
        if reason := body.images.problem(url):
            body.report(line, f'image "{shown}" {reason}')  # the body is never laid out
        elif alt.lower() in DECORATIVE:
            self._as_decoration(img, url, body, line, shown)
        else:
            img.attrSet("src", url)

    def _as_decoration(self, img: Token, url: str, body: _Body, line: int, shown: str) -> None:
        """A decorative image becomes a background, which a tagged PDF marks as an
        artifact: screen readers pass over it instead of announcing an empty figure."""
        try:
            with Image.open(io.BytesIO(body.images.policy.read(url).data)) as picture:
                width, height = picture.size
        except (OSError, Image.DecompressionBombError):
            message = "cannot be read (decorative images are PNG or JPEG)"
            body.report(line, f'image "{shown}" {message}')
            return
        img.meta["decoration"] = (url, width, height)

    # --- raw HTML ------------------------------------------------------------------

    def _raw_html(self, state: StateCore) -> None:
        """The author's raw HTML, checked by the HTML policy (what it loads, links, elements
        and styles) one snippet at a time, so that each problem is reported on its line."""
        body: _Body = state.env["nomodel"]
        lines = []
        for token, line in _raw_tokens(state.tokens):
            token.meta["tags"] = _Tags(token.content)  # its headings, demoted below
            lines.append(line)
        body.raw_line = min(lines, default=0)
        base = body.path.absolute().as_uri()
        for snippet in _raw_snippets(state.tokens):
            start: dict[str, int] = {}
            problems = html_problems(snippet.html, body.images.problem, base, self._reserved)
            for needle, message in problems:
                # The needle as written, or as the parser decoded it (<META for <meta).
                found = snippet.html.find(needle, start.get(needle, 0))
                if found < 0:
                    found = snippet.html.lower().find(needle.lower())
                start[needle] = found + 1
                body.report(snippet.line_at(max(found, 0)), message)

    # --- headings ------------------------------------------------------------------

    def _headings(self, state: StateCore) -> None:
        """Demotes every heading, Markdown or raw HTML, so that the body's own top level
        sits right under the card's title (or the section's, for an intro)."""
        body: _Body = state.env["nomodel"]
        if body.top is None:
            return
        markdown = [t for t in state.tokens if t.type in {"heading_open", "heading_close"}]
        raw = [t for t in state.tokens if "tags" in t.meta] + [
            child
            for t in state.tokens
            for child in t.children or ()
            if child.type == "html_inline" and "tags" in child.meta
        ]
        levels = [int(t.tag[1]) for t in markdown]
        levels += [level for t in raw for _, level in t.meta["tags"].headings]
        if not levels:
            return
        shift = body.top - min(levels)
        for token in markdown:
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"
        for token in raw:
            token.content = token.meta["tags"].demoted(shift)


# --- tokens ------------------------------------------------------------------------------


def _as_written(url: str) -> str:
    """A URL as the author wrote it, for messages: markdown-it percent-encodes "é" and
    spaces; an escape that decodes to a control character (%00) stays as written."""
    decoded = unquote(url)
    return decoded if decoded.isprintable() else url


def _inline_children(tokens: list[Token], kind: str) -> Iterator[tuple[list[Token], int, int]]:
    """(children, index, line) for every inline token's child of type ``kind``, ``line``
    counting from 0 at the body's start: markdown-it maps blocks to lines, and inside a
    block each soft or hard break starts the next line. The child may be replaced, and
    children inserted after it."""
    for block in tokens:
        if block.type != "inline" or not block.children or block.map is None:
            continue
        line = block.map[0]
        children = block.children
        i = 0
        while i < len(children):
            if children[i].type == kind:
                yield children, i, line
            child = children[i]
            if child.type in {"softbreak", "hardbreak"}:
                line += 1
            elif child.type == "html_inline":
                line += child.content.count("\n")
            elif child.children:  # an image's alt text
                line += sum(c.type == "softbreak" for c in child.children)
            i += 1


def _closing(children: list[Token], i: int) -> int:
    """The index of the link_close of the link opened at ``i``."""
    return next(j for j in range(i + 1, len(children)) if children[j].type == "link_close")


def _token(kind: str, content: str) -> Token:
    token = Token(kind, "", 0)
    token.content = content
    return token


def _html(html: str) -> Token:
    token = _token("html_inline", html)
    token.meta["ours"] = True  # not the author's HTML: not scanned
    return token


def _task_boxes(state: StateCore) -> None:
    """The task-list plugin's <input> checkboxes become ☐ and ☑, which print."""
    for children, i, _ in _inline_children(state.tokens, "html_inline"):
        token = children[i]
        if token.content.startswith('<input class="task-list-item-checkbox"'):
            box = "☑" if 'checked="checked"' in token.content else "☐"
            children[i] = _html(f'<span class="task-box">{box}</span>')


# --- raw HTML ----------------------------------------------------------------------------


@dataclass
class _Snippet:
    """A piece of the author's raw HTML: an html_block, or the html_inline tokens of one
    paragraph joined (so that a scanner sees <svg>…</svg> whole), with each part's line."""

    html: str
    parts: list[tuple[int, int]]  # (offset in html, line) of each part

    def line_at(self, offset: int) -> int:
        start, line = max((p for p in self.parts if p[0] <= offset), default=self.parts[0])
        return line + self.html.count("\n", start, offset)


def _raw_tokens(tokens: list[Token]) -> Iterator[tuple[Token, int]]:
    """Every html_block and html_inline token the author wrote, with its line."""
    for token in tokens:
        if token.type == "html_block" and token.map is not None:
            yield token, token.map[0]
    for children, i, line in _inline_children(tokens, "html_inline"):
        if _authors_inline_html(children[i]):
            yield children[i], line


def _raw_snippets(tokens: list[Token]) -> Iterator[_Snippet]:
    for token in tokens:
        if token.type == "html_block" and token.map is not None:
            yield _Snippet(token.content, [(0, token.map[0])])
    runs: dict[int, list[tuple[Token, int]]] = {}  # id of the children's list → its HTML
    for children, i, line in _inline_children(tokens, "html_inline"):
        if _authors_inline_html(children[i]):
            runs.setdefault(id(children), []).append((children[i], line))
    for run in runs.values():
        parts, offset = [], 0
        for token, line in run:
            parts.append((offset, line))
            offset += len(token.content)
        yield _Snippet("".join(token.content for token, _ in run), parts)


def _authors_inline_html(token: Token) -> bool:
    return token.type == "html_inline" and not token.meta.get("ours")


class _Tags(HTMLParser):
    """The headings of a raw HTML snippet, with their offsets, from the standard library's
    HTML tokenizer: a heading is demoted by rewriting its tag names only."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self._line_starts = [0] + [i + 1 for i, c in enumerate(html) if c == "\n"]
        self.headings: list[tuple[int, int]] = []  # (offset of the level digit, level)
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if _is_heading(tag):
            self.headings.append((self._offset() + 2, int(tag[1])))  # "<h2"

    def handle_endtag(self, tag: str) -> None:
        if _is_heading(tag):
            self.headings.append((self._offset() + 3, int(tag[1])))  # "</h2"

    def demoted(self, shift: int) -> str:
        html = list(self.html)
        for offset, level in self.headings:
            html[offset] = str(min(level + shift, 6))
        return "".join(html)


def _is_heading(tag: str) -> bool:
    return len(tag) == 2 and tag[0] == "h" and tag[1] in "123456"


# --- rendering ---------------------------------------------------------------------------


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    decoration = tokens[idx].meta.get("decoration")
    if decoration is None:
        return self.image(tokens, idx, options, env)
    uri, width, height = decoration
    return (
        f'<span class="decoration" style="width: {width}px"><span style="padding-bottom:'
        f' {100 * height / width:.3f}%; background-image: {escape(css_url(uri))}"></span></span>'
    )


def _render_address(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    html = address_html(tokens[idx].content, env["paper"])
    return f'<span class="address">{html}</span>' if env["paper"] else html


def _render_link_address(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """The address printed after a link's text, a link itself: what is printed as an address
    can be clicked too (PDF/UA checkers ask it)."""
    token = tokens[idx]
    html = address_html(token.content, paper=True)
    link = f'<a href="{escape(token.meta["href"])}" class="address">{html}</a>'
    return f' <span class="link-address">({link})</span>'


def _render_footnote_ref(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A plain superscript number, without the plugin's brackets."""
    html = self.rules["footnote_anchor_name"](tokens, idx, options, env)
    meta = tokens[idx].meta
    ref = html + (f":{meta['subId']}" if meta.get("subId", -1) > 0 else "")
    link = f'<a href="#fn{html}" id="fnref{ref}">{meta["id"] + 1}</a>'
    return f'<sup class="footnote-ref">{link}</sup>'


_RENDER_RULES = {
    "address": _render_address,
    "link-address": _render_link_address,
    "footnote_ref": _render_footnote_ref,
}


@dataclass(frozen=True)
class RenderedContent:
    """The content with every Markdown body turned into HTML, keyed by source file, and the
    numbers of the cards that bodies refer to."""

    content: Content
    bodies: Mapping[Path, Markup]
    references: frozenset[str] = frozenset()
