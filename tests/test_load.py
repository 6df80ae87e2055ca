"""Loading a content folder: the values it yields and every class of content error."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from nomodel.errors import ContentError, ContentErrors, display_path
from nomodel.frontmatter import read_markdown
from nomodel.load import load_content
from nomodel.model import Link
from nomodel.model import Testimony as Witness  # not collected as a test class

BOOKLET = """
    title: Laboratoires d’innovation publique
    subtitle: Un catalogue de fiches
    format: a5
    keywords: [innovation, labo]
"""

SECTION = """
    ---
    title: Nos cousins
    series: C
    order: 2
    ---
    D’autres acteurs ont mené ces dernières années des démarches de préfiguration.
"""

CARD_PIA = """
    ---
    number: 00C.001
    title: Programme labo PIA
    date: 2020-05-04
    testimonies:
      - name: Jeanne Deperrois
        role: Cheffe de projets innovation publique à la DITP
      - name: Camille Rouge
    links:
      - label: DITP
        url: https://www.modernisation.gouv.fr
    ---
    Dans le cadre d’un appel à projet soutenu par le PIA…
"""

CARD_CREUSE = """
    ---
    number: 00C.002
    title: Mission de préfiguration du labo de la Creuse
    date: "2020-05-04"
    testimonies:
      - name: Nicolas Taillandier
        role: consultant, Bureau 02
    tags: [préfiguration, Creuse]
    ---

    De juin à décembre 2018, une équipe pluridisciplinaire…
"""


def card(number: str = "00C.001", *, extra: str = "", date: str = "2020-05-04") -> str:
    """A valid card front matter (``number`` on line 2), with ``extra`` lines appended."""
    return f"---\nnumber: {number}\ntitle: Une fiche\ndate: {date}\n{extra}---\nCorps.\n"


@pytest.fixture
def seed(write_content) -> Path:
    """The seed's shape: one section of two cards, plus a valid content around it."""
    return write_content(
        {
            "booklet.yml": BOOKLET,
            "nos-cousins/_section.md": SECTION,
            "nos-cousins/00C.001-programme-labo-pia.md": CARD_PIA,
            "nos-cousins/00C.002-mission-prefiguration-labo-creuse.md": CARD_CREUSE,
        }
    )


def errors_of(root: Path) -> list[ContentError]:
    with pytest.raises(ContentErrors) as caught:
        load_content(root)
    return list(caught.value.errors)


def only_error(root: Path) -> ContentError:
    errors = errors_of(root)
    assert len(errors) == 1, errors
    return errors[0]


def test_loads_the_seed_shape(seed: Path, write_content) -> None:
    write_content(
        {
            # Sorted by order before name, cards by number whatever their file names.
            "annexes/_section.md": "---\ntitle: Annexes\nseries: D\norder: 1\n---\n",
            "annexes/b.md": card("00D.002"),
            "annexes/a.md": card("00D.010"),
            "images/atelier.png": b"\x89PNG",
            ".drafts/note.md": "not a section",
        }
    )
    content = load_content(seed)

    assert content.booklet.title == "Laboratoires d’innovation publique"
    assert content.booklet.format == "A5"
    assert content.booklet.lang == "fr"
    assert content.booklet.keywords == ("innovation", "labo")
    assert [s.slug for s in content.sections] == ["annexes", "nos-cousins"]
    assert [c.number for c in content.cards] == ["00D.002", "00D.010", "00C.001", "00C.002"]

    cousins = content.sections[1]
    assert (cousins.title, cousins.series, cousins.order) == ("Nos cousins", "C", 2)
    assert cousins.intro.startswith("D’autres acteurs")
    assert cousins.intro_line == 6
    pia, creuse = cousins.cards
    assert pia.path == seed / "nos-cousins/00C.001-programme-labo-pia.md"
    assert pia.date == datetime.date(2020, 5, 4)
    assert pia.testimonies == (
        Witness(name="Jeanne Deperrois", role="Cheffe de projets innovation publique à la DITP"),
        Witness(name="Camille Rouge"),
    )
    assert pia.links == (Link(label="DITP", url="https://www.modernisation.gouv.fr"),)
    assert pia.body_line == 13
    assert creuse.date == datetime.date(2020, 5, 4)
    assert creuse.tags == ("préfiguration", "Creuse")
    assert creuse.body == "\nDe juin à décembre 2018, une équipe pluridisciplinaire…\n"
    assert creuse.body_line == 10


