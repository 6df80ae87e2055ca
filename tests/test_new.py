"""nomodel new card / new section: the next number, a skeleton that passes check."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from nomodel.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out.strip(), err


def test_new_card_takes_the_next_number_and_passes_check(
    small_content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "new", "card", "--content", str(small_content),
        "--section", "nos-cousins", "--title", "Le cœur : l’été à Saint-Étienne",
    )  # fmt: skip
    assert code == 0
    path = Path(out)
    assert path == small_content / "nos-cousins" / "00C.003-le-coeur-l-ete-a-saint-etienne.md"
    text = path.read_text("utf-8")
    assert "number: 00C.003\n" in text
    assert "title: 'Le cœur : l’été à Saint-Étienne'\n" in text
    assert f"date: {datetime.date.today().isoformat()}\n" in text
    for key in ("summary", "tags", "testimonies", "links"):
        assert f"\n# {key}:" in text  # every optional key, commented
    assert run(capsys, "check", "--content", str(small_content))[0] == 0


def test_new_section_then_its_first_card(
    small_content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "new", "section", "--content", str(small_content),
        "--title", "Nos labos", "--series", "A",
    )  # fmt: skip
    assert code == 0 and Path(out) == small_content / "nos-labos" / "_section.md"
    code, out, _ = run(
        capsys, "new", "card", "--content", str(small_content),
        "--section", "nos-labos", "--title", "Premier",
    )  # fmt: skip
    assert code == 0 and Path(out).name == "00A.001-premier.md"
    assert run(capsys, "check", "--content", str(small_content))[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("card", "--section", "inconnue", "--title", "X"), 'no section "inconnue"'),
        (("section", "--title", "Autres", "--series", "C"), 'series "C" is taken'),
        (("section", "--title", "Nos cousins", "--series", "B"), "already exists"),
        (("section", "--title", "Autres", "--series", "cc"), "one capital letter"),
    ],
)
def test_new_refuses_clearly(
    args: tuple[str, ...],
    message: str,
    small_content: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = sorted(small_content.rglob("*"))
    code, _, err = run(capsys, "new", *args, "--content", str(small_content))
    assert code == 2 and message in err  # the command cannot do it: a usage mistake
    assert sorted(small_content.rglob("*")) == before
