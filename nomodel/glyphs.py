"""Every character of the content must be drawn by a bundled font: the PDF never falls back
on a font of the machine, and never shows a missing-glyph box."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from fontTools.ttLib import TTFont

from .errors import ContentError
from .frontmatter import MAX_FILE_BYTES
from .project import STYLES

FONTS = STYLES / "fonts"
# Characters that steer shaping without a glyph of their own: joiners, variation selectors.
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


@functools.cache
def coverage() -> frozenset[int]:
    """Code points that at least one bundled font draws (the CSS stacks fall back on all)."""
    covered: set[int] = set()
    for font in sorted(FONTS.glob("*.[ot]tf")):
        covered |= set(TTFont(font, lazy=True).getBestCmap())
    return frozenset(covered)


def glyph_problems(paths: Iterable[Path]) -> list[ContentError]:
    """One problem per line and character that no bundled font has: the author finds
    every place to change, not only the first."""
    problems = []
    covered = coverage()
    for path in paths:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            continue  # a named pipe, a device, a huge file: the loader has reported it
        try:
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeError):
            continue  # the loader has reported it
        if all(ord(char) in covered or _invisible(char) for char in set(text)):
            continue  # most files: one pass over their distinct characters settles them
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
                        " bundled fonts: it would print as an empty box",
                    )
                )
    return problems


def _invisible(char: str) -> bool:
    return (
        unicodedata.category(char) in _INVISIBLE
        or 0xFE00 <= ord(char) <= 0xFE0F
        or 0xE0100 <= ord(char) <= 0xE01EF
    )