def test_line_lookup_of_nested_keys(seed: Path) -> None:
    source = read_markdown(seed / "nos-cousins/00C.001-programme-labo-pia.md")

    assert source.line_of(()) == 1
    assert source.line_of(("testimonies",)) == 5
    assert source.line_of(("testimonies", 0, "role")) == 7
    assert source.line_of(("testimonies", 1)) == 8
    assert source.line_of(("testimonies", 1, "name")) == 8
    # A missing key falls back to its nearest parent: the item holding it.
    assert source.line_of(("testimonies", 1, "role")) == 8
    assert source.line_of(("links", 0, "url")) == 11
    assert source.body_line == 13
    assert source.body == "Dans le cadre d’un appel à projet soutenu par le PIA…\n"


def test_missing_required_key_points_at_its_mapping(seed: Path, write_content) -> None:
    card_file = seed / "nos-cousins/00C.002-mission-prefiguration-labo-creuse.md"
    write_content(
        {
            card_file.relative_to(seed).as_posix(): (
                "---\nnumber: 00C.002\ntitle: Creuse\ntestimonies:\n  - role: consultant\n---\n"
            )
        }
    )
    assert errors_of(seed) == [
        ContentError(card_file, 1, 'missing required key "date"'),
        ContentError(card_file, 5, 'missing required key "name" in item 1 of "testimonies"'),
    ]


def test_bad_number_format(seed: Path, write_content) -> None:
    write_content({"nos-cousins/extra.md": card("C-1")})
    assert only_error(seed) == ContentError(
        seed / "nos-cousins/extra.md",
        2,
        '"number" must look like 00C.001 (two digits, the series letter, a dot, three digits),'
        ' got "C-1"',
    )


def test_number_of_another_series(seed: Path, write_content) -> None:
    write_content({"nos-cousins/extra.md": card("00A.001")})
    assert only_error(seed) == ContentError(
        seed / "nos-cousins/extra.md",
        2,
        'number 00A.001 does not match the series "C" of section nos-cousins',
    )


def test_file_name_and_number_disagree(seed: Path, write_content) -> None:
    write_content({"nos-cousins/00C.003-x.md": card("00C.004")})
    error = only_error(seed)
    assert (error.path.name, error.line) == ("00C.003-x.md", 2)
    assert error.message == "the file name starts with 00C.003 but the number is 00C.004"


def test_duplicate_numbers_name_both_files(seed: Path, write_content) -> None:
    write_content(
        {
            "autres/_section.md": "---\ntitle: Autres\nseries: C\n---\n",
            "autres/copie.md": "---\n\nnumber: 00C.001\ntitle: Copie\ndate: 2021-01-01\n---\n",
        }
    )
    first = seed / "nos-cousins/00C.001-programme-labo-pia.md"
    assert errors_of(seed) == [
        ContentError(
            first,
            2,
            f"number 00C.001 is already used by {display_path(seed / 'autres/copie.md')}:3",
        ),
        ContentError(
            seed / "nos-cousins/_section.md",
            3,
            f'series "C" is already used by {display_path(seed / "autres/_section.md")}:3',
        ),
    ]


@pytest.mark.parametrize("date", ["2020-02-30", "04/05/2020", "2020-5-4", '"20200504"'])
def test_date_must_be_a_real_iso_date(seed: Path, write_content, date: str) -> None:
    write_content({"nos-cousins/extra.md": card("00C.003", date=date)})
    shown = date if date.startswith('"') else f'"{date}"'
    assert only_error(seed) == ContentError(
        seed / "nos-cousins/extra.md",
        4,
        f'"date" must be a real date written YYYY-MM-DD, got {shown}',
    )


def test_wrong_types_are_errors_not_conversions(seed: Path, write_content) -> None:
    write_content(
        {"nos-cousins/extra.md": card("00C.003", extra="summary: 12\ntags: libre\nlinks:\n  - x\n")}
    )
    assert [(e.line, e.message) for e in errors_of(seed)] == [
        (5, '"summary" must be text, got 12 (put it in quotes)'),
        (6, '"tags" must be a list, got "libre"'),
        (8, 'item 1 of "links" must be "key: value" lines, got "x"'),
    ]


def test_unknown_keys_get_a_hint(seed: Path, write_content) -> None:
    write_content({"booklet.yml": BOOKLET + "    titel: Typo\n    colour: red\n"})
    booklet = seed / "booklet.yml"
    assert errors_of(seed) == [
        ContentError(booklet, 5, 'unknown key "titel" (did you mean "title"?)'),
        ContentError(
            booklet,
            6,
            'unknown key "colour" (allowed keys: title, subtitle, author, edition, subject,'
            " lang, format, keywords, cards_start, editions, qr, tint)",
        ),
    ]


