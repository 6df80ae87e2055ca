"""Booklet projects: ``nomodel init``, and a project's own templates/ and styles/ over the
bundled theme, file by file."""

from __future__ import annotations

import filecmp
import logging
from pathlib import Path

import pytest
import weasyprint.pdf.fonts
import yaml
from pdf_helpers import fonts, letters, page_texts

from nomodel.checks import resource_policy
from nomodel.cli import main
from nomodel.compose import FONT_CREDITS
from nomodel.frontmatter import read_markdown
from nomodel.model import Booklet, CardFrontMatter, Edition, SectionFrontMatter
from nomodel.notices import SUBSETTER_NOTICE
from nomodel.project import Theme, bundled_root
from nomodel.theme import font_families

THEME_PROBLEMS = "the booklet's own files have problems: nothing was written"
EMOJI = "\N{SMILING FACE WITH SMILING EYES}"  # drawn only by Symbola among the bundled fonts


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A project made by ``nomodel init``, as the working folder."""
    folder = tmp_path / "mon-livret"
    code, out, _ = run(capsys, "init", str(folder))
    assert code == 0
    assert f"next: cd {folder} && nomodel" in out
    return folder


def test_init_makes_a_project_that_builds_in_its_own_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    code, out, err = run(capsys)  # plain `nomodel`
    assert code == 0, err
    assert out.startswith("8 pages, 1 card")
    texts = page_texts(project / "output" / "booklet.pdf")
    card = letters(" ".join(texts))
    for shown in ("Une fiche d’exemple", "Camille Martin", "Immersion", "Le guide de nomodel"):
        assert letters(shown) in card
    assert all(embedded for embedded in fonts(project / "output" / "booklet.pdf").values())


def test_the_example_shows_every_key_and_every_markdown_feature(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key added to the content format must be added to the example too."""
    content = project / "content"
    booklet = yaml.safe_load((content / "booklet.yml").read_text("utf-8"))
    assert set(booklet) == set(Booklet.model_fields)
    assert set(booklet["editions"][0]) == set(Edition.model_fields)
    (section,) = content.glob("*/_section.md")
    (card_file,) = content.glob("*/00A.001-*.md")
    for path, model in ((section, SectionFrontMatter), (card_file, CardFrontMatter)):
        assert set(read_markdown(path).data) == set(model.model_fields), path
    assert run(capsys, "check", "--content", str(content))[0] == 0

    monkeypatch.chdir(project)
    assert run(capsys, "build", "--html", "--edition", "atelier")[0] == 0
    html = (project / "output" / "atelier.html").read_text("utf-8")
    for tag in ("<em>", "<strong>", "<ul>", "<ol>", "<table>", "<code>", 'href="https://'):
        assert tag in html, tag
    assert 'class="footnote' in html and 'alt="Un schéma' in html
    assert "background-image" in html  # the decorative image


