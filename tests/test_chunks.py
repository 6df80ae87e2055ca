"""The booklet laid out in chunks (engine.py) is the booklet of one layout: in one process or
two, from scratch or from the cache; the cache is never trusted when it is stale or damaged.

The reference is the booklet laid out at once (as one chunk: the build does so below 17
cards): its PDFs are compared with the chunked ones, property by property
(tests/pdf_digest.py). Builds are shared by the tests of a folder (module fixtures)."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pdf_digest import digest
from PIL import Image

from bench.make_content import make_content
from nomodel import chunks, engine, pipeline, workers
from nomodel.cache import FORMAT
from nomodel.cache_key import FOLDER
from nomodel.chunk_layout import ChunkJob
from nomodel.markdown_html import Converted, MarkdownRenderer
from nomodel.project import bundled_root

CARDS = 7


def _content(root: Path, cards_start: str) -> Path:
    content = root / "content"
    make_content(content, CARDS, 2, 1, 0)
    (content / "booklet.yml").write_text(
        f"title: Essai en morceaux\ncards_start: {cards_start}\n"
        "editions:\n  - name: courte\n    title: Courte\n    sections: [section-a]\n"
    )
    # Cross-references forward and backward, across chunks: their « p. N » are injected.
    cards = sorted(content.rglob("00*.md"))
    first, last = cards[0], cards[-1]
    number = re.compile(r"^number: (\S+)$", re.MULTILINE)
    _append(first, f"\nVoir [la dernière fiche]({number.search(last.read_text()).group(1)}).\n")
    _append(last, f"\nVoir [la première fiche]({number.search(first.read_text()).group(1)}).\n")
    # An image below print resolution in the last chunk: preflight names its booklet page.
    Image.new("RGB", (300, 200), "#884422").save(content / "basse.png")
    _append(last, f"\n![Atelier]({os.path.relpath(content / 'basse.png', last.parent)})\n")
    return content


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _build(content: Path, out: Path, **options: object) -> pipeline.BuildResult:
    defaults = {"jobs": 1, "cache": False}
    built = pipeline.build(
        content, pipeline.BuildOptions(output_dir=out, **{**defaults, **options})
    )
    return built[0]


def _recorded(function: Callable[..., object], htmls: list[str]) -> Callable[..., object]:
    """``function`` (a layout call a worker answers), noting the HTML of each job."""

    def recorded(*args: object) -> object:
        htmls.append(next(arg.html for arg in args if isinstance(arg, ChunkJob)))
        return function(*args)

    return recorded


def _copy(content: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of ``content`` to edit, and an output folder for it."""
    return shutil.copytree(content, tmp_path / "content"), tmp_path / "out"


def _one_layout(content: Path, out: Path, **options: object) -> pipeline.BuildResult:
    """The booklet laid out at once, the reference."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks, "CARDS_PER_CHUNK", 1000)
        return _build(content, out, **options)


def _shape(structure: object) -> object:
    """The structure tree, with chains of NonStruct wrappers counted as one (WeasyPrint 70
    nests a heading's first letter one to three deep, depending on the layout's history)."""
    if isinstance(structure, list):
        return [_shape(kid) for kid in structure]
    if isinstance(structure, tuple):
        kind, kids = structure
        while kind == "/NonStruct" and isinstance(kids, list) and len(kids) == 1:
            inner = kids[0]
            if not (isinstance(inner, tuple) and inner[0] == "/NonStruct"):
                break
            kids = inner[1]
        return (kind, _shape(kids))
    return structure


def _same_booklet(single: Path, chunked: Path) -> None:
    expected, found = digest(single), digest(chunked)
    if single.parent.name == "cards":
        # A card's pages keep their booklet's font resources: all of the booklet's when laid
        # out at once, those of their chunk when laid out in chunks (the fonts drawn).
        assert set(found.pop("fonts")) <= set(expected.pop("fonts"))
    expected["structure"], found["structure"] = (
        _shape(expected["structure"]),
        _shape(found["structure"]),
    )
    for key in expected:
        assert found[key] == expected[key], key


@pytest.fixture(scope="module", autouse=True)
def small_chunks() -> Iterator[None]:
    """Chunks of two cards, so that a small folder is laid out in several (the build lays
    out a booklet of few cards at once)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks, "CARDS_PER_CHUNK", 2)
        yield


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        start: _content(tmp_path_factory.mktemp(f"chunks-{start}"), start)
        for start in ("any", "recto")
    }


