"""Small, real content for tests: the seed's section with two short cards."""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image

SECTION = """\
---
title: Nos cousins
series: C
order: 3
---
D’autres acteurs ont mené des démarches de préfiguration.
"""

CARD = """\
---
number: 00C.001
title: Programme labo PIA
date: 2020-05-04
testimonies:
  - name: Jeanne Deperrois
    role: Cheffe de projets innovation publique à la DITP
---
Dans le cadre d’un appel à projet soutenu par le Programme d’investissements d’avenir.
"""

SECOND_CARD = """\
---
number: 00C.002
title: Mission de préfiguration du labo de la creuse
date: 2020-05-04
---
De juin à décembre 2018, une équipe pluridisciplinaire a accompagné le Département.
"""

SMALL_CONTENT = {
    "booklet.yml": "title: Essai\nauthor: Équipe d’essai\n",
    "nos-cousins/_section.md": SECTION,
    "nos-cousins/00C.001-programme-labo-pia.md": CARD,
    "nos-cousins/00C.002-mission.md": SECOND_CARD,
}

# What a hostile card tries to read (tests/conftest.py: the ``secret`` fixture), and the
# bytes of a previous build that a failed build must leave as they were.
SECRET = "SECRET-7f3a-do-not-print"
PREVIOUS = b"%PDF-1.7 the previous, good booklet"

# Every kind of content a card holds, in two sections, with cross-references between cards.
RICH = {
    "booklet.yml": "title: Essai complet\nsubtitle: Toutes les sortes de contenu\n"
    "author: Équipe d’essai\nlang: fr\n",
    "labos/_section.md": """\
        ---
        title: Nos labos
        series: A
        order: 1
        ---
        Une introduction avec une [adresse](https://example.org/labos) et une liste :
        - premier point
        - second point
        """,
    "labos/00A.001-listes.md": """\
        ---
        number: 00A.001
        title: Listes, tableaux et notes
        date: 2021-03-02
        summary: Une fiche qui contient de tout.
        tags: [listes, tableaux]
        testimonies:
          - name: Jeanne Deperrois
            role: Cheffe de projets
          - name: Paul Martin
        links:
          - label: Le MOOC
            url: https://example.org/mooc
        ---
        Un paragraphe avec une note[^1] et un renvoi à [la fiche suivante](#card-00A.002).

        ## Étapes

        1. Première étape
        2. Deuxième étape, avec des sous-points :
           - sous-point a
           - sous-point b
             1. encore plus profond
        3. Troisième étape
        Une liste sans ligne blanche :
        - alpha
        - beta

        - un point d’une liste lâche

        - un autre, en deux paragraphes

          Le second paragraphe.

        ### Détails

        | Organisme | Ville | Budget |
        |---|---|---:|
        | DITP | Paris | 250 000 € |
        | Labo 23 | Guéret | 40 000 € |

        - [x] tâche faite
        - [ ] tâche à faire

        [^1]: Une note de bas de fiche, avec un [lien](https://example.org/note).
        """,
    "labos/00A.002-images.md": """\
        ---
        number: 00A.002
        title: Images et liens
        date: 2021-03-03
        ---
        ![Un atelier collectif à Guéret](atelier.png)

        ![décoratif](filet.png)

        Voir <https://example.org/autolien> et [la fiche précédente](#card-00A.001).

        > Une citation d’un agent.

        ## Une partie

        Du texte avec `du code` et ~~du texte barré~~.

        #### Un détail, deux niveaux plus bas

        Les niveaux sautés sont renumérotés dans le PDF balisé.
        """,
    "cousins/_section.md": """\
        ---
        title: Nos cousins
        series: C
        order: 2
        ---
        D’autres acteurs ont mené des démarches de préfiguration.
        """,
    "cousins/00C.001-cousin.md": """\
        ---
        number: 00C.001
        title: Programme labo PIA
        date: 2020-05-04
        ---
        Dans le cadre d’un appel à projet.

        #### Un titre profond, sans titre au-dessus

        Texte sous ce titre.
        """,
}


def write_rich(folder: Path) -> Path:
    """``RICH`` written in ``folder``, with the two pictures its cards show; ``folder``."""
    for name, text in RICH.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    Image.new("RGB", (600, 400), "#884422").save(folder / "labos" / "atelier.png")
    Image.new("RGB", (600, 8), "#222222").save(folder / "labos" / "filet.png")
    return folder
