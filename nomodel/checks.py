"""Everything a build checks before the layout; light to import, so that ``check`` is quick."""

from __future__ import annotations

import functools
from pathlib import Path
from types import MappingProxyType

from markupsafe import Markup

from .check_cache import CheckCache
from .errors import ContentError, ContentErrors
from .fetch import ResourcePolicy
from .glyphs import glyph_problems, glyph_scan
from .links import Cards
from .load import BOOKLET_FILE, read_content
from .markdown_html import CARD_TOP, INTRO_TOP, MarkdownRenderer, RenderedContent, RendererOptions
from .model import Content
from .project import Theme
from .theme import check_fonts


def resource_policy(content_dir: Path, allow_remote: bool = False) -> ResourcePolicy:
    """A build reads the content folder, the project's own styles/ and templates/ and the
    bundled ones (project.Theme), nothing else."""
    return ResourcePolicy((content_dir.resolve(), *Theme.of(content_dir).roots()), allow_remote)


def check(
    content_dir: Path,
    allow_remote: bool = False,
    problems_only: bool = False,
    kept: CheckCache | None = None,
) -> RenderedContent:
    """The content, validated and converted to HTML; ContentErrors with every problem.

    ``problems_only`` (``nomodel check``): the bodies' HTML is left empty, and what finds no
    problems is left out (French typography, whole words, printed addresses, rendering but
    where raw HTML is checked in context): the Markdown stage is twice as quick.
    ``kept``: the front matters and bodies of an earlier run (check_cache.py); the caller
    saves this run's when it sees fit."""
    theme = Theme.of(content_dir)
    check_fonts(theme)  # first: without its fonts, every letter would be "missing"
    scan = glyph_scan(theme, kept)
    content, problems = read_content(content_dir, kept, scan)
    policy = resource_policy(content_dir, allow_remote)
    rendered, more_problems = render_content(content, policy, problems_only, kept)
    booklet = content_dir / BOOKLET_FILE
    inside = booklet.resolve().is_relative_to(content_dir.resolve())  # a link out: reported
    problems += (*more_problems, *glyph_problems([booklet] if inside else [], scan))
    if problems:
        raise ContentErrors(problems)
    return rendered


def render_content(
    content: Content,
    policy: ResourcePolicy,
    problems_only: bool = False,
    kept: CheckCache | None = None,
) -> tuple[RenderedContent, tuple[ContentError, ...]]:
    """Converts every intro and card body; also returns the problems found on the way."""
    numbers = [card.number for card in content.cards]
    cards = Cards(dict(zip(numbers, _resolved([card.path for card in content.cards]), strict=True)))
    templates = Theme.of(content.root).templates()
    everything = not problems_only
    options = RendererOptions(typeset=everything, paper=everything, html=everything)
    renderer = MarkdownRenderer(policy, options, cards, templates)
    sources = []
    for section in content.sections:
        sources.append(
            (section.intro, section.index_file, section.intro_line, INTRO_TOP, section.slug)
        )
        sources += [(c.body, c.path, c.body_line, CARD_TOP, c.number) for c in section.cards]
    done = (kept or CheckCache(None)).converted_all(renderer, policy, sources)
    bodies: dict[Path, Markup] = {}
    references: set[str] = set()
    problems: list[ContentError] = []
    for (_, path, *_), converted in zip(sources, done, strict=True):
        bodies[path] = converted.html
        references |= converted.references
        problems += converted.problems
    rendered = RenderedContent(content, MappingProxyType(bodies), frozenset(references))
    return rendered, tuple(problems)


def _resolved(paths: list[Path]) -> list[Path]:
    """``path.resolve()`` of each path, each folder resolved once: a content folder holds a
    few folders and thousands of files, and resolving a path looks at each of its parts."""
    folders = functools.cache(Path.resolve)
    return [
        path.resolve() if path.is_symlink() else folders(path.parent) / path.name for path in paths
    ]
