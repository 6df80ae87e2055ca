"""Small, real content for tests: the seed's section with two short cards."""

from __future__ import annotations

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
