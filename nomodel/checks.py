"""Everything a build checks before the layout; light to import, so that ``check`` is quick."""

from __future__ import annotations

from pathlib import Path

from .errors import ContentErrors
from .fetch import ResourcePolicy
from .glyphs import glyph_problems
from .load import BOOKLET_FILE, read_content
from .markdown_html import RenderedContent, render_content
from .project import Theme
from .theme import check_fonts


def resource_policy(content_dir: Path, allow_remote: bool = False) -> ResourcePolicy:
    """A build reads the content folder, the project's own styles/ and templates/ and the
    bundled ones (project.Theme), nothing else."""
    return ResourcePolicy((content_dir.resolve(), *Theme.of(content_dir).roots()), allow_remote)


def check(content_dir: Path, allow_remote: bool = False, typeset: bool = True) -> RenderedContent:
    """The content, validated and converted to HTML; ContentErrors with every problem.

    ``typeset=False`` leaves French typography out of the HTML: it finds no problems, and
    ``nomodel check`` is a third quicker without it."""
    theme = Theme.of(content_dir)
    check_fonts(theme)  # first: without its fonts, every letter would be "missing"
    content, problems = read_content(content_dir)
    policy = resource_policy(content_dir, allow_remote)
    rendered, more_problems = render_content(content, policy, typeset)
    files = [content_dir / BOOKLET_FILE]
    for section in content.sections:
        files += [section.index_file, *(card.path for card in section.cards)]
    inside = content_dir.resolve()
    files = [path for path in files if path.resolve().is_relative_to(inside)]  # links: reported
    problems += (*more_problems, *glyph_problems(files, theme))
    if problems:
        raise ContentErrors(problems)
    return rendered
