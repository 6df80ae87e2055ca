"""What a build makes of the content: the whole booklet, its editions, or a quick proof."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from .errors import UsageError
from .model import Content, Edition

PROOF = "proof"


class SelectionError(UsageError):
    """The command line names an edition, a section or a card that the content lacks."""


@dataclass(frozen=True)
class Target:
    stem: str  # the outputs' name: booklet.pdf, atelier.pdf, proof.pdf
    content: Content  # the chosen sections and cards, with the target's title and format
    proof: bool = False  # dividers and cards only: no cover, sommaire, colophon nor padding


def targets(
    content: Content,
    *,
    edition: str | None = None,
    all_editions: bool = False,
    only: Collection[str] = (),
    sections: Collection[str] = (),
) -> list[Target]:
    """The booklets one build makes; SelectionError when a name is unknown."""
    if only or sections:
        _known(only, [card.number for card in content.cards], "card")
        _known(sections, [section.slug for section in content.sections], "section")
        return [Target(PROOF, select(content, sections, only), proof=True)]
    editions = {e.name: e for e in content.booklet.editions}
    if all_editions:
        return [_edition(content, e) for e in content.booklet.editions]
    if edition is not None:
        _known([edition], list(editions), "edition")
        return [_edition(content, editions[edition])]
    return [Target("booklet", content)]


def select(
    content: Content,
    sections: Collection[str] = (),
    cards: Collection[str] = (),
    tags: Collection[str] = (),
) -> Content:
    """The sections and cards named (by section, by number or by tag); all when none is."""
    if not (sections or cards or tags):
        return content

    def chosen(section_slug: str, number: str, card_tags: tuple[str, ...]) -> bool:
        return section_slug in sections or number in cards or bool(set(card_tags) & set(tags))

    kept = (
        s.model_copy(
            update={"cards": tuple(c for c in s.cards if chosen(s.slug, c.number, c.tags))}
        )
        for s in content.sections
    )
    return replace(content, sections=tuple(s for s in kept if s.cards))


def _edition(content: Content, edition: Edition) -> Target:
    booklet = content.booklet.model_copy(
        update={
            "title": edition.title or content.booklet.title,
            "subtitle": edition.subtitle or content.booklet.subtitle,
            "format": edition.format or content.booklet.format,
        }
    )
    chosen = select(content, edition.sections, edition.cards, edition.tags)
    return Target(edition.name, replace(chosen, booklet=booklet))


def _known(names: Collection[str], known: list[str], kind: str) -> None:
    for name in names:
        if name not in known:
            listed = ", ".join(known) or "none"
            raise SelectionError(f'no {kind} "{name}" (the {kind}s are: {listed})')
