"""New cards and sections, ready to fill in: ``nomodel new card`` and ``nomodel new section``."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import NoReturn

import yaml
from slugify import slugify

from .errors import UsageError, display_path
from .load import SECTION_FILE, load_content

CARD_SKELETON = """\
---
number: {number}
title: {title}
date: {date}
# The keys below are optional: remove the "# " in front of those you use.
# summary: One or two sentences printed under the title.
# tags: [laboratoire, territoire]
# testimonies:
#   - name: Prénom Nom
#     role: Fonction, organisation
# links:
#   - label: Le site du laboratoire
#     url: https://example.org
---
Le texte de la fiche, en Markdown.
"""

SECTION_SKELETON = """\
---
title: {title}
series: {series}
order: {order}
---
L’introduction de la section, en Markdown : elle est imprimée sur sa page de garde.
"""


def slug(title: str) -> str:
    """A file name part: lower case, accents transliterated (é → e, œ → oe), dashes."""
    return slugify(title, replacements=[["’", "-"], ["'", "-"]], max_length=60, word_boundary=True)


def new_card(content_dir: Path, section: str, title: str, today: datetime.date) -> Path:
    """Writes the next card of ``section`` and returns its path; UsageError if it cannot."""
    content = load_content(content_dir)
    match = [s for s in content.sections if s.slug == section]
    if not match:
        known = ", ".join(s.slug for s in content.sections)
        _refuse(content_dir, f'no section "{section}" (the sections are: {known})')
    taken = [int(card.number[-3:]) for card in match[0].cards]
    number = f"00{match[0].series}.{max(taken, default=0) + 1:03d}"
    path = match[0].path / f"{number}-{slug(title)}.md"
    text = CARD_SKELETON.format(number=number, title=_yaml_text(title), date=today.isoformat())
    return _create(path, text)


def new_section(content_dir: Path, title: str, series: str) -> Path:
    """Writes a new section folder with its ``_section.md``; UsageError if it cannot."""
    content = load_content(content_dir)
    if not re.fullmatch(r"[A-Z]", series):
        _refuse(content_dir, f'the series must be one capital letter, got "{series}"')
    for existing in content.sections:
        if existing.series == series:
            _refuse(existing.index_file, f'series "{series}" is taken by section {existing.slug}')
    order = max((s.order for s in content.sections), default=0) + 1
    path = content_dir / slug(title) / SECTION_FILE
    text = SECTION_SKELETON.format(title=_yaml_text(title), series=series, order=order)
    return _create(path, text)


def _yaml_text(value: str) -> str:
    """The value as YAML writes it, quoted when it must be ("Le labo : bilan")."""
    return (
        yaml.safe_dump(value, allow_unicode=True, default_style=None)
        .removesuffix("\n...\n")
        .strip()
    )


def _create(path: Path, text: str) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as file:  # never overwrite a card
            file.write(text)
    except FileExistsError:
        _refuse(path, "already exists: nothing was changed")
    return path


def _refuse(path: Path, message: str) -> NoReturn:
    """The command cannot do what it was asked: a usage mistake, and nothing changes."""
    raise UsageError(f"{display_path(path)}: {message}")
