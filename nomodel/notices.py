"""What WeasyPrint says that an author should hear once, not at every font of every build."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

SUBSETTER_WARNING = "Using fontTools instead of HarfBuzz-Subset"
SUBSETTER_NOTICE = (
    "nomodel: note: fonts are subset with fontTools, which is slower; HarfBuzz's subsetter"
    " makes builds faster (Debian, Ubuntu: apt-get install libharfbuzz-subset0)"
)


class _SubsetterWarnings(logging.Filter):
    """Without libharfbuzz-subset, WeasyPrint warns once per font and PDF that it subsets
    with fontTools (four fonts, five PDFs: twenty lines). They become one notice."""

    def __init__(self, told: set[str]) -> None:
        super().__init__()
        self.told = told
        self.notices: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith(SUBSETTER_WARNING):
            return True
        if SUBSETTER_NOTICE not in self.told:
            self.told.add(SUBSETTER_NOTICE)
            self.notices.append(SUBSETTER_NOTICE)
        return False  # WeasyPrint's own wording is for developers


@contextmanager
def notices(told: set[str] | None = None) -> Iterator[list[str]]:
    """The notices of the builds run in the block, each once for the builds that share
    ``told`` (``nomodel watch`` shares it between its builds)."""
    found = _SubsetterWarnings(set() if told is None else told)
    logger = logging.getLogger("weasyprint")
    logger.addFilter(found)
    try:
        yield found.notices
    finally:
        logger.removeFilter(found)
