"""What nomodel's caches share: their folder beside the outputs, and keys that name the code
that made an entry, so that an entry made by another version of nomodel (or of a library
that shapes its output) is never used."""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

FOLDER = ".nomodel-cache"
# The libraries whose versions change what nomodel makes of the same content.
_LIBRARIES = (
    "markdown-it-py",
    "mdit-py-plugins",
    "pillow",
    "tinycss2",
    "tinyhtml5",
    "weasyprint",
    "pydyf",
    "pikepdf",
    "fonttools",
    "babel",
    "segno",
)


@functools.cache
def code_version() -> str:
    """sha256 of nomodel's own modules and of its libraries' versions. The modules rather
    than nomodel's version number: an edited checkout keeps its number."""
    package = Path(__file__).parent
    parts: list[str | bytes] = []
    for module in sorted(package.rglob("*.py")):
        parts += [module.relative_to(package).as_posix(), module.read_bytes()]
    for name in _LIBRARIES:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} absent")
    return digest(*parts)


def digest(*parts: str | bytes) -> str:
    """sha256 of ``parts``, each length-prefixed: ("ab", "c") and ("a", "bc") differ."""
    hashed = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hashed.update(len(data).to_bytes(8, "big") + data)
    return hashed.hexdigest()
