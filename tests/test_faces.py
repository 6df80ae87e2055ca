"""A process keeps its font configuration from one layout to the next (faces.with_faces),
and never where a new one would lay out otherwise: another folder, a rule added or dropped,
a font file changed."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from nomodel import faces
from nomodel.checks import resource_policy
from nomodel.layout import LayoutOptions, SandboxedFetcher, lay_out
from nomodel.project import bundled_root

# WeasyPrint's own writes are compared byte for byte (conftest.fixed_font_clock).
pytestmark = pytest.mark.usefixtures("fixed_font_clock")

FAMILIES = {
    "CourierPrime-Regular.ttf": "Courier Prime",
    "OldStandard-Regular.ttf": "Old Standard TT",
}
FACE = "@font-face {{ font-family: Maison; src: url(fonts/{file}) }}"


class Recording(SandboxedFetcher):
    def __init__(self, content: Path) -> None:
        super().__init__(resource_policy(content))
        self.urls: list[str] = []

    def fetch(self, url: str, headers: dict | None = None):  # type: ignore[no-untyped-def]
        self.urls.append(url)
        return super().fetch(url, headers)


def _folder(root: Path) -> Path:
    content = root / "content"
    (content / "fonts").mkdir(parents=True)
    for name in FAMILIES:
        shutil.copy(bundled_root() / "styles/fonts" / name, content / "fonts" / name)
    return content


def _laid_out(content: Path, *rules: str) -> tuple[tuple[bytes, ...], set[str], list[str]]:
    """A page in the family Maison: what is drawn (its content and font programs), the
    families of the fonts it embeds, the URLs read."""
    style = "".join(rules) + " p { font-family: Maison, DejaVu Serif }"
    html = f"<html lang='fr'><style>{style}</style><p>Un laboratoire d’innovation</p></html>"
    fetcher = Recording(content)
    options = LayoutOptions(bleed_mm=0, pad=False)
    pdf = lay_out(html, content, options, fetcher).write_pdf()
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        page = opened.pages[0]
        programs = sorted(
            font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
            for font in page.Resources.Font.values()
        )
        drawn = (page.Contents.read_bytes(), *programs)
    families = {str(TTFont(io.BytesIO(program))["name"].getDebugName(1)) for program in programs}
    return drawn, families, fetcher.urls


@pytest.fixture(autouse=True)
def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faces, "_kept", None)  # as in a process that laid nothing out yet


def test_the_next_layout_keeps_the_configuration_and_reads_the_font_files(
    tmp_path: Path,
) -> None:
    content = _folder(tmp_path)
    rule = FACE.format(file="CourierPrime-Regular.ttf")
    first, fonts, _ = _laid_out(content, rule)
    kept = faces._kept
    assert fonts == {"Courier Prime"}
    second, _, urls = _laid_out(content, rule)
    assert faces._kept is kept
    assert second == first
    # Read again, as on a new configuration: a chunk's cache entry depends on its fonts.
    assert any(url.endswith("fonts/CourierPrime-Regular.ttf") for url in urls)


def test_a_changed_font_file_is_laid_out_with_a_new_configuration(tmp_path: Path) -> None:
    content = _folder(tmp_path)
    rule = FACE.format(file="CourierPrime-Regular.ttf")
    _, before, _ = _laid_out(content, rule)
    kept = faces._kept
    other = content / "fonts/OldStandard-Regular.ttf"
    (content / "fonts/CourierPrime-Regular.ttf").write_bytes(other.read_bytes())
    changed, after, _ = _laid_out(content, rule)
    assert faces._kept is not kept
    assert (before, after) == ({"Courier Prime"}, {"Old Standard TT"})
    faces._kept = None
    assert _laid_out(content, rule)[0] == changed  # as a new process lays it out


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (("CourierPrime-Regular.ttf",), ()),  # a rule dropped: DejaVu Serif, not Courier
        (("CourierPrime-Regular.ttf",), ("OldStandard-Regular.ttf",)),  # another rule
        ((), ("CourierPrime-Regular.ttf",)),  # a rule added
    ],
)
def test_other_rules_lay_out_as_a_new_process_would(
    tmp_path: Path, first: tuple[str, ...], then: tuple[str, ...]
) -> None:
    content = _folder(tmp_path)
    _laid_out(content, *(FACE.format(file=name) for name in first))
    rules = [FACE.format(file=name) for name in then]
    after, fonts, _ = _laid_out(content, *rules)
    assert fonts == ({FAMILIES[name] for name in then} or {"DejaVu Serif"})
    faces._kept = None
    assert _laid_out(content, *rules)[0] == after


def test_another_folder_has_its_own_configuration(tmp_path: Path) -> None:
    rule = FACE.format(file="CourierPrime-Regular.ttf")
    _laid_out(_folder(tmp_path / "a"), rule)
    kept = faces._kept
    _laid_out(_folder(tmp_path / "b"), rule)
    assert faces._kept is not kept
