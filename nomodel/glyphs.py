"""Every character of the content must be drawn by a font of the theme (the fonts its
stylesheet names, bundled or the project's own): the PDF never falls back on a font of the
machine, and never shows a missing-glyph box."""

from __future__ import annotations

import functools
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from fontTools.ttLib import TTFont

from .errors import ContentError
from .frontmatter import MAX_FILE_BYTES
from .project import Theme
from .theme import font_faces

if TYPE_CHECKING:
    from .check_cache import CheckCache

# Characters that steer shaping without a glyph of their own: joiners, variation selectors.
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


# The fonts' coverage found by this process, by their paths and modification times
# (``nomodel watch`` sees a font replaced in place).
_known: dict[tuple[tuple[Path, int], ...], frozenset[int]] = {}


def coverage(theme: Theme, kept: CheckCache | None = None) -> frozenset[int]:
    """Code points that at least one font of the theme draws (the CSS stacks fall back on
    all of them); through ``kept``, if given: reading the fonts' character maps took 0.07 s
    of every check and build."""
    fonts = sorted({path for _, _, path in font_faces(theme) if path.is_file()})
    stamped = tuple((path, path.stat().st_mtime_ns) for path in fonts)
    if stamped not in _known:
        read = functools.partial(_read_coverage, fonts)
        _known[stamped] = kept.coverage(fonts, read) if kept else read()
    return _known[stamped]


def _read_coverage(fonts: list[Path]) -> frozenset[int]:
    covered: set[int] = set()
    for font in fonts:
        covered |= set(TTFont(font, lazy=True).getBestCmap())
    return frozenset(covered)


def glyph_problems(
    paths: Iterable[Path], scan: Callable[[Path, str], list[ContentError]]
) -> list[ContentError]:
    """One problem per line and character that no font of the theme has (``scan``:
    ``glyph_scan``'s): the author finds every place to change, not only the first."""
    problems = []
    for path in paths:
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                continue  # a named pipe, a device, a huge file: the loader has reported it
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeError):
            continue  # the loader has reported it
        problems += scan(path, text)
    return problems


def glyph_scan(
    theme: Theme, kept: CheckCache | None = None
) -> Callable[[Path, str], list[ContentError]]:
    """``glyph_problems`` of a file's text, read already (load.read_content's ``scan``)."""
    return functools.partial(_text_problems, covered=coverage(theme, kept))


def _text_problems(path: Path, text: str, covered: frozenset[int]) -> list[ContentError]:
    if not _uncovered(covered).search(text):
        return []  # most files: one search, in C, settles them
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for char in dict.fromkeys(line):  # each character once per line, in order
            if ord(char) in covered or _invisible(char):
                continue
            name = unicodedata.name(char, "unnamed character")
            problems.append(
                ContentError(
                    path,
                    number,
                    f'character "{char}" (U+{ord(char):04X} {name}) is in none of the'
                    " booklet's fonts: it would print as an empty box",
                )
            )
    return problems


@functools.cache
def _uncovered(covered: frozenset[int]) -> re.Pattern[str]:
    """A character outside ``covered`` that is not a tab or line break either: a file that
    has none is settled, one that has some is looked at character by character."""
    points = sorted(covered | {ord("\t"), ord("\n"), ord("\r")})
    runs: list[list[int]] = []
    for point in points:
        if runs and point == runs[-1][1] + 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    ranges = "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in runs)
    return re.compile(f"[^{ranges}]")


def _invisible(char: str) -> bool:
    return (
        unicodedata.category(char) in _INVISIBLE
        or 0xFE00 <= ord(char) <= 0xFE0F
        or 0xE0100 <= ord(char) <= 0xE01EF
    )
