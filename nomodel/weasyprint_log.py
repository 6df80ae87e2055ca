"""WeasyPrint's log, told as an author can act on it: CSS mistakes with their file and line,
the notice about the slower font subsetter once."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from .errors import display_path

SUBSETTER_WARNING = "Using fontTools instead of HarfBuzz-Subset"
SUBSETTER_NOTICE = (
    "nomodel: note: fonts are subset with fontTools, which is slower; HarfBuzz's subsetter"
    " makes builds faster (Debian, Ubuntu: apt-get install libharfbuzz-subset0)"
)


class _WeasyPrintLog(logging.Handler):
    """WeasyPrint skips a CSS declaration it cannot read and only logs it, with a line and
    column but no file; its progress log names each stylesheet just before it is parsed.

    Without libharfbuzz-subset, it warns once per font and build that it subsets with
    fontTools: that becomes one notice, once for all the builds that share ``told``."""

    def __init__(self, told: set[str]) -> None:
        super().__init__(logging.INFO)
        self.sheet = "weasyprint"
        self.lines: list[str] = []
        self.told = told

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.name == "weasyprint.progress":
            _, parsing, url = message.partition("Fetching and parsing CSS - ")
            self.sheet = _sheet_name(url) if parsing else "weasyprint"
        elif message.startswith(SUBSETTER_WARNING):
            if SUBSETTER_NOTICE not in self.told:
                self.told.add(SUBSETTER_NOTICE)
                self.lines.append(SUBSETTER_NOTICE)
        elif record.levelno >= logging.WARNING:
            where = re.search(r" at (\d+):(\d+)", message)
            if where:
                message = message.replace(where[0], "", 1)
                self.lines.append(f"{self.sheet}:{where[1]}:{where[2]}: {message}")
            else:
                self.lines.append(f"{self.sheet}: {message}")


def _sheet_name(url: str) -> str:
    """WeasyPrint names a stylesheet by its URL, its path, or "CSS string"."""
    if url.startswith("file:"):
        return display_path(Path(unquote(urlparse(url).path)))
    return display_path(Path(url)) if Path(url).is_absolute() else url


@contextmanager
def weasyprint_messages(told: set[str] | None = None) -> Iterator[list[str]]:
    """The lines to show for one build, so that a typo in the styles is told, not silent.
    ``told`` holds the notices already shown, for a series of builds (``nomodel watch``)."""
    handler = _WeasyPrintLog(set() if told is None else told)
    main, progress = logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.INFO)
    main.addHandler(handler)  # the progress records reach it by propagation
    try:
        yield handler.lines
    finally:
        main.removeHandler(handler)
        progress.setLevel(level)
