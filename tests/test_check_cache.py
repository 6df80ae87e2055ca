"""Front matters and bodies of an earlier run (check_cache.py): taken again only when nothing
they depend on has changed, so that a check or build after editing one card parses and
converts that card alone, with the same HTML and the same problems as a run without them."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import WriteContent
from PIL import Image
from samples import CARD, SMALL_CONTENT, write_rich

from nomodel import cache_key, check_cache, checks, glyphs
from nomodel.check_cache import CheckCache
from nomodel.cli import main
from nomodel.errors import ContentErrors
from nomodel.markdown_html import Converted, MarkdownRenderer
from nomodel.project import bundled_root

CARD_FILE = "nos-cousins/00C.001-programme-labo-pia.md"


def _check(content: Path, folder: Path | None, problems_only: bool = False) -> tuple[object, int]:
    """What ``checks.check`` found (the bodies and references, or every problem as the
    user reads it) and how many bodies it converted; the cache saved as ``check`` does."""
    kept = CheckCache(folder, problems_only)
    try:
        rendered = checks.check(content, problems_only=problems_only, kept=kept)
        found: object = (rendered.content, dict(rendered.bodies), rendered.references)
    except ContentErrors as errors:
        found = errors.details()
    kept.save()
    return found, kept.converted


def _same_as_without_cache(content: Path, folder: Path) -> int:
    """Checks with the cache, asserts the result is a check's without it; bodies converted."""
    found, converted = _check(content, folder)
    assert found == _check(content, None)[0]
    return converted


def test_a_second_check_converts_nothing_and_an_edit_converts_its_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = write_rich(tmp_path / "content")
    cache = tmp_path / "out/.nomodel-cache"
    bodies = len(list(content.rglob("*.md")))  # every card and intro
    assert _same_as_without_cache(content, cache) == bodies
    parsed: list[str] = []  # the front matters parsed again
    parse = check_cache.parse_yaml
    counted = lambda *args: parsed.append(args[1]) or parse(*args)  # noqa: E731
    monkeypatch.setattr(check_cache, "parse_yaml", counted)
    card = next(content.rglob("00A.002*.md"))
    card.write_text(card.read_text().replace("title: ", "title: Revu, ", 1))
    assert _check(content, cache)[1] == 0  # its body is the same
    assert len(parsed) == 1 and "Revu, " in parsed[0]
    assert _same_as_without_cache(content, cache) == 0
    card.write_text(card.read_text() + "\nUn paragraphe de plus.\n")
    assert _same_as_without_cache(content, cache) == 1
    # ``nomodel check`` keeps its own bodies: neither evicts the other.
    assert _check(content, cache, problems_only=True)[1] == bodies
    assert _same_as_without_cache(content, cache) == 0
    assert _check(content, cache, problems_only=True)[1] == 0


def _image(size: tuple[int, int]) -> Callable[[Path], None]:
    return lambda path: Image.new("RGB", size, "#224488").save(path)


def _svg(body: str) -> Callable[[Path], None]:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{body}</svg>'
    return lambda path: path.write_text(svg)


def _retarget(target: str) -> Callable[[Path], None]:
    def retarget(path: Path) -> None:
        path.unlink(missing_ok=True)
        path.symlink_to(target)

    return retarget


