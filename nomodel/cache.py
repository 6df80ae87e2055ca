"""What a build laid out, kept beside the outputs for the next build (``.nomodel-cache/``).

An entry is one chunk's result (chunk_layout.ChunkResult), found by a key made of everything
its pages depend on that the build knows before laying it out: its HTML (with its first page,
side and the page numbers it prints), the variants, the bleed, the version of the cache's
format and of the code (``cache_key.code_version``: nomodel's modules, WeasyPrint's version).
What it read while laid out (stylesheet, fonts, images) is kept in the entry with a sha256
each, and checked before the entry is used. An entry is trusted only whole: a header naming
the format, then a sha256 of the rest, then the rest (a pickle that may only make the
result's own classes); anything else is ignored and replaced. A chunk that read a remote
resource is not kept (it could change without the build knowing). The fonts' files are kept
once each, under their sha256, for the merge."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import pickle
from collections.abc import Callable
from pathlib import Path

from pydantic import NonNegativeInt, PositiveInt, TypeAdapter, ValidationError

from .cache_key import PREVIOUS_LAYOUT, code_version, digest, write_whole
from .chunk_layout import ChunkResult

FORMAT = b"nomodel-chunk-cache 3\n"  # one more on any change of ChunkResult
Previous = tuple[int, dict[str, int]]  # a chunk's pages, and the page of each anchor in it
_PREVIOUS = TypeAdapter(dict[str, tuple[PositiveInt, dict[str, NonNegativeInt]]])
_ALLOWED = {
    ("nomodel.chunk_layout", "ChunkResult"),
    ("nomodel.chunk_layout", "FontUse"),
    ("nomodel.preflight", "LowResImage"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a chunk's result")
        return super().find_class(module, name)


class Cache:
    """The cache folder of one output folder; ``None`` folder: nothing kept (``--no-cache``)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self._fonts: dict[str, bytes] = {}  # read once per build
        self._pending: dict[Path, bytes] = {}  # written by ``commit``, after the build

    @staticmethod
    def key(*parts: str | bytes) -> str:
        return digest(FORMAT, code_version(), *parts)

    def get(self, key: str, current: Callable[[str], str | None]) -> ChunkResult | None:
        """The entry, if whole and if everything it read is as it was (``current``: URL →
        sha256 of what it holds now, None when it cannot be read)."""
        if self.folder is None:
            return None
        try:
            data = (self.folder / "chunks" / key).read_bytes()
        except OSError:
            return None
        result = _parsed(data)
        if result is None or any(current(url) != sha for url, sha in result.read.items()):
            return None
        if any(self.font(use.file) is None for use in result.fonts):
            return None  # its fonts are needed by the merge
        self.used.add(key)
        return result

    def holds(self, key: str) -> bool:
        """Whether an entry is kept under ``key`` (``get`` tells whether it is usable)."""
        return self.folder is not None and (self.folder / "chunks" / key).is_file()

    def put(self, key: str, result: ChunkResult) -> None:
        if self.folder is None or any(
            not url.startswith(("file:", "data:")) for url in result.read
        ):
            return
        kept = dataclasses.replace(result, font_files={})  # kept apart, once each
        payload = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
        data = FORMAT + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        self._pending[Path("chunks") / key] = data
        self.used.add(key)

    def font(self, sha: str) -> bytes | None:
        if self.folder is None:
            return None
        if sha not in self._fonts:
            with contextlib.suppress(OSError):
                data = (self.folder / "fonts" / sha).read_bytes()
                if hashlib.sha256(data).hexdigest() == sha:
                    self._fonts[sha] = data
        return self._fonts.get(sha)

    def put_font(self, sha: str, data: bytes) -> None:
        if self.folder is not None and not (self.folder / "fonts" / sha).is_file():
            self._pending[Path("fonts") / sha] = data
            self._fonts[sha] = data

    def previous_layout(self) -> dict[str, Previous]:
        """Each chunk's page count and the pages of its anchors in the previous build (by its
        first anchor): the best guess, before it is laid out, of where the chunks after it
        start and of the page numbers that other chunks print for its anchors."""
        if self.folder is None:
            return {}
        try:
            return _PREVIOUS.validate_json((self.folder / PREVIOUS_LAYOUT).read_bytes())
        except (OSError, ValidationError):
            return {}

    def keep_layout(self, chunks: dict[str, tuple[int | None, dict[str, int]]]) -> None:
        if self.folder is not None:
            known = {name: chunk for name, chunk in chunks.items() if chunk[0]}
            self._pending[Path(PREVIOUS_LAYOUT)] = json.dumps(known, sort_keys=True).encode()

    def commit(self) -> None:
        """Writes what the build kept, once its outputs are in place (a failed build writes
        nothing), and drops the entries it did not use: the cache holds one booklet's."""
        if self.folder is None:
            return
        for relative, data in self._pending.items():
            write_whole(self.folder / relative, data)
        self._pending.clear()
        with contextlib.suppress(OSError):
            for entry in (self.folder / "chunks").iterdir():
                if entry.name not in self.used:
                    entry.unlink()


def _parsed(data: bytes) -> ChunkResult | None:
    if not data.startswith(FORMAT):
        return None
    checksum, _, payload = data[len(FORMAT) :].partition(b"\n")
    if hashlib.sha256(payload).hexdigest().encode() != checksum:
        return None
    try:
        result = _Unpickler(io.BytesIO(payload)).load()
    except Exception:  # a garbled entry is no entry, whatever the unpickler says
        return None
    return result if isinstance(result, ChunkResult) else None
