"""Writers: PDF bytes from the layout, and outputs that appear all together or not at all."""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError, display_path


def document_uuid(title: str | None, modified: str | None, pages: int) -> uuid.UUID:
    """The XMP DocumentID of a booklet: derived from what identifies it."""
    return uuid.UUID(bytes=hashlib.md5(f"{title}|{modified}|{pages}".encode()).digest())


@contextmanager
def font_timestamps(modified: str | None) -> Iterator[None]:
    """Without HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools, which stamps each
    subset with the clock unless SOURCE_DATE_EPOCH is set: it is set, while writing, to the
    document's version time, so that two builds of the same content are identical."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    if modified:
        seconds = int(datetime.datetime.fromisoformat(modified).timestamp())
        os.environ["SOURCE_DATE_EPOCH"] = str(seconds)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def write_file(staging: Path, relative: str, data: bytes) -> None:
    """``data`` written to ``staging/relative`` and synced to the disk; a failure names the
    output the file stands for (``Outputs`` stages in a folder inside the outputs')."""
    staged = staging / relative
    try:
        staged.parent.mkdir(parents=True, exist_ok=True)
        with staged.open("wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as error:
        shown = display_path(staging.parent / relative)
        raise OutputError(f"cannot write {shown}: {error.strerror or error}") from None


class Outputs:
    """Every file of a build, written first into a hidden folder beside the outputs, then
    moved into place together by ``commit``: a build that fails at any stage, for any
    output, leaves every previous output as it was (and no temporary file behind).

    Used as a context manager: leaving it without ``commit`` discards what was staged."""

    STAGING_PREFIX = ".nomodel-staging-"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._staging: Path | None = None
        self._created_folder = False
        self._staged: list[Path] = []  # relative paths
        self._replaced_folders: list[tuple[Path, Callable[[Path], bool]]] = []

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._discard()

    def write(self, relative: str, data: bytes) -> Path:
        """Stages ``data`` for ``folder/relative``; returns that final path."""
        write_file(self.staging, relative, data)
        return self.adopt(relative)

    @property
    def staging(self) -> Path:
        """The hidden folder where outputs are staged, for other processes to write into
        (``write_file``), each file then given to ``adopt``."""
        return self._staging_folder()

    def adopt(self, relative: str) -> Path:
        """Stages ``folder/relative``, written into ``staging`` already; returns that final
        path."""
        self._staged.append(Path(relative))
        return self.folder / relative

    def replace_folder(self, relative: str, ours: Callable[[Path], bool]) -> None:
        """The files written under ``relative`` replace those there that ``ours`` claims (a
        card removed from the content loses its PDF; other files stay)."""
        self._replaced_folders.append((Path(relative), ours))

    def commit(self) -> None:
        """Moves every staged file into place. The folders are made first, so that a file
        standing where a folder must be stops the build before anything is replaced."""
        try:
            for folder in sorted({relative.parent for relative in self._staged}):
                (self.folder / folder).mkdir(parents=True, exist_ok=True)
            for relative in self._staged:
                if (self.folder / relative).is_dir():
                    raise IsADirectoryError(0, "a folder stands there", str(self.folder / relative))
        except OSError as error:
            where = error.filename or self.folder
            raise OutputError(f"cannot write into {where}: {error.strerror or error}") from None
        for relative in self._staged:
            os.replace(self._staging_folder() / relative, self.folder / relative)
        for folder, ours in self._replaced_folders:
            kept = {self.folder / r for r in self._staged if r.parent == folder}
            for stale in set((self.folder / folder).iterdir()) - kept:
                if ours(stale):
                    stale.unlink()
        self._staged.clear()

    def _staging_folder(self) -> Path:
        if self._staging is None:
            try:
                self._created_folder = not self.folder.exists()
                self.folder.mkdir(parents=True, exist_ok=True)
                self._staging = Path(tempfile.mkdtemp(prefix=self.STAGING_PREFIX, dir=self.folder))
            except OSError as error:
                raise OutputError(
                    f"cannot write into {display_path(self.folder)}: {error.strerror or error}"
                ) from None
        return self._staging

    def _discard(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
        if self._created_folder and self.folder.is_dir() and not any(self.folder.iterdir()):
            self.folder.rmdir()  # the build made it and nothing came of it
