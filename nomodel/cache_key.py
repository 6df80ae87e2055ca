"""What nomodel's caches share: their folder beside the outputs, keys and files that name
the code that made them, so that what another version of nomodel (or of a library that
shapes its output) made is never used, and files of plain values written whole."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import pickle
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

FOLDER = ".nomodel-cache"
# cache.py's record of the last build laid out in chunks: their pages, their anchors' pages.
PREVIOUS_LAYOUT = "pages.json"
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
    parts.append(sys.version)  # its re and unicodedata shape text too
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


class _PlainValues(pickle.Unpickler):
    """Makes only what pickle's own opcodes make: dicts, lists, tuples, sets, strings,
    numbers, booleans and None; never an object of a class, whatever the file says."""

    def find_class(self, module: str, name: str) -> NoReturn:
        raise pickle.UnpicklingError(f"{module}.{name} is not a plain value")


def kept(path: Path | None, kind: str) -> Any:
    """What ``keep`` wrote at ``path`` for ``kind`` with this code, or None: a file written
    by other code, damaged or missing is no file."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header, _, rest = data.partition(b"\n")
    checksum, _, payload = rest.partition(b"\n")
    if header != _header(kind) or hashlib.sha256(payload).hexdigest().encode() != checksum:
        return None
    try:
        return _PlainValues(io.BytesIO(payload)).load()
    except Exception:  # a garbled file is no file, whatever the unpickler says
        return None


def keep(path: Path, kind: str, value: object) -> None:
    """Writes ``value`` (plain values only) whole or not at all; a cache that cannot be
    written is no failure."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    checksum = hashlib.sha256(payload).hexdigest().encode()
    write_whole(path, b"\n".join((_header(kind), checksum, payload)))


def write_whole(path: Path, data: bytes) -> None:
    """Writes ``data`` at ``path`` whole or not at all: in a new file of this process beside
    it, never through a link left in its place, then renamed over it. A cache that cannot be
    written is no failure."""
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        part.unlink(missing_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        with os.fdopen(os.open(part, flags, 0o644), "wb") as file:
            file.write(data)
        os.replace(part, path)
    with contextlib.suppress(OSError):
        part.unlink(missing_ok=True)  # left by a write that failed half way


def _header(kind: str) -> bytes:
    return f"nomodel {kind} {code_version()}".encode()
