"""A rebuild lays out only what changed and equals a cold build; the cache of laid-out chunks
is never trusted when it is stale or damaged (engine.py, cache.py). The folders are shared
by the tests of this module (conftest's ``chunked_folders``, chunks of two cards)."""

from __future__ import annotations

import io
import json
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
from chunked import CARDS, append, build, copied

from nomodel import chunk_layout, chunks, engine, merge
from nomodel.cache import FORMAT
from nomodel.cache_key import FOLDER
from nomodel.chunk_layout import ChunkJob, ChunkResult, lay_out_chunk
from nomodel.markdown_html import Converted, MarkdownRenderer
from nomodel.project import bundled_root


def _recorded(function: Callable[..., object], htmls: list[str]) -> Callable[..., object]:
    """``function`` (a layout call a worker answers), noting the HTML of each job."""

    def recorded(*args: object) -> object:
        htmls.append(next(arg.html for arg in args if isinstance(arg, ChunkJob)))
        return function(*args)

    return recorded


def test_a_rebuild_lays_out_only_what_changed_and_equals_a_cold_build(
    chunked_folders: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, out = copied(chunked_folders["any"], tmp_path)
    cold = build(content, out, cache=True)
    assert cold.laid_out == CARDS
    again = build(content, out, cache=True)
    assert again.laid_out == 0  # nothing changed: every chunk from the cache
    card = sorted(content.rglob("00*.md"))[2]
    text = card.read_text()
    end = text.rindex("é")
    card.write_text(text[:end] + "e" + text[end + 1 :])  # its body: the same pages
    laid: list[str] = []  # the HTML of each layout
    for name in ("hold", "lay_out_chunk"):
        monkeypatch.setattr(chunk_layout, name, _recorded(getattr(chunk_layout, name), laid))
    converted: list[Path] = []  # the Markdown bodies converted again (check_cache.py)
    convert = MarkdownRenderer.converted

    def counted(self: MarkdownRenderer, text: str, path: Path, *args: Any) -> Converted:
        converted.append(path)
        return convert(self, text, path, *args)

    monkeypatch.setattr(MarkdownRenderer, "converted", counted)
    edited = build(content, out, cache=True)
    assert converted == [card]
    assert edited.laid_out == chunks.CARDS_PER_CHUNK  # the card's chunk only
    # and the booklet's head alone, for the metadata (its date is the card's): neither the
    # cover and sommaire nor the colophon, which the new date does not change.
    number = re.search(r"^number: (\S+)$", text, re.MULTILINE).group(1)
    assert len(laid) == 2 and sum(f'id="card-{number}"' in html for html in laid) == 1
    assert sum(bool(re.search(r"<body[^>]*>\s*</body>", html)) for html in laid) == 1
    build(content, tmp_path / "cold")
    assert (out / "booklet.pdf").read_bytes() == (tmp_path / "cold/booklet.pdf").read_bytes()


def test_a_new_card_title_lays_out_the_sommaire_once(
    chunked_folders: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sommaire, laid out beside the edited card's chunk (two jobs), prints the pages of
    that chunk's cards as they were in the previous build: right the first time."""
    content, out = copied(chunked_folders["any"], tmp_path)
    build(content, out, cache=True, jobs=2)
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
        rounds.append(list(args[0].waiting))  # type: ignore[attr-defined]
        return lay_out_round(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_round", counted)
    build(content, out, cache=True, jobs=2)
    assert len(rounds) == 1, rounds  # not a second one for the sommaire's page numbers
    build(content, tmp_path / "cold", jobs=2)
    assert (out / "booklet.pdf").read_bytes() == (tmp_path / "cold/booklet.pdf").read_bytes()


def test_the_cache_is_stale_when_what_the_pages_depend_on_changes(
    chunked_folders: dict[str, Path], tmp_path: Path
) -> None:
    content, out = copied(chunked_folders["any"], tmp_path)
    assert build(content, out, cache=True).laid_out == CARDS
    index = sorted(content.rglob("_section.md"))[-1]
    index.write_text(re.sub(r"title: .*", "title: Un autre titre", index.read_text(), count=1))
    assert build(content, out, cache=True).laid_out > 0  # the section's chunks at least
    styles = tmp_path / "styles"  # the project's own, beside content/
    shutil.copytree(bundled_root() / "styles", styles)
    append(styles / "booklet.css", "\n.card-title { letter-spacing: 0.02em; }\n")
    assert build(content, out, cache=True).laid_out == CARDS
    font = styles / "fonts/CourierPrime-Regular.ttf"
    font.write_bytes(font.read_bytes() + b"\0")  # another file, the same glyphs
    assert build(content, out, cache=True).laid_out == CARDS
    assert build(content, out, cache=True, bleed_mm=5.0).laid_out == CARDS


def test_a_damaged_cache_is_ignored(chunked_folders: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(chunked_folders["any"], out, cache=True)
    entries = sorted((out / FOLDER / "chunks").iterdir())
    assert len(entries) >= 3
    truncated, garbage, other_version = entries[:3]
    truncated.write_bytes(truncated.read_bytes()[:1000])
    garbage.write_bytes(b"\x80\x04garbage" * 100)
    older = other_version.read_bytes().replace(FORMAT, b"nomodel-chunk-cache 0\n", 1)
    other_version.write_bytes(older)
    damaged = {path: path.read_bytes() for path in (truncated, garbage, other_version)}
    expected = (out / "booklet.pdf").read_bytes()
    build(chunked_folders["any"], out, cache=True)
    assert (out / "booklet.pdf").read_bytes() == expected
    for path, data in damaged.items():  # laid out again and kept whole, or not needed
        if path.exists():  # (the sommaire's first layout, before the page numbers were known)
            assert path.read_bytes() != data and path.read_bytes().startswith(FORMAT)
    assert any(path.exists() for path in damaged)


def test_no_cache_keeps_nothing(chunked_folders: dict[str, Path], tmp_path: Path) -> None:
    result = build(chunked_folders["any"], tmp_path / "out", cache=False)
    assert result.laid_out == CARDS
    assert not (tmp_path / "out" / FOLDER).exists()


def test_the_merge_begun_while_an_edit_is_laid_out_is_a_cold_build_s(
    chunked_folders: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two jobs, the edited card's chunk is laid out by the worker process while this
    one joins the chunks before it (engine._Merging): the booklet is the cold build's."""
    content, out = copied(chunked_folders["recto"], tmp_path)
    build(content, out, cache=True, jobs=2)
    card = sorted(content.rglob("00*.md"))[-2]  # in the last chunk of cards
    text = card.read_text()
    end = text.rindex("é")
    card.write_text(text[:end] + "e" + text[end + 1 :])  # its body: the same pages
    ahead: list[int] = []  # the parts joined before the edit's chunk came back
    join_next, take_answer = engine._Merging.join_next, engine._take_answer

    def joined(merging: engine._Merging, parts: list[merge.Part]) -> bool:
        done = join_next(merging, parts)
        ahead.append(done and not answers)
        return done

    answers: list[object] = []

    def answered(*args: Any) -> None:
        answers.append(args)
        take_answer(*args)

    monkeypatch.setattr(engine._Merging, "join_next", joined)
    monkeypatch.setattr(engine, "_take_answer", answered)
    edited = build(content, out, cache=True, jobs=2)
    assert edited.laid_out == chunks.CARDS_PER_CHUNK
    assert sum(ahead) >= 3  # the cover, the sommaire, a section's first chunk at least
    build(content, tmp_path / "cold", jobs=2)
    assert (out / "booklet.pdf").read_bytes() == (tmp_path / "cold/booklet.pdf").read_bytes()


@pytest.mark.parametrize(("variant", "edited"), [(None, (0,)), ("pdf/ua-1", (0,)), (None, (0, 4))])
def test_the_chunks_after_an_edit_s_are_joined_ahead_and_the_booklet_is_a_cold_build_s(
    chunked_folders: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variant: str | None,
    edited: tuple[int, ...],
) -> None:
    """An edit of the first chunk of cards (and of the third: two chunks laid out at once):
    while it is laid out, the chunks after it are joined ahead (Merger.add_ahead), then
    copied in order after it; tagged or not, with links and cross-references between
    chunks, the booklet is the cold build's."""
    content, out = copied(chunked_folders["recto"], tmp_path)
    build(content, out, cache=True, jobs=2, pdf_variant=variant)
    for index in edited:  # the first chunk of cards, the third
        card = sorted(content.rglob("00*.md"))[index]
        text = card.read_text()
        end = text.rindex("é")
        card.write_text(text[:end] + "e" + text[end + 1 :])  # its body: the same pages
    ahead: list[merge.Part] = []
    add_ahead = merge.Merger.add_ahead

    def noted(merger: merge.Merger, part: merge.Part) -> None:
        ahead.append(part)
        add_ahead(merger, part)

    monkeypatch.setattr(merge.Merger, "add_ahead", noted)
    rebuilt = build(content, out, cache=True, jobs=2, pdf_variant=variant)
    assert rebuilt.laid_out == chunks.CARDS_PER_CHUNK * len(edited)
    assert len(ahead) >= 4 - len(edited)  # the other chunks of cards, the back at least
    build(content, tmp_path / "cold", jobs=2, pdf_variant=variant)
    assert (out / "booklet.pdf").read_bytes() == (tmp_path / "cold/booklet.pdf").read_bytes()


def test_an_edit_s_new_head_is_laid_out_beside_its_chunk(
    chunked_folders: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit gives the booklet a new date, so its head (the metadata) is laid out again:
    in the round, by the worker that has no chunk, not after the edited chunk."""
    content, out = copied(chunked_folders["any"], tmp_path)
    build(content, out, cache=True, jobs=2)
    card = sorted(content.rglob("00*.md"))[2]
    append(card, "\nUne phrase de plus.\n")
    kinds: list[str] = []
    once: list[object] = []
    take_answer, laid_out_once = engine._take_answer, engine._laid_out_once

    def noted(state: engine._Round, worker: Any, workers: Any) -> None:
        kinds.append(state.calls[worker].kind)
        take_answer(state, worker, workers)

    def counted(*args: Any) -> Any:
        once.append(args)
        return laid_out_once(*args)

    monkeypatch.setattr(engine, "_take_answer", noted)
    monkeypatch.setattr(engine, "_laid_out_once", counted)
    edited = build(content, out, cache=True, jobs=2)
    assert kinds.count("head") == 1 and once == []
    metadata = pypdf.PdfReader(out / "booklet.pdf").metadata
    assert metadata is not None and metadata.title == "Essai en morceaux"
    assert edited.laid_out == chunks.CARDS_PER_CHUNK


def test_a_merge_begun_with_parts_that_turned_out_otherwise_is_begun_again(
    tmp_path: Path,
) -> None:
    """Parts joined ahead that are not the final parts' beginning (a chunk laid out again
    in a later round, other blank pages) are dropped: the booklet is the final parts'."""
    html = "<html lang='fr'><body><h1 id='{0}'>{0}</h1><p>Un laboratoire {0}.</p></body></html>"

    def result(name: str) -> ChunkResult:
        return lay_out_chunk(ChunkJob(html.format(name), tmp_path, False, 3.0, (None,)), set())

    first, old, new, head = result("a"), result("b"), result("c"), result("tete")
    fonts: dict[str, bytes] = {}
    for each in (first, old, new, head):
        fonts |= each.font_files
    document_id = uuid.UUID(int=7)
    merging = engine._Merging((None,))
    assert merging.join_next([merge.Part(first)]) and merging.join_next(
        [merge.Part(first), merge.Part(None, 1), merge.Part(old)]
    )
    # Not the beginning of what was joined: nothing more is joined ahead.
    assert not merging.join_next([merge.Part(first), merge.Part(old), merge.Part(new)])
    final = [merge.Part(first), merge.Part(new)]
    made = merging.merged(final, head, document_id, fonts)[None]
    assert made == merge.merge(final, head, None, document_id, fonts)
    assert len(pypdf.PdfReader(io.BytesIO(made)).pages) == 2


def test_an_edit_s_chunk_is_sent_before_the_cache_is_read(
    chunked_folders: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker lays the edited chunk out while the others are read from the cache: at
    500 cards, reading the entries before it delayed it by 0.08 s (middle of the booklet)."""
    content, out = copied(chunked_folders["any"], tmp_path)
    build(content, out, cache=True)
    card = sorted(content.rglob("00*.md"))[-2]
    text = card.read_text()
    end = text.rindex("é")
    card.write_text(text[:end] + "e" + text[end + 1 :])
    events: list[str] = []
    read, hold = engine._from_cache, chunk_layout.hold
    monkeypatch.setattr(engine, "_from_cache", lambda *a: events.append("read") or read(*a))
    monkeypatch.setattr(chunk_layout, "hold", lambda *a: events.append("hold") or hold(*a))
    assert build(content, out, cache=True).laid_out == chunks.CARDS_PER_CHUNK
    assert events[0] == "hold" and events.count("hold") == 1 and events.count("read") >= 3
    build(content, tmp_path / "cold")
    assert (out / "booklet.pdf").read_bytes() == (tmp_path / "cold/booklet.pdf").read_bytes()


def test_a_cold_build_merges_nothing_ahead_and_an_edit_that_moves_pages_merges_right(
    chunked_folders: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not in a cold build: its second round (the sommaire's and cross-references' page
    numbers) would have the merge hold its memory beside the workers'. An edit that adds
    pages moves the parts joined ahead (the sommaire's numbers): the merge is begun again,
    and the booklet is the cold build's."""
    content, out = copied(chunked_folders["any"], tmp_path)
    ahead: list[bool] = []
    begun: list[object] = []
    join_next, begin_anew = engine._Merging.join_next, engine._Merging._begin_anew

    def joined(merging: engine._Merging, parts: list[merge.Part]) -> bool:
        ahead.append(join_next(merging, parts))
        return ahead[-1]

    def counted(merging: engine._Merging) -> None:
        begun.append(merging)
        begin_anew(merging)

    monkeypatch.setattr(engine._Merging, "join_next", joined)
    monkeypatch.setattr(engine._Merging, "_begin_anew", counted)
    cold = build(content, out, cache=True, jobs=2)
    assert cold.laid_out == CARDS and not any(ahead) and len(begun) == 1
    card = sorted(content.rglob("00*.md"))[2]  # in a middle chunk
    append(card, "\n" + "Un paragraphe de plus, pour une page de plus. " * 300 + "\n")
    ahead.clear()
    begun.clear()
    longer = build(content, out, cache=True, jobs=2)
    assert longer.pages > cold.pages and any(ahead) and len(begun) == 2
    build(content, tmp_path / "cold", jobs=2)
    assert (out / "booklet.pdf").read_bytes() == (tmp_path / "cold/booklet.pdf").read_bytes()
