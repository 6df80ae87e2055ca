"""Generate a content folder of any size, for benchmarks and scale tests.

    python bench/make_content.py OUT --cards 90 [--sections 3] [--paragraphs 6] [--broken 0]

The content is as messy as real pages of French public services: the seed's sentences with
acronyms, web addresses, e-mail addresses and domain names in running text, long section and
card titles, tables of figures (some longer than a page), lists without blank lines, links.
``--broken N`` spoils N cards with typical mistakes (unknown key, bad date, bad number …).
"""

from __future__ import annotations

import argparse
import random
import shutil
import string
from pathlib import Path

SENTENCES = (
    "Dans le cadre d’un appel à projet soutenu par le Programme d’investissements d’avenir "
    "(PIA), la DITP a accompagné en 2017-2018 la création de 12 laboratoires.",
    "Chacun des 12 lauréats a bénéficié d'un soutien financier jusqu'à hauteur de 250 000 €.",
    "Des ateliers collectifs mensuels d’une journée ont été organisés pendant 6 mois.",
    "La mission s’est déroulée en trois temps : « la période d’intégration » en immersion.",
    "Un temps de formation-action d’agents volontaires du Département pour comprendre ce "
    "qu’est un labo d’innovation et nourrir la réflexion ; une semaine de workshop.",
    "Le laboratoire de recherche « Passages » de l’université de Bordeaux a été associé.",
    "Un MOOC a été lancé en janvier 2018, reprenant le contenu de la formation-action.",
    # Addresses, acronyms and words with digits in running text, as pasted from the web.
    "Les droits se vérifient sur mesdroitssociaux.gouv.fr et les offres des jeunes sur "
    "1jeune1solution.gouv.fr, deux services de la DINUM.",
    "Pendant la crise du COVID19, l’équipe a répondu à contact-labo@innovation-publique.gouv.fr "
    "en moins de 48 heures.",
    "Le guide est publié à l’adresse https://www.modernisation.gouv.fr/outils-et-formations/"
    "guide-des-laboratoires-d-innovation-territoriale-2021 par la DITP et l’ANCT.",
    "Écrivez à accueil.laboratoire-innovation-territoriale@prefecture-nouvelle-aquitaine.gouv.fr "
    "pour rejoindre le réseau des LITs.",
    "Le dossier de l’URSSAF, de la CNAF et de France Travail est consultable sur "
    "https://www.data.gouv.fr/fr/datasets/effectifs-des-agents-par-departement/.",
)
LIST = "Les étapes :\n- diagnostic avec les agents ;\n- ateliers de créativité ;\n- prototypes."
SECTION_TITLES = (
    "Les laboratoires d’innovation territoriale soutenus par la Direction interministérielle "
    "du numérique (DINUM) et le Programme d’investissements d’avenir (PIA)",
    "Nos cousins",
    "Accompagner les agents publics des services déconcentrés de l’État dans la "
    "transformation de leurs pratiques professionnelles",
)
CARD_TITLES = (
    "Fiche d’essai numéro {index}",
    "Mission de préfiguration d’un laboratoire d’innovation publique au sein de la préfecture "
    "de région et de ses services déconcentrés (fiche {index})",
    "Programme labo PIA {index}",
    "Accompagnement des agents de la CNAF, de l’URSSAF et de France Travail pour la "
    "simplification des démarches {index}",
)
BREAKAGES = (
    ("title:", "titel:"),
    ("date: 2020-05-04", "date: 2020-02-30"),
    ("number: ", "number: X"),
    ("---\n\n", "\n"),  # front matter never closed
)


def table(rows: int, rng: random.Random) -> str:
    """A GFM table of figures, right-aligned, with a long cell that must wrap."""
    lines = [
        "| Année | Territoire et service concerné | Budget (€) | Agents |",
        "|---|---|---:|---:|",
    ]
    for row in range(rows):
        place = rng.choice(("Creuse", "Préfecture de région Nouvelle-Aquitaine et SGAR", "DDETS"))
        lines.append(f"| {2015 + row} | {place} | {rng.randint(1, 900) * 1000:,} | {row + 3} |")
    return "\n".join(lines).replace(",", " ")


def card_text(number: str, index: int, paragraphs: int, rng: random.Random) -> str:
    blocks = [
        " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 5))) for _ in range(paragraphs)
    ]
    if index % 3 == 0:  # one card in nine has a table longer than a page
        blocks.insert(1, table(28 if index % 9 == 0 else rng.choice((3, 6)), rng))
    if index % 4 == 1:
        blocks.insert(1, f"### Résultats de l’équipe\n{LIST}")
    title = CARD_TITLES[index % len(CARD_TITLES)].format(index=index)
    links = (
        "links:\n  - label: Le guide\n    url: https://www.modernisation.gouv.fr/guide-labos\n"
        if index % 2
        else ""
    )
    return (
        f"---\nnumber: {number}\ntitle: {title}\ndate: 2020-05-04\n"
        "testimonies:\n  - name: Camille Rouge\n    role: Cheffe de projets à la DITP\n"
        f"{links}---\n\n" + "\n\n".join(blocks) + "\n"
    )


def make_content(
    root: Path, cards: int, sections: int = 3, paragraphs: int = 6, broken: int = 0
) -> Path:
    """Writes the folder (replacing it) and returns it."""
    rng = random.Random(cards)  # the same folder every time for the same size
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "booklet.yml").write_text(f"title: Essai de {cards} fiches\n", "utf-8")
    spoiled = set(rng.sample(range(cards), broken))
    for index in range(cards):
        section = index % sections
        letter = string.ascii_uppercase[section]
        folder = root / f"section-{letter.lower()}"
        if not folder.exists():
            folder.mkdir()
            (folder / "_section.md").write_text(
                f"---\ntitle: {SECTION_TITLES[section % len(SECTION_TITLES)]}\nseries: {letter}\n"
                f"order: {section}\n---\n{SENTENCES[section % len(SENTENCES)]}\n",
                "utf-8",
            )
        number = f"00{letter}.{index // sections + 1:03d}"
        text = card_text(number, index, paragraphs, rng)
        if index in spoiled:
            text = text.replace(*BREAKAGES[index % len(BREAKAGES)], 1)
        (folder / f"{number}-fiche-{index}.md").write_text(text, "utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--cards", type=int, default=90)
    parser.add_argument("--sections", type=int, default=3)
    parser.add_argument("--paragraphs", type=int, default=6)
    parser.add_argument("--broken", type=int, default=0)
    args = parser.parse_args()
    make_content(args.root, args.cards, args.sections, args.paragraphs, args.broken)
    print(args.root)


if __name__ == "__main__":
    main()
