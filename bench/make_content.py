"""Generate a content folder of any size, for benchmarks and scale tests.

    python bench/make_content.py OUT --cards 90 [--sections 3] [--paragraphs 6] [--broken 0]

Cards reuse the seed's sentences, so the typography and hyphenation work as on real text.
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
)
BREAKAGES = (
    ("title:", "titel:"),
    ("date: 2020-05-04", "date: 2020-02-30"),
    ("number: ", "number: X"),
    ("---\n\n", "\n"),  # front matter never closed
)


def card_text(number: str, index: int, paragraphs: int, rng: random.Random) -> str:
    body = "\n\n".join(
        " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 5))) for _ in range(paragraphs)
    )
    return (
        f"---\nnumber: {number}\ntitle: Fiche d’essai numéro {index}\ndate: 2020-05-04\n"
        "testimonies:\n  - name: Camille Rouge\n    role: Cheffe de projets\n---\n\n"
        f"{body}\n"
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
                f"---\ntitle: Section {letter}\nseries: {letter}\norder: {section}\n---\n"
                f"{SENTENCES[section % len(SENTENCES)]}\n",
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
