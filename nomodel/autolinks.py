"""Bare addresses as links, as GitHub makes them: GFM's "autolinks (extension)".

markdown-it's linkify rules find the links with any object that has linkify-it's four
methods; this one follows the GFM spec (0.29-gfm, section 6.9) instead of linkify-it,
which also links bare domain names ("service-public.fr", "README.md") that GitHub leaves
as text, and whose regular expressions made a third of the Markdown stage's time on
content full of addresses (bench/bench_check.py):

- ``www.`` then a valid domain, after a line start, a space, ``*``, ``_``, ``~`` or ``(``;
- ``http://``, ``https://`` or ``ftp://`` then a valid domain;
- then anything up to a space or ``<``, less trailing punctuation (``?!.,:*_~``), a ``)``
  that closes nothing, and an entity-like ``&name;`` at the end;
- e-mail addresses: ``[\\w.+-]+@`` then a domain, not ending with ``-`` or ``_``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Segments of letters, digits, "_" and "-", with no "_" in the last two (GFM's "valid
# domain"; letters may be any script's, as in a French address); after www., at least two.
_LINK = re.compile(
    r"(?:(?<![^\s*_~(])www\.[\w-]+(?:\.[\w-]+)+|(?<![^\W_])(?:https?|ftp)://[\w-]+(?:\.[\w-]+)*)"
    r"[^\s<]*",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_TRAILING = "?!.,:*_~"
_ENTITY_AT_END = re.compile(r"&[a-zA-Z0-9]+;$")
_PRETEST = re.compile(r"www\.|://|@", re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    """One link found, as markdown-it's linkify rules read it."""

    schema: str  # "" for www., "mailto:" for an e-mail address
    index: int
    last_index: int
    text: str
    url: str


class GfmAutolinks:
    """A stand-in for linkify-it in ``MarkdownIt.linkify``."""

    def __init__(self) -> None:
        # markdown-it asks ``test(text)``, then ``match(text)`` of the same text.
        self._last: tuple[str, tuple[Match, ...]] = ("", ())

    def pretest(self, text: str) -> bool:
        return _PRETEST.search(text) is not None

    def test(self, text: str) -> bool:
        # Asked of each piece of text of a paragraph that passed ``pretest``: most have none.
        return self.pretest(text) and bool(self.match(text))

    def match(self, text: str) -> list[Match] | None:
        if self._last[0] != text:
            found = sorted([*_links(text), *_emails(text)], key=lambda match: match.index)
            kept: list[Match] = []
            for match in found:  # an address inside a URL's path is the URL's
                if not kept or match.index >= kept[-1].last_index:
                    kept.append(match)
            self._last = (text, tuple(kept))
        return list(self._last[1]) or None

    def match_at_start(self, text: str) -> Match | None:
        """Only a link at the start: markdown-it asks at each "://" with the rest of the
        paragraph, so looking further made a paragraph of N addresses cost N²."""
        found = [*_links(text, at_start=True), *_emails(text, at_start=True)]
        return found[0] if found else None


def _found(pattern: re.Pattern[str], text: str, at_start: bool) -> Iterable[re.Match[str]]:
    if not at_start:
        return pattern.finditer(text)
    return [found] if (found := pattern.match(text)) else []


def _links(text: str, at_start: bool = False) -> list[Match]:
    matches = []
    for found in _found(_LINK, text, at_start):
        link = _trimmed(found.group())
        domain = re.split(r"[/?#]", link.split("://")[-1], maxsplit=1)[0]
        if "_" in ".".join(domain.split(".")[-2:]):
            continue
        www = link[:4].lower() == "www."
        url = "http://" + link if www else link
        matches.append(
            Match(
                "" if www else link.split("//")[0],
                found.start(),
                found.start() + len(link),
                link,
                url,
            )
        )
    return matches


def _trimmed(link: str) -> str:
    """The link less what GFM leaves out at its end, repeatedly."""
    while True:
        if link[-1] in _TRAILING or (link.endswith(")") and link.count(")") > link.count("(")):
            link = link[:-1]
        elif entity := _ENTITY_AT_END.search(link):
            link = link[: entity.start()]
        else:
            return link


def _emails(text: str, at_start: bool = False) -> list[Match]:
    matches = []
    for found in _found(_EMAIL, text, at_start):
        address = found.group()
        while address and address[-1] == ".":
            address = address[:-1]
        if address[-1] in "-_" or "." not in address.split("@")[1]:
            continue
        matches.append(
            Match(
                "mailto:", found.start(), found.start() + len(address), address, "mailto:" + address
            )
        )
    return matches
