"""Shared fixtures."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from chunked import chunked_content
from samples import SECRET, SMALL_CONTENT

from nomodel import chunks
from nomodel.notices import SUBSETTER_WARNING
from nomodel.write import font_timestamps

WriteContent = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def write_content(tmp_path: Path) -> WriteContent:
    """Write a small content folder and return its root (``tmp_path / "content"``).

    Takes ``{relative path: text}``; text is dedented and stripped of its first newline, so
    a triple-quoted front matter starts on line 1. Bytes are written as they are (BOM, CRLF,
    bad encodings). Call it again to add files to the same folder.
    """
    root = tmp_path / "content"

    def write(files: dict[str, str | bytes]) -> Path:
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text).removeprefix("\n"), encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return write


@pytest.fixture
def small_content(write_content: WriteContent) -> Path:
    """The seed's section with two short cards (tests/samples.py)."""
    return write_content(SMALL_CONTENT)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A private file of the machine, outside the content folder."""
    path = tmp_path / "private" / "notes.txt"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Without libharfbuzz-subset0 (optional: README, "System packages"), WeasyPrint says
        # so for every font it subsets: the one warning that is no fault of the document,
        # which builds turn into one note (notices.py).
        if not record.getMessage().startswith(SUBSETTER_WARNING):
            self.messages.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture(autouse=True)
def no_weasyprint_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a test during which WeasyPrint logs a warning (as WeasyPrint's own tests do with
    ``assert_no_logs``): a warning is a declaration skipped, an image not drawn, a font not
    found, which a passing test would otherwise hide. A test that provokes one on purpose
    says so with ``@pytest.mark.weasyprint_warnings``."""
    if request.node.get_closest_marker("weasyprint_warnings"):
        yield
        return
    warnings = _Warnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(warnings)
    try:
        yield
    finally:
        logger.removeHandler(warnings)
    assert not warnings.messages, "WeasyPrint warned:\n" + "\n".join(warnings.messages)


@pytest.fixture(scope="module")
def fixed_font_clock() -> Iterator[None]:
    """For a module that compares PDFs WeasyPrint writes itself, byte for byte: without
    libharfbuzz-subset0, fontTools subsets their fonts and stamps each with the clock (two
    writes a second apart differ), unless SOURCE_DATE_EPOCH is set, as nomodel's builds set
    it (``write.font_timestamps``). Not for a module that runs builds: the command line reads
    SOURCE_DATE_EPOCH as the booklet's date."""
    with font_timestamps("2026-01-01T00:00:00+00:00"):
        yield


@pytest.fixture(scope="module")
def small_chunks() -> Iterator[None]:
    """Chunks of two cards, so that a small folder is laid out in several (the build lays
    out a booklet of few cards at once), for the tests of a module that asks."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks, "CARDS_PER_CHUNK", 2)
        yield


@pytest.fixture(scope="module")
def chunked_folders(
    small_chunks: None, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """A folder of 7 cards with cross-references and editions, cards starting on any page
    and on right-hand pages (tests/chunked.py)."""
    return {
        start: chunked_content(tmp_path_factory.mktemp(f"chunks-{start}"), start)
        for start in ("any", "recto")
    }
