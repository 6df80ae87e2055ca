"""Memory that Python and qpdf freed, given back to the system."""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


def give_back() -> None:
    """glibc's malloc keeps what a process frees for its own later use: after the merge,
    the build's process kept the size of its largest moment (351 MB at 500 cards, 136 MB
    once given back) while its workers made the outputs beside it. ``malloc_trim`` returns
    it; on a C library without it (macOS, musl, Windows) there is nothing to do."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
