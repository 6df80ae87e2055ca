"""Links in Markdown bodies: where they may lead, and how they read on paper.

A reader of the printed booklet cannot click. A link whose text is not its own address
prints its address after the text; a link to another card (``[texte](00C.002)`` or a
relative link to its file) prints the card's number and the page where it starts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .html_policy import LINK_SCHEMES, link_refusal
from .schema import NUMBER_PATTERN

# What a printed booklet may link to besides its own anchors and cards (README "Links").
WEB_SCHEMES = frozenset(LINK_SCHEMES)
# Shown instead of the scheme of addresses that read better without it.
_SHOWN_WITHOUT = ("mailto:", "tel:")
# A printed address breaks only after these, and no hyphen is added (styles: .address).
_BREAK_AFTER = re.compile(r"[/.\-_@]+(?=.)")


@dataclass(frozen=True)
class Cards:
    """The cards a body may refer to: by number, and by their file (resolved)."""

    by_number: Mapping[str, Path]

    def number_of(self, path: Path | None) -> str | None:
        return next((n for n, card in self.by_number.items() if card == path), None)


@dataclass(frozen=True)
class Target:
    """Where a link leads: ``kind`` is "web", "anchor", "card" or "refused"; ``value`` the
    address, the card number, or why the link is refused."""

    kind: str
    value: str
    file: Path | None = None  # the file a relative link names, its folders' links not followed


def link_target(href: str, source: Path, cards: Cards) -> Target:
    """Classifies a Markdown link of the file ``source``; a refusal says why as raw HTML's
    links are told (``html_policy.link_refusal``)."""
    parts = urlsplit(href.strip())
    scheme = parts.scheme.lower()
    if scheme in WEB_SCHEMES:
        return Target("web", href)
    if href.strip().startswith("#"):
        return Target("anchor", href)  # "#notes": an anchor inside the booklet
    if parts.netloc:
        return Target("refused", f"is a network address without its scheme: write https:{href}")
    path = unquote(parts.path)
    if not scheme and re.fullmatch(NUMBER_PATTERN, path):
        if path in cards.by_number:
            return Target("card", path)
        return Target("refused", f"refers to card {path}, which does not exist")
    if scheme or not path:
        return Target("refused", link_refusal(href) or "is empty")
    file = source.parent / path
    if number := cards.number_of(_resolved(file)):
        return Target("card", number, file)
    return Target("refused", link_refusal(href) or "is empty", file)


def _resolved(file: Path) -> Path | None:
    """``file`` with its links followed, or None for a name no file has: a NUL character
    ("%00" in a link), a loop of links, a name too long."""
    try:
        return file.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def shown_address(href: str) -> str:
    """The address as printed: e-mails and phone numbers without their scheme."""
    for prefix in _SHOWN_WITHOUT:
        if href.lower().startswith(prefix):
            return href[len(prefix) :]
    return href


def is_own_address(text: str, href: str) -> bool:
    """Whether a link's text already prints its address (scheme and final / aside)."""

    def bare(value: str) -> str:
        value = re.sub(r"^(?:https?://|mailto:|tel:)", "", value.strip(), flags=re.I)
        return unquote(value).rstrip("/").lower()

    return bare(text) == bare(href)


def address_html(address: str, paper: bool) -> str:
    """An address in HTML; on paper, with a break opportunity after each run of
    ``/ . - _ @``, the only places where it may break. The opportunity is a zero-width
    space (U+200B) rather than <wbr>: an element splits the text into boxes, and WeasyPrint
    (70) then breaks inside a word rather than at a box boundary (overflow-wrap)."""
    html = escape(address)
    return _BREAK_AFTER.sub("\\g<0>\u200b", html) if paper else html


def cross_reference_html(number: str) -> str:
    """« (N°. 00C.002, p. 6) » after a cross-reference's text; the page is counted by the
    layout (styles: .xref-page), and left out when the card is not in the booklet."""
    return (
        f' <span class="xref-ref">(N°.\u00a0{number}<span class="xref-page"'
        f' data-target="#card-{number}">, p.\u00a0</span>)</span>'
    )