# What a body reads, then what happens to that file between two checks.
CHANGES = {
    "decoration resized": ("![décoratif](deco.png)", _image((40, 10)), _image((10, 40))),
    "image deleted": ("![Un atelier](atelier.png)", _image((40, 10)), Path.unlink),
    "image created": ("![Un atelier](atelier.png)", None, _image((40, 10))),
    "decoration replaced by text": (
        "![décoratif](deco.png)",
        _image((40, 10)),
        lambda path: path.write_text("pas une image"),
    ),
    "svg made unsafe": ("![Un schéma](schema.svg)", _svg(""), _svg("<script>x()</script>")),
    "raw html image deleted": ('<img src="a.png" alt="Un atelier">', None, Path.unlink),
    "link retargeted": ("![décoratif](deco.png)", _retarget("a.png"), _retarget("b.png")),
    "link brought inside": ("![Un atelier](x.png)", _retarget("../../out.png"), _retarget("a.png")),
    "folder becomes a file": ("![Un atelier](img/atelier.png)", _image((9, 9)), None),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_body_is_converted_again_when_a_file_it_read_changes(
    change: str, write_content: WriteContent, tmp_path: Path
) -> None:
    markdown, before, after = CHANGES[change]
    content = write_content({**SMALL_CONTENT, CARD_FILE: CARD + f"\n{markdown}\n"})
    Image.new("RGB", (40, 10), "#000000").save(content / "nos-cousins/a.png")
    Image.new("RGB", (10, 40), "#000000").save(content / "nos-cousins/b.png")
    Image.new("RGB", (40, 10), "#000000").save(tmp_path / "out.png")  # outside the content
    image = content / "nos-cousins" / re.findall(r"[\w/]+\.(?:png|svg)", markdown)[0]
    image.parent.mkdir(exist_ok=True)
    if before:
        before(image)
    cache = tmp_path / "cache"
    first = _check(content, cache)[0]
    if after:
        after(image)
    else:  # the image's folder replaced by a file of the same name
        image.unlink()
        image.parent.rmdir()
        image.parent.write_text("plus un dossier")
    assert _same_as_without_cache(content, cache) == 1
    assert _check(content, cache)[0] != first  # the change shows
    assert _same_as_without_cache(content, cache) == 0


def test_a_card_added_makes_a_link_to_it_a_cross_reference(
    write_content: WriteContent, tmp_path: Path
) -> None:
    content = write_content({**SMALL_CONTENT, CARD_FILE: CARD + "\nVoir [la suite](00C.009).\n"})
    cache = tmp_path / "cache"
    found, _ = _check(content, cache)
    assert isinstance(found, list) and len(found) == 1
    assert re.search(r"00C\.001-programme-labo-pia\.md:11: link .* does not exist$", found[0])
    third = (content / "nos-cousins/00C.002-mission.md").read_text().replace("00C.002", "00C.009")
    (content / "nos-cousins/00C.009-suite.md").write_text(third)
    found, converted = _check(content, cache)
    assert not isinstance(found, list)
    assert 'href="#card-00C.009"' in str(found)
    assert converted == 4  # every body: the cards a body may refer to have changed


class _Planted:
    """What a hostile cache file would make if it were unpickled as it asks."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch planted",))


def _damaged(path: Path, damage: str) -> None:
    data = path.read_bytes()
    header, checksum, payload = data.split(b"\n", 2)
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "one byte changed":
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    elif damage == "other code":
        path.write_bytes(header[:-8] + b"00000000\n" + checksum + b"\n" + payload)
    elif damage == "an object, checksum ok":
        cache_key.keep(path, path.stem, {"key": _Planted()})
    else:
        path.write_bytes({"empty": b"", "garbage": b"\x80\x04garbage"}[damage])


@pytest.mark.parametrize(
    "damage",
    [
        "empty",
        "garbage",
        "truncated",
        "one byte changed",
        "other code",
        "an object, checksum ok",
    ],
)
def test_a_damaged_cache_is_ignored_and_replaced(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = write_rich(tmp_path / "content")
    cache = tmp_path / "cache"
    _check(content, cache)
    kept = sorted(cache.iterdir())
    assert [path.name for path in kept] == ["bodies.pickle", "front-matters.pickle"]
    for path in kept:
        _damaged(path, damage)
    monkeypatch.chdir(tmp_path)
    assert _same_as_without_cache(content, cache) > 0
    assert not (tmp_path / "planted").exists()
    assert _same_as_without_cache(content, cache) == 0  # replaced whole


def test_a_cache_kept_by_other_code_is_not_used(
    small_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    _check(small_content, cache)
    monkeypatch.setattr(cache_key, "code_version", lambda: "another nomodel")
    assert _same_as_without_cache(small_content, cache) == 3


def test_check_keeps_its_bodies_in_the_output_folder_problems_or_not(
    small_content: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    card = small_content / CARD_FILE
    card.write_text(CARD + "\n![](manque.png)\n")
    out = tmp_path / "out"
    command = ["check", "--content", str(small_content), "--output", str(out)]
    assert main(command) == 1
    first = capsys.readouterr().err
    assert re.search(r"00C\.001-programme-labo-pia\.md:11: image \"manque\.png\"", first)
    kept = (out / ".nomodel-cache/bodies-problems.pickle").read_bytes()
    assert b"manque.png" in kept and b"investissements" not in kept  # no HTML
    assert sorted(path.name for path in out.iterdir()) == [".nomodel-cache"]
    calls: list[object] = []
    convert = MarkdownRenderer.converted

    def counted(self: MarkdownRenderer, *args: Any) -> Converted:
        calls.append(args)
        return convert(self, *args)

    monkeypatch.setattr(MarkdownRenderer, "converted", counted)
    assert main(command) == 1
    assert capsys.readouterr().err == first and calls == []
    elsewhere = tmp_path / "elsewhere"
    assert main([*command[:-1], str(elsewhere), "--no-cache"]) == 1
    assert capsys.readouterr().err == first and len(calls) == 3
    assert not elsewhere.exists()


def test_links_left_in_the_cache_are_replaced_never_written_through(
    small_content: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "front-matters.pickle").symlink_to(victim)
    (cache / f"bodies.pickle.{os.getpid()}.part").symlink_to(victim)
    _same_as_without_cache(small_content, cache)
    assert victim.read_text() == "untouched"
    assert not (cache / "front-matters.pickle").is_symlink()
    assert sorted(path.name for path in cache.iterdir()) == [
        "bodies.pickle",
        "front-matters.pickle",
    ]
    assert _same_as_without_cache(small_content, cache) == 0


def test_a_link_to_a_card_file_follows_the_folders_links_of_this_run(
    write_content: WriteContent, tmp_path: Path
) -> None:
    link = "Voir [la mission](.par-ici/00C.002-mission.md).\n"
    content = write_content({**SMALL_CONTENT, CARD_FILE: CARD + "\n" + link})
    alias = content / "nos-cousins/.par-ici"  # hidden: not a section of its own
    alias.symlink_to(".")
    cache = tmp_path / "cache"
    found, _ = _check(content, cache)
    assert 'href="#card-00C.002"' in str(found)
    (content / "ailleurs").mkdir()
    alias.unlink()
    alias.symlink_to("../ailleurs")  # the same text now leads nowhere
    assert _same_as_without_cache(content, cache) == 1
    found, _ = _check(content, cache)
    assert isinstance(found, list) and "is a link to a file" in found[0]


def test_the_fonts_coverage_is_read_again_only_when_a_font_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process reads the fonts' character maps once; the next finds them in the cache,
    keyed by the fonts' bytes: another font in place, same time and size, is read again,
    and its missing characters are found."""
    content = write_rich(tmp_path / "content")
    styles = tmp_path / "styles"  # the project's own theme, beside content/
    shutil.copytree(bundled_root() / "styles", styles)
    cache = tmp_path / "out/.nomodel-cache"
    reads: list[object] = []
    read = glyphs._read_coverage
    monkeypatch.setattr(glyphs, "_read_coverage", lambda fonts: reads.append(fonts) or read(fonts))
    monkeypatch.setattr(glyphs, "_known", {})
    _check(content, cache)
    monkeypatch.setattr(glyphs, "_known", {})  # as in a new process
    assert _same_as_without_cache(content, cache) == 0 and len(reads) == 1  # from the cache
    # Symbola, the last resort, replaced by DejaVu Serif (no "☎"): same time, same size.
    symbola, dejavu = styles / "fonts/Symbola.ttf", styles / "fonts/DejaVuSerif.ttf"
    stamp = symbola.stat()
    data = dejavu.read_bytes()
    symbola.write_bytes(data + b"\0" * (stamp.st_size - len(data)))
    os.utime(symbola, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    card = next(content.rglob("00A.002*.md"))
    card.write_text(card.read_text() + "\nAppelez le ☎ du labo.\n")
    monkeypatch.setattr(glyphs, "_known", {})
    found, _ = _check(content, cache)
    assert len(reads) == 2
    assert any("U+260E" in line for line in found)  # type: ignore[union-attr]
