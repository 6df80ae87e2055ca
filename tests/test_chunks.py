"""The booklet laid out in chunks (engine.py) is the booklet of one layout, in one process or
two.

The reference is the booklet laid out at once (as one chunk: the build does so below 17
cards): its PDFs are compared with the chunked ones, property by property
(tests/pdf_digest.py). The folders are shared by the tests of this module (conftest's
``chunked_folders``, chunks of two cards); the cache's tests are in test_chunk_cache.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from chunked import CARDS, build
from pdf_digest import digest
from test_workers import children

from nomodel import chunks, engine, pipeline, workers
from nomodel.merge import Merger


def _one_layout(content: Path, out: Path, **options: object) -> pipeline.BuildResult:
    """The booklet laid out at once, the reference."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks, "CARDS_PER_CHUNK", 1000)
        return build(content, out, **options)


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


@pytest.mark.parametrize(("start", "variant"), [("any", None), ("recto", "pdf/ua-1")])
def test_one_process_two_processes_and_one_layout_make_the_same_booklet(
    chunked_folders: dict[str, Path],
    start: str,
    variant: str | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = chunked_folders[start]
    out = folder.parent
    every = {"pdf_variant": variant, "print_pdf": True, "impose": True, "cards": True}
    single = _one_layout(folder, out / "single", **every)
    one = build(folder, out / "one", jobs=1, **every)
    processes: list[set[int]] = []  # at the end of the layout, then as the merge ends
    fonts, finish = engine._fonts, Merger.finish

    def watched(function: Any) -> Any:
        def called(*args: Any) -> Any:
            processes.append(set(children()))
            return function(*args)

        return called

    monkeypatch.setattr(engine, "_fonts", watched(fonts))
    monkeypatch.setattr(Merger, "finish", watched(finish))
    two = build(folder, out / "two", jobs=2, **every)
    # The layout's worker process stopped before the merge is finished (its memory held
    # layouts); the outputs are made in this process.
    laying_out, merging = processes
    assert len(laying_out) == 1 and merging == set()
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


def test_an_edition_is_the_same_booklet(chunked_folders: dict[str, Path]) -> None:
    out = chunked_folders["any"].parent / "edition"
    _one_layout(chunked_folders["any"], out / "single", edition="courte")
    build(chunked_folders["any"], out / "chunked", edition="courte", jobs=2)
    _same_booklet(out / "single/courte.pdf", out / "chunked/courte.pdf")


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
        result = build(small_content, tmp_path / "out", jobs=2, cache=True)
        assert result.pages == 8 and (tmp_path / "out/booklet.pdf").is_file()
    assert started == []


def _book(*units: tuple[str, int]) -> chunks.Book:
    """A book of units (kind, length of its HTML), in one section."""
    made = tuple(
        chunks.Unit(kind, "x" * size, section=-1 if kind in ("front", "back") else 0)
        for kind, size in units
    )
    return chunks.Book("<html><body>", "</body></html>", made, ())


def _cut(book: chunks.Book) -> list[list[str]]:
    """The kinds of the units of each chunk, with their lengths in thousands."""
    return [
        [f"{u.kind}{len(u.text) // 1000}" for u in chunks.units_of(book, chunk)]
        for chunk in chunks.chunks(book)
    ]


def test_long_cards_are_laid_out_in_more_chunks_of_about_the_same_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CARDS_PER_CHUNK cards whose HTML is longer than MAX_CHUNK_TEXT are cut before a card
    (a divider stays with the card after it), into as few chunks of about the same length
    as keep each under it; short ones are not cut."""
    monkeypatch.setattr(chunks, "CARDS_PER_CHUNK", 4)  # this module's folders have 2
    assert chunks.MAX_CHUNK_TEXT == 24_000
    short = _book(("front", 9000), *[("card", 5000)] * 4, ("back", 2000))
    assert _cut(short) == [["front9"], ["card5"] * 4, ["back2"]]
    long = _book(("front", 9000), *[("card", 10_000)] * 4, ("back", 2000))
    assert _cut(long) == [["front9"], ["card10"] * 2, ["card10"] * 2, ["back2"]]
    divided = _book(("card", 10_000), ("card", 10_000), ("divider", 1000), ("card", 10_000))
    assert _cut(divided) == [["card10"] * 2, ["divider1", "card10"]]
    very = _book(("card", 3000), ("card", 30_000), ("divider", 1000), ("card", 20_000))
    assert _cut(very) == [["card3"], ["card30"], ["divider1", "card20"]]
    alone = _book(*[("card", 20_000)] * 4)
    assert _cut(alone) == [["card20"]] * 4


def test_a_longer_card_moves_no_other_group_s_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A group of CARDS_PER_CHUNK cards is cut by its own length alone: a card made longer
    changes its group's chunks only."""
    monkeypatch.setattr(chunks, "CARDS_PER_CHUNK", 4)
    cards = [("card", 5000)] * 12
    before = chunks.chunks(_book(*cards))
    cards[1] = ("card", 40_000)
    after = chunks.chunks(_book(*cards))
    assert len(after) > len(before)
    assert after[-2:] == before[-2:]  # the second and third groups, as they were
