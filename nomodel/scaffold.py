"""New booklet projects, cards and sections, ready to fill in: ``nomodel init``,
``nomodel new card`` and ``nomodel new section``."""

from __future__ import annotations

import datetime
import io
import re
import shutil
from pathlib import Path
from typing import NoReturn

import yaml
from PIL import Image, ImageDraw
from slugify import slugify

from .errors import UsageError, display_path
from .load import BOOKLET_FILE, SECTION_FILE, load_content
from .project import KINDS, bundled_root

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


# `nomodel init`: a booklet project whose one card shows every feature of the content format.
PROJECT_README = """\
# Mon livret

Ce dossier est un livret nomodel : `content/` contient les fiches, en Markdown.

- `nomodel` (dans ce dossier) fabrique `output/booklet.pdf` ;
- `nomodel watch` le refait à chaque enregistrement d’un fichier ;
- `nomodel check` vérifie les fiches sans fabriquer le PDF ;
- `nomodel new card --section {section} --title "Titre de la fiche"` crée une fiche ;
- `nomodel --help` dit le reste.

La fiche `{card}` montre tout ce qu’une fiche peut contenir : copiez-la.

**Changer l’apparence.** Un dossier `templates/` ou `styles/` placé ici, à côté de
`content/`, remplace les fichiers du même nom fournis avec nomodel (`styles/booklet.css`,
`styles/fonts/…`, `templates/card.html.j2`…) ; les autres restent ceux de nomodel.
`nomodel init --with-theme .` y copie tous ces fichiers, prêts à modifier.
"""

BOOKLET_EXAMPLE = """\
# Le livret : ce que disent la couverture, le colophon et les métadonnées du PDF.
title: Mon livret
subtitle: Fiches d’expériences
edition: Édition de travail
author: Mon équipe
subject: Des fiches sur nos expériences, à partager
keywords: [innovation publique, fiches]
lang: fr
format: A5                # A4, A5 ou A6
cards_start: any          # any : une fiche commence à la page suivante ; recto : à droite
qr: true                  # un QR code à côté de chaque lien d’une fiche
tint: true                # false : couvertures et intercalaires blancs (imprimante de bureau)

# Des éditions : des livrets faits d’une partie des fiches (nomodel build --edition atelier).
editions:
  - name: atelier
    title: Mon livret, pour l’atelier
    subtitle: Les fiches de la journée
    sections: [{section}]
    cards: [00A.001]
    tags: [exemple]
    format: A6
"""

SECTION_EXAMPLE = """\
---
title: Nos expériences
short_title: Expériences  # le titre courant en haut des pages de la section
series: A
order: 1
---
L’introduction de la section, imprimée sous son titre sur sa page de garde.
"""

CARD_EXAMPLE = """\
---
number: 00A.001
title: Une fiche d’exemple
date: 2024-03-15
summary: Une ou deux phrases imprimées sous le titre, et le sujet du PDF de la fiche.
tags: [exemple, atelier]
testimonies:
  - name: Camille Martin
    role: Cheffe de projet innovation, préfecture de la Creuse
  - name: Karim Benali
    role: Designer de services publics
links:
  - label: Le guide de nomodel
    url: https://example.org/nomodel
---
Le texte de la fiche, en Markdown : de l’*italique*, du **gras**, des [liens](https://example.org)
et des notes de bas de page[^1]. La typographie française est faite pour vous : les "guillemets"
deviennent des « guillemets », l'apostrophe est courbe, et les espaces fines viennent d'elles-mêmes
devant les points d'interrogation : vraiment ? Dans 250 000 €, les chiffres restent ensemble.
Un numéro comme 00A.001 ou du `code` restent tels quels.

Une liste :

- un atelier de deux jours ;
- 12 participants venus de 4 services ;
- une restitution publique.

Des étapes numérotées :

1. comprendre les besoins ;
2. prototyper ;
3. tester avec les usagers.

| Étape | Durée | Participants |
|---|---|---|
| Immersion | 2 semaines | 5 |
| Atelier | 2 jours | 12 |

![Un schéma : trois bandes de couleur, une par étape du projet](../images/etapes.png)

Une image seulement décorative le dit, et les lecteurs d’écran la passent :

![décoratif](../images/filet.png)

[^1]: Une note, imprimée à la fin de la fiche.
"""
SECTION_SLUG = "nos-experiences"
CARD_FILE = "00A.001-une-fiche-d-exemple.md"


def init_project(folder: Path, with_theme: bool = False) -> list[Path]:
    """Makes ``folder`` a booklet project: ``content/`` with an example, and with
    ``with_theme`` a copy of the bundled ``templates/`` and ``styles/`` to edit. Returns what
    it made; never overwrites: UsageError when there is nothing it may make."""
    content = folder / "content"
    made = []
    if not content.exists():
        made += _example_project(folder)
    elif not with_theme:
        _refuse(content, "already exists: nothing was changed")
    if with_theme:
        made += _theme_copy(folder)
    return made


def _example_project(folder: Path) -> list[Path]:
    content, section = folder / "content", folder / "content" / SECTION_SLUG
    files: dict[Path, str | bytes] = {
        content / BOOKLET_FILE: BOOKLET_EXAMPLE.format(section=SECTION_SLUG),
        section / SECTION_FILE: SECTION_EXAMPLE,
        section / CARD_FILE: CARD_EXAMPLE,
        content / "images" / "etapes.png": _steps(),
        content / "images" / "filet.png": _rule(),
    }
    readme = folder / "README.md"
    if not readme.exists():  # a folder's own README stays as it is
        files[readme] = PROJECT_README.format(section=SECTION_SLUG, card=CARD_FILE)
    for path, data in files.items():
        _create(path, data)
    return [content, *([readme] if readme in files else [])]


def _theme_copy(folder: Path) -> list[Path]:
    for kind in KINDS:
        if (folder / kind).exists():
            _refuse(folder / kind, "already exists: nothing was changed")
    return [shutil.copytree(bundled_root() / kind, folder / kind) for kind in KINDS]


def _png(image: Image.Image) -> bytes:
    stream = io.BytesIO()
    image.save(stream, "PNG", dpi=(300, 300))  # 300 dpi: print-shop quality at its size
    return stream.getvalue()


def _steps() -> bytes:
    """Three bands, one per step of the example card's list: 5 cm wide at 300 dpi."""
    image = Image.new("RGB", (600, 240), "white")
    draw = ImageDraw.Draw(image)
    for index, colour in enumerate(("#c8553d", "#f28f3b", "#588b8b")):
        draw.rectangle((index * 200 + 10, 20, index * 200 + 190, 220), fill=colour)
    return _png(image)


def _rule() -> bytes:
    image = Image.new("RGB", (600, 12), "white")
    ImageDraw.Draw(image).rectangle((0, 4, 599, 7), fill="#222222")
    return _png(image)


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


def _create(path: Path, text: str | bytes) -> Path:
    data = text.encode() if isinstance(text, str) else text
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as file:  # never overwrite a card
            file.write(data)
    except FileExistsError:
        _refuse(path, "already exists: nothing was changed")
    return path


def _refuse(path: Path, message: str) -> NoReturn:
    """The command cannot do what it was asked: a usage mistake, and nothing changes."""
    raise UsageError(f"{display_path(path)}: {message}")
