"""The validated content, passed between pipeline stages as small immutable values.

Each key of ``booklet.yml`` and of the front matter is declared once, here: its type (with
the checks of ``schema.py``) and, as the docstring under it, what it means. The same
declaration validates the files, documents the keys in the README and makes the JSON Schemas
that editors use (``nomodel schema``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nomodel.schema import (
    CardsStart,
    EditionName,
    IsoDate,
    Listed,
    Number,
    PageFormat,
    Series,
    Strict,
    Text,
    Url,
)


class Testimony(Strict):
    name: Text
    """the person's name"""
    role: str = ""
    """their role, printed under the name"""


class Link(Strict):
    label: Text
    """the link's text"""
    url: Url
    """its address: `https://…`, `http://…` or `mailto:…`"""


class CardFrontMatter(Strict):
    """What a card's front matter may hold."""

    number: Number
    """two digits, the section's letter, a dot, three digits: `00C.001`"""
    title: Text
    """the card's title"""
    date: IsoDate
    """written year-month-day (`2020-05-04`), printed “04 MAI 2020”"""
    testimonies: Listed[Testimony] = ()
    """people quoted: heading “Témoignage”, or “Témoignages” for several"""
    summary: str = ""
    """one or two sentences under the title; the subject of the card's own PDF"""
    tags: Listed[str] = ()
    """printed at the card's foot; keywords of the PDFs; editions choose cards by them"""
    links: Listed[Link] = ()
    """printed as readable, clickable addresses (with a QR code when `qr: true`)"""


class Card(CardFrontMatter):
    """A card: its front matter, and where its text comes from."""

    path: Path  # the card's Markdown file
    body: str  # Markdown source, front matter removed
    body_line: int  # 1-based line of the file where ``body`` starts


class SectionFrontMatter(Strict):
    """What a section's ``_section.md`` front matter may hold."""

    title: Text
    """printed “( Nos cousins )” on the section's divider"""
    short_title: str = ""
    """the running head of its pages (without it, the title shortened after a whole word)"""
    series: Series
    """one capital letter, the letter of its cards' numbers"""
    order: int = 0
    """sections are sorted by order, then by folder name"""


class Section(SectionFrontMatter):
    """A section: its front matter, its intro and its cards."""

    path: Path  # the section's folder
    intro: str  # Markdown body of _section.md
    intro_line: int  # 1-based line of _section.md where ``intro`` starts
    cards: tuple[Card, ...]

    @property
    def slug(self) -> str:
        return self.path.name

    @property
    def index_file(self) -> Path:
        return self.path / "_section.md"


class Edition(Strict):
    """A booklet made of part of the content, for one workshop: ``build --edition NAME``.

    A card is in it when its section, its number or one of its tags is listed; with nothing
    listed, every card is."""

    name: EditionName
    """lower case letters, digits and dashes: `build --edition atelier` → `output/atelier.pdf`"""
    title: str = ""
    """its title (the booklet's when absent)"""
    subtitle: str = ""
    """its subtitle"""
    sections: Listed[str] = ()
    """the section folders it takes whole"""
    cards: Listed[Number] = ()
    """the card numbers it takes"""
    tags: Listed[str] = ()
    """it takes the cards having one of these tags"""
    format: PageFormat | None = None
    """`A4`, `A5` or `A6` (the booklet's when absent)"""


class Booklet(Strict):
    """The publication itself, from ``booklet.yml``."""

    title: Text
    """on the cover, the colophon and as the PDF's title"""
    subtitle: str = ""
    """on the cover and the colophon"""
    author: str = ""
    """the PDF's author, printed in the colophon"""
    edition: str = ""
    """on the cover and the colophon"""
    subject: str = ""
    """the PDF's subject"""
    lang: Text = "fr"
    """the document's language, `fr` by default"""
    format: PageFormat = "A5"
    """`A5` (default), `A4` or `A6`"""
    keywords: Listed[str] = ()
    """the PDF's keywords"""
    cards_start: CardsStart = "any"
    """`any` (default): a card starts on the next page; `recto`: on the next right-hand page"""
    editions: Listed[Edition] = ()
    """booklets made of part of the cards (see “Editions for a workshop”)"""
    qr: bool = False
    """`true`: a QR code beside each of a card's `links`, to scan the printed card with a phone"""
    tint: bool = True
    """`false`: white covers and dividers instead of the manila tint, for office printers"""


@dataclass(frozen=True)
class Content:
    root: Path
    booklet: Booklet
    sections: tuple[Section, ...]

    @property
    def cards(self) -> tuple[Card, ...]:
        return tuple(card for section in self.sections for card in section.cards)