def test_a_misspelt_required_key_is_one_problem_not_two(seed: Path, write_content) -> None:
    write_content({"booklet.yml": BOOKLET.replace("    title:", "    titel:")})
    assert [e.message for e in errors_of(seed)] == ['unknown key "titel" (did you mean "title"?)']


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("summary: bad: colon\n", 5, "mapping values are not allowed here"),
        (
            "tags: [un, deux\nsummary: x\n",
            6,
            "expected ',' or ']', but got ':' (while parsing a flow sequence started on line 5)",
        ),
    ],
)
def test_yaml_syntax_error_on_its_file_line(
    seed: Path, write_content, extra: str, line: int, message: str
) -> None:
    write_content({"nos-cousins/extra.md": card("00C.003", extra=extra)})
    assert only_error(seed) == ContentError(
        seed / "nos-cousins/extra.md", line, f"invalid YAML: {message}"
    )


def test_unclosed_front_matter(seed: Path, write_content) -> None:
    write_content({"nos-cousins/extra.md": "---\nnumber: 00C.003\n\nCorps.\n"})
    assert only_error(seed) == ContentError(
        seed / "nos-cousins/extra.md",
        1,
        'front matter opened on line 1 is never closed (no closing "---")',
    )


def test_missing_front_matter(seed: Path, write_content) -> None:
    write_content({"nos-cousins/extra.md": "# Une fiche sans métadonnées\n"})
    error = only_error(seed)
    assert (error.line, error.message) == (
        1,
        'no front matter: the file must start with a "---" line',
    )


def test_empty_file(seed: Path, write_content) -> None:
    write_content({"nos-cousins/extra.md": " \n\n"})
    assert only_error(seed) == ContentError(seed / "nos-cousins/extra.md", 1, "file is empty")


def test_non_utf8_file_reports_the_line(seed: Path, write_content) -> None:
    write_content({"nos-cousins/extra.md": card("00C.003").encode().replace(b"date", b"d\xe9te")})
    assert only_error(seed) == ContentError(
        seed / "nos-cousins/extra.md", 4, "file is not valid UTF-8 (invalid byte 0xe9 on line 4)"
    )


def test_bom_and_crlf_are_accepted(seed: Path, write_content) -> None:
    text = "\ufeff" + card("00C.003", extra="summary: Résumé\n") + "Suite.\n"
    write_content({"nos-cousins/extra.md": text.replace("\n", "\r\n").encode()})
    extra = load_content(seed).cards[-1]
    assert (extra.number, extra.summary) == ("00C.003", "Résumé")
    assert extra.body == "Corps.\nSuite.\n"
    assert extra.body_line == 7


def test_duplicate_key(seed: Path, write_content) -> None:
    write_content({"nos-cousins/extra.md": card("00C.003", extra="title: Encore\n")})
    assert only_error(seed) == ContentError(
        seed / "nos-cousins/extra.md", 5, 'duplicate key "title" (first on line 3)'
    )


def test_missing_booklet(seed: Path) -> None:
    (seed / "booklet.yml").unlink()
    assert only_error(seed) == ContentError(
        seed, 0, "missing booklet.yml (the publication: title, format…)"
    )


def test_section_without_section_file(seed: Path) -> None:
    (seed / "nos-cousins/_section.md").unlink()
    assert only_error(seed) == ContentError(
        seed / "nos-cousins", 0, "section folder has cards but no _section.md"
    )


def test_content_without_sections(write_content) -> None:
    root = write_content({"booklet.yml": BOOKLET, "images/a.png": b""})
    assert only_error(root).message.startswith("no sections")


def test_root_that_is_no_folder_is_not_a_content_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_content(tmp_path / "absent")
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        load_content(tmp_path / "file")


def test_every_problem_of_every_file_at_once(seed: Path, write_content) -> None:
    write_content(
        {
            "booklet.yml": "title: 12\nformat: A3\n",
            "nos-cousins/_section.md": "---\ntitle: Nos cousins\nseries: cc\n---\n",
            "nos-cousins/a.md": "",
            "nos-cousins/b.md": card("00C.009", date="2020-13-01"),
        }
    )
    found = [(e.path.relative_to(seed).as_posix(), e.line, e.message) for e in errors_of(seed)]
    assert found == [
        ("booklet.yml", 1, '"title" must be text, got 12 (put it in quotes)'),
        ("booklet.yml", 2, '"format" must be A4, A5 or A6, got "A3"'),
        ("nos-cousins/_section.md", 3, '"series" must be one capital letter A–Z, got "cc"'),
        ("nos-cousins/a.md", 1, "file is empty"),
        ("nos-cousins/b.md", 4, '"date" must be a real date written YYYY-MM-DD, got "2020-13-01"'),
    ]
