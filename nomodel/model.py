"""The validated content, passed between pipeline stages as small immutable values."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Testimony:
    name: str
    role: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Card:
    path: Path  # the card's Markdown file
    number: str  # "00C.001"
    title: str
    date: datetime.date
    body: str  # Markdown source, front matter removed
    body_line: int  # 1-based line of the file where ``body`` starts
    testimonies: tuple[Testimony, ...] = ()
    summary: str = ""
    tags: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Section:
    path: Path  # the section's folder
    title: str
    series: str  # one capital letter, "C"
    order: int
    intro: str  # Markdown body of _section.md
    intro_line: int  # 1-based line of _section.md where ``intro`` starts
    cards: tuple[Card, ...]
    short_title: str = ""  # for the running heads; the title shortened when empty

    @property
    def slug(self) -> str:
        return self.path.name

    @property
    def index_file(self) -> Path:
        return self.path / "_section.md"


@dataclass(frozen=True)
class Edition:
    """A booklet made of part of the content, for one workshop: ``build --edition NAME``.

    A card is in it when its section, its number or one of its tags is listed; with nothing
    listed, every card is."""

    name: str
    title: str = ""  # the booklet's own when empty
    subtitle: str = ""
    sections: tuple[str, ...] = ()
    cards: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    format: str | None = None


@dataclass(frozen=True)
class Booklet:
    """The publication itself, from ``booklet.yml``."""

    title: str
    subtitle: str = ""
    author: str = ""
    edition: str = ""
    lang: str = "fr"
    format: str = "A5"  # "A4", "A5" or "A6"
    subject: str = ""
    keywords: tuple[str, ...] = ()
    cards_start: str = "any"  # "any": the next page; "recto": the next right-hand page
    editions: tuple[Edition, ...] = ()
    qr: bool = False  # a QR code beside each link of a card
    tint: bool = True  # False: white covers and dividers, for office printers


@dataclass(frozen=True)
class Content:
    root: Path
    booklet: Booklet
    sections: tuple[Section, ...]

    @property
    def cards(self) -> tuple[Card, ...]:
        return tuple(card for section in self.sections for card in section.cards)