def test_init_never_overwrites(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = next((project / "content").glob("*/00A.001-*.md"))
    card.write_text("my own card", encoding="utf-8")
    code, _, err = run(capsys, "init", str(project))
    assert code == 2  # a usage mistake
    assert err == f"nomodel: error: {project / 'content'}: already exists: nothing was changed\n"
    assert card.read_text("utf-8") == "my own card"


def test_init_with_theme_copies_the_bundled_look_ready_to_edit(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", "--with-theme", str(project))[0] == 0  # a project gets the theme
    for kind in ("templates", "styles"):
        compared = filecmp.dircmp(bundled_root() / kind, project / kind)
        assert not compared.left_only and not compared.right_only and not compared.diff_files
    assert (project / "styles" / "fonts" / "OldStandard-Regular.ttf").is_file()
    assert (project / "styles" / "color" / "FOGRA39L-coated.icc").is_file()
    code, _, err = run(capsys, "init", "--with-theme", str(project))
    assert code == 2 and "templates: already exists: nothing was changed" in err


def test_a_project_overrides_one_stylesheet_and_one_template_and_keeps_the_rest(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The project's booklet.css has no fonts/ beside it: the bundled fonts are found. The
    fontTools notice is told once per build."""
    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)  # as on a fresh machine
    css = (bundled_root() / "styles" / "booklet.css").read_text("utf-8")
    stylesheet = project / "styles" / "booklet.css"
    stylesheet.parent.mkdir()
    stylesheet.write_text(css + '\n.card-title::after { content: " (surchargée)" }\n', "utf-8")
    back_cover = project / "templates" / "back-cover.html.j2"
    back_cover.parent.mkdir()
    back_cover.write_text('<section id="back-cover"><p>Notre quatrième</p></section>\n', "utf-8")
    monkeypatch.chdir(project)
    # --quiet, in another test of the process, leaves WeasyPrint's logger at CRITICAL.
    monkeypatch.setattr(logging.getLogger("weasyprint"), "level", logging.NOTSET)
    code, _, err = run(capsys)
    assert code == 0, err

    texts = page_texts(project / "output" / "booklet.pdf")
    assert "Une fiche d’exemple (surchargée)" in " ".join(texts)
    assert "Notre quatrième" in texts[-1]
    assert any("( Nos expériences )" in text for text in texts)  # the bundled section.html.j2
    used = fonts(project / "output" / "booklet.pdf")
    assert any("Old-Standard" in name for name in used) and all(used.values())
    assert err == f"{SUBSETTER_NOTICE}\n"


@pytest.mark.weasyprint_warnings  # the skipped declaration is what it reports
def test_a_css_mistake_in_an_override_names_its_file_and_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stylesheet = project / "styles" / "booklet.css"
    stylesheet.parent.mkdir()
    css = (bundled_root() / "styles" / "booklet.css").read_text("utf-8")
    stylesheet.write_text(css + "h1 { colr: red }\n", "utf-8")
    monkeypatch.chdir(project)
    code, _, err = run(capsys)
    assert code == 1
    mistake, nothing = err.splitlines()
    assert mistake.startswith(f"styles/booklet.css:{css.count(chr(10)) + 1}:6: Ignored `colr: red")
    assert nothing == "the booklet's own files have problems: nothing was written"
    assert not (project / "output" / "booklet.pdf").exists()


def test_a_template_mistake_in_an_override_names_its_file_and_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    card = project / "templates" / "card.html.j2"
    card.parent.mkdir()
    monkeypatch.chdir(project)
    for text, line, message in (
        ("<article>\n\n{{ card.title }\n", 3, "unexpected '}'"),
        ("<article>\n{{ card.titel }}\n", 2, "has no attribute 'titel'"),
        ('{% include "absent.html.j2" %}\n', 1, "absent.html.j2"),
        ("{{ card.__class__.__init__.__globals__ }}\n", 1, "is unsafe"),  # sandboxed
    ):
        card.write_text(text, "utf-8")
        code, _, err = run(capsys)
        assert code == 1
        first, summary = err.splitlines()
        assert first.startswith(f"templates/card.html.j2:{line}: ") and message in first
        assert summary == "the booklet's own files have problems: nothing was written"
    assert not (project / "output").exists()


def test_a_project_font_replaces_the_bundled_one_for_the_glyph_check(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = next((project / "content").glob("*/00A.001-*.md"))
    card.write_text(card.read_text("utf-8") + f"\nMerci {EMOJI}\n", "utf-8")
    content = str(project / "content")
    assert run(capsys, "check", "--content", content)[0] == 0  # the bundled Symbola has it

    fonts_dir = project / "styles" / "fonts"
    fonts_dir.mkdir(parents=True)  # a project's Symbola.ttf that is really DejaVu Serif
    (fonts_dir / "Symbola.ttf").write_bytes(
        (bundled_root() / "styles" / "fonts" / "DejaVuSerif.ttf").read_bytes()
    )
    code, _, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert f"U+{ord(EMOJI):04X}" in err and "in none of the booklet's fonts" in err


def test_a_build_without_fonts_says_so_instead_of_blaming_the_content(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(project)
    stylesheet = project / "styles" / "booklet.css"
    stylesheet.parent.mkdir()
    stylesheet.write_text(
        "body { font-family: Maison }\n"
        '@font-face { font-family: Maison; src: url("fonts/Maison.ttf") }\n',
        "utf-8",
    )
    code, _, err = run(capsys)
    assert code == 1
    assert err.splitlines() == [
        "styles/booklet.css: none of the fonts it names is found (in the project's"
        " styles/fonts/ or nomodel's): nothing could be printed",
        THEME_PROBLEMS,
    ]
    # One font missing among found ones: named with its line.
    stylesheet.write_text(
        stylesheet.read_text("utf-8") + "@font-face { src: url(fonts/Symbola.ttf) }\n", "utf-8"
    )
    code, _, err = run(capsys)
    assert code == 1
    assert err.splitlines() == [
        "styles/booklet.css:2: font file fonts/Maison.ttf not found (in the project's styles/"
        " or nomodel's)",
        THEME_PROBLEMS,
    ]

    stylesheet.unlink()  # and an install that lost its theme
    monkeypatch.setattr("nomodel.project.bundled_root", lambda: tmp_path / "no-theme")
    code, _, err = run(capsys, "check")
    assert code == 1
    assert err.splitlines() == [
        f"{tmp_path / 'no-theme' / 'styles' / 'booklet.css'}: is missing: nomodel is"
        " incompletely installed (pip install --force-reinstall nomodel)",
        THEME_PROBLEMS,
    ]


def test_the_sandbox_reads_the_content_the_projects_theme_and_the_bundled_one_only(
    project: Path,
) -> None:
    content = project / "content"
    policy = resource_policy(content)
    bundled = bundled_root()
    allowed = [
        content / "images" / "etapes.png",
        project / "styles" / "booklet.css",
        project / "templates" / "card.html.j2",
        bundled / "styles" / "fonts" / "Symbola.ttf",
        bundled / "templates" / "base.html.j2",
    ]
    refused = [project / "notes.txt", project / "output" / "booklet.pdf", bundled / "secret"]
    assert [policy.refusal(path.as_uri()) for path in allowed] == [None] * len(allowed)
    assert all(policy.refusal(path.as_uri()) for path in refused)


def test_the_colophon_credits_each_font_the_stylesheet_declares(project: Path) -> None:
    """The fonts are listed once, by the stylesheet's @font-face rules: the colophon credits
    those it has a licence for, the character check reads their files."""
    bundled = Theme.bundled_only()
    assert font_families(bundled) == list(FONT_CREDITS)
    for credit in FONT_CREDITS.values():
        assert (bundled_root() / "styles" / "fonts" / credit.licence_file).is_file()
    stylesheet = (bundled_root() / "styles" / "booklet.css").read_text("utf-8")
    own = project / "styles" / "booklet.css"
    own.parent.mkdir()
    own.write_text(
        "\n".join(line for line in stylesheet.splitlines() if "DejaVu" not in line),
        encoding="utf-8",
    )
    assert font_families(Theme.of(project / "content")) == [
        "Old Standard TT",
        "Courier Prime",
        "Symbola",
    ]
    # Read again once edited (``watch`` asks at every build, in one process).
    own.write_text(own.read_text("utf-8").replace("Symbola", "Symbola2"), encoding="utf-8")
    assert font_families(Theme.of(project / "content"))[-1] == "Symbola2"