@pytest.mark.parametrize(("start", "variant"), [("any", None), ("recto", "pdf/ua-1")])
def test_one_process_two_processes_and_one_layout_make_the_same_booklet(
    folders: dict[str, Path], start: str, variant: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folders[start]
    out = folder.parent
    every = {"pdf_variant": variant, "print_pdf": True, "impose": True, "cards": True}
    single = _one_layout(folder, out / "single", **every)
    one = _build(folder, out / "one", jobs=1, **every)
    layout_processes = []  # alive while the booklet is merged (each with its memory)
    merge = engine.merge

    def watched(*args: object) -> bytes:
        layout_processes.append(len(multiprocessing.active_children()))
        return merge(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "merge", watched)
    two = _build(folder, out / "two", jobs=2, **every)
    assert layout_processes == [0]
    assert one.pages == two.pages == single.pages
    # Same bytes in one process or two (chunks laid out before their first page is known,
    # then renumbered), and the single layout's pages, text (the sommaire's folios and the
    # cross-references' pages injected), links, outline, tags, fonts (each embedded once)
    # and metadata, in every output.
    files = sorted(path.relative_to(out / "one") for path in (out / "one").rglob("*.pdf"))
    assert len(files) == 3 + CARDS
    for name in files:
        assert (out / "one" / name).read_bytes() == (out / "two" / name).read_bytes(), name
        _same_booklet(out / "single" / name, out / "one" / name)
    assert all(count == 1 for _, count in digest(out / "one/booklet.pdf")["fonts"])
    # The preflight's page of the low-resolution image, found in the last chunk.
    assert one.preflight == two.preflight == single.preflight
    assert single.preflight is not None
    ((image),) = single.preflight.low_res_images
    assert image.name == "basse.png" and image.page > 10


def test_an_edition_is_the_same_booklet(folders: dict[str, Path]) -> None:
    out = folders["any"].parent / "edition"
    _one_layout(folders["any"], out / "single", edition="courte")
    _build(folders["any"], out / "chunked", edition="courte", jobs=2)
    _same_booklet(out / "single/courte.pdf", out / "chunked/courte.pdf")


def test_a_rebuild_lays_out_only_what_changed_and_equals_a_cold_build(
    folders: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, out = _copy(folders["any"], tmp_path)
    cold = _build(content, out, cache=True)
    assert cold.laid_out == CARDS
    again = _build(content, out, cache=True)
    assert again.laid_out == 0  # nothing changed: every chunk from the cache
    card = sorted(content.rglob("00*.md"))[2]
    text = card.read_text()
    end = text.rindex("é")
    card.write_text(text[:end] + "e" + text[end + 1 :])  # its body: the same pages
    laid: list[str] = []  # the HTML of each layout
    for name in ("hold", "lay_out_chunk"):
        monkeypatch.setitem(workers._FUNCTIONS, name, _recorded(workers._FUNCTIONS[name], laid))
    converted: list[Path] = []  # the Markdown bodies converted again (check_cache.py)
    convert = MarkdownRenderer.converted

    def counted(self: MarkdownRenderer, text: str, path: Path, *args: Any) -> Converted:
        converted.append(path)
        return convert(self, text, path, *args)

    monkeypatch.setattr(MarkdownRenderer, "converted", counted)
    edited = _build(content, out, cache=True)
    assert converted == [card]
    assert edited.laid_out == chunks.CARDS_PER_CHUNK  # the card's chunk only
    # and the booklet's head alone, for the metadata (its date is the card's): neither the
    # cover and sommaire nor the colophon, which the new date does not change.
    number = re.search(r"^number: (\S+)$", text, re.MULTILINE).group(1)
    assert len(laid) == 2 and sum(f'id="card-{number}"' in html for html in laid) == 1
    assert sum(bool(re.search(r"<body[^>]*>\s*</body>", html)) for html in laid) == 1
    _build(content, tmp_path / "cold")
    assert (out / "booklet.pdf").read_bytes() == (tmp_path / "cold/booklet.pdf").read_bytes()


def test_a_new_card_title_lays_out_the_sommaire_once(
    folders: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sommaire, laid out beside the edited card's chunk (two jobs), prints the pages of
    that chunk's cards as they were in the previous build: right the first time."""
    content, out = _copy(folders["any"], tmp_path)
    _build(content, out, cache=True, jobs=2)
    previous = json.loads((out / FOLDER / "pages.json").read_text())
    number = next(  # a card that is not the first of its chunk
        name.removeprefix("card-")
        for _, anchors in previous.values()
        for name, page in anchors.items()
        if name.startswith("card-") and page > 0
    )
    card = next(
        path for path in content.rglob("00*.md") if f"number: {number}\n" in path.read_text()
    )
    card.write_text(
        re.sub(r"^title: (.*)$", r"title: \1 revu", card.read_text(), count=1, flags=re.M)
    )
    rounds = []
    lay_out_round = engine._round

    def counted(*args: object) -> set[int]:
        rounds.append(args[1])
        return lay_out_round(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_round", counted)
    _build(content, out, cache=True, jobs=2)
    assert len(rounds) == 1, rounds  # not a second one for the sommaire's page numbers
    _build(content, tmp_path / "cold", jobs=2)
    assert (out / "booklet.pdf").read_bytes() == (tmp_path / "cold/booklet.pdf").read_bytes()


def test_the_cache_is_stale_when_what_the_pages_depend_on_changes(
    folders: dict[str, Path], tmp_path: Path
) -> None:
    content, out = _copy(folders["any"], tmp_path)
    assert _build(content, out, cache=True).laid_out == CARDS
    index = sorted(content.rglob("_section.md"))[-1]
    index.write_text(re.sub(r"title: .*", "title: Un autre titre", index.read_text(), count=1))
    assert _build(content, out, cache=True).laid_out > 0  # the section's chunks at least
    styles = tmp_path / "styles"  # the project's own, beside content/
    shutil.copytree(bundled_root() / "styles", styles)
    _append(styles / "booklet.css", "\n.card-title { letter-spacing: 0.02em; }\n")
    assert _build(content, out, cache=True).laid_out == CARDS
    font = styles / "fonts/CourierPrime-Regular.ttf"
    font.write_bytes(font.read_bytes() + b"\0")  # another file, the same glyphs
    assert _build(content, out, cache=True).laid_out == CARDS
    assert _build(content, out, cache=True, bleed_mm=5.0).laid_out == CARDS


def test_a_damaged_cache_is_ignored(folders: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(folders["any"], out, cache=True)
    entries = sorted((out / FOLDER / "chunks").iterdir())
    assert len(entries) >= 3
    truncated, garbage, other_version = entries[:3]
    truncated.write_bytes(truncated.read_bytes()[:1000])
    garbage.write_bytes(b"\x80\x04garbage" * 100)
    older = other_version.read_bytes().replace(FORMAT, b"nomodel-chunk-cache 0\n", 1)
    other_version.write_bytes(older)
    damaged = {path: path.read_bytes() for path in (truncated, garbage, other_version)}
    expected = (out / "booklet.pdf").read_bytes()
    _build(folders["any"], out, cache=True)
    assert (out / "booklet.pdf").read_bytes() == expected
    for path, data in damaged.items():  # laid out again and kept whole, or not needed
        if path.exists():  # (the sommaire's first layout, before the page numbers were known)
            assert path.read_bytes() != data and path.read_bytes().startswith(FORMAT)
    assert any(path.exists() for path in damaged)


def test_no_cache_keeps_nothing(folders: dict[str, Path], tmp_path: Path) -> None:
    result = _build(folders["any"], tmp_path / "out", cache=False)
    assert result.laid_out == CARDS
    assert not (tmp_path / "out" / FOLDER).exists()


def test_a_small_booklet_is_laid_out_here_without_starting_a_worker(
    small_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A booklet laid out at once gains nothing from another process, which would first
    have to start (a second and a half of a 2-card booklet's build from the cache)."""
    started = []

    class Recorded:  # a worker process that never starts
        def __init__(self, *args: object) -> None:
            started.append(args)

        def close(self) -> None:
            pass

    monkeypatch.setattr(workers, "_Process", Recorded)
    for _ in range(2):  # from scratch, then from the cache
        result = _build(small_content, tmp_path / "out", jobs=2, cache=True)
        assert result.pages == 8 and (tmp_path / "out/booklet.pdf").is_file()
    assert started == []
