"""Rendered content → one HTML document, through the Jinja templates in ``templates/`` (the
project's own, over the bundled ones: project.Theme)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from .markdown_html import RenderedContent
from .model import Content
from .paper import PAPER_SIZES
from .project import BASE_TEMPLATE, Theme
from .qr import qr_code
from .running_head import running_head
from .theme import font_families
from .typography import typeset


@dataclass(frozen=True)
class FontCredit:
    family: str
    licence_file: str
    copyright: str


# The bundled fonts' copyrights and licences (styles/fonts/), by family. The colophon credits
# those of them that the stylesheet's @font-face rules name (theme.font_families).
FONT_CREDITS = {
    credit.family: credit
    for credit in (
        FontCredit(
            "Old Standard TT",
            "OldStandard-OFL.txt",
            "© 2006-2011 Alexey Kryukov, SIL Open Font License 1.0",
        ),
        FontCredit(
            "Courier Prime",
            "CourierPrime-OFL.txt",
            "© 2015 Quote-Unquote Apps, SIL Open Font License 1.1",
        ),
        FontCredit(
            "DejaVu Serif",
            "DejaVu-LICENSE.txt",
            "© 2003 Bitstream, DejaVu changes in the public domain; for signs the others lack",
        ),
        FontCredit(
            "Symbola",
            "Symbola-LICENSE.txt",
            "© 2007-2015 George Douros, free for any use; for symbols and emoji",
        ),
    )
}


def french_date(value: datetime.date, pattern: str = "dd MMMM yyyy") -> str:
    """``04 MAI 2020``: Babel's French month names, upper case with its accents (DÉCEMBRE)."""
    return format_date(value, pattern, locale="fr_FR").upper()


def long_french_date(value: datetime.date) -> str:
    return format_date(value, "d MMMM yyyy", locale="fr_FR")


def _environment(theme: Theme) -> Environment:
    # Sandboxed: a project's own templates travel with its content, and a template could
    # otherwise reach Python's internals through the objects it is given (``__globals__``).
    env = SandboxedEnvironment(
        loader=FileSystemLoader(theme.folders("templates")),  # the first that has a name wins
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(fr=typeset, french_date=french_date, long_french_date=long_french_date)
    return env


def keywords(content: Content) -> list[str]:
    """The booklet's keywords, then every card's tags, each once."""
    tags = (tag for card in content.cards for tag in card.tags)
    return list(dict.fromkeys((*content.booklet.keywords, *tags)))


def absent_references(rendered: RenderedContent) -> list[str]:
    """Cards that bodies refer to but that this booklet (an edition, a proof) leaves out:
    their cross-references print the number without a page."""
    present = {card.number for card in rendered.content.cards}
    return sorted(rendered.references - present)


def compose(
    rendered: RenderedContent,
    version: datetime.datetime,
    proof: bool = False,
    mark: Callable[..., str] = lambda *_: "",
) -> str:
    """The whole booklet as one HTML string; content only ever enters as template data.

    ``version`` dates the booklet: its colophon and the PDF's creation date. A ``proof`` has
    only the sections' dividers and the cards. ``mark`` marks where its parts start
    (chunks.Marks)."""
    theme = Theme.of(rendered.content.root)
    template = _environment(theme).get_template(BASE_TEMPLATE)
    return template.render(
        booklet=rendered.content.booklet,
        page_size=PAPER_SIZES[rendered.content.booklet.format],
        sections=rendered.content.sections,
        bodies=rendered.bodies,
        keywords=keywords(rendered.content),
        absent_references=absent_references(rendered),
        version=version,
        proof=proof,
        fonts=[FONT_CREDITS[name] for name in font_families(theme) if name in FONT_CREDITS],
        running_head=running_head,
        qr_code=qr_code,
        stylesheet=theme.stylesheet().as_uri(),
        mark=mark,
    )
