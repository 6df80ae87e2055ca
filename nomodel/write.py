"""Writers: PDF bytes from the layout, and files that appear whole or not at all."""

from __future__ import annotations

import datetime
import hashlib
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import weasyprint.pdf.metadata
from weasyprint import Document
from weasyprint.pdf import VARIANTS

from .accessibility import mark_pagination_artifacts


def pdf_bytes(document: Document, variant: str | None) -> bytes:
    """The document as PDF in ``variant``; a tagged one gets its running heads and folios
    marked as artifacts, as PDF/UA wants."""
    with _reproducible_document_id(document):
        pdf = document.write_pdf(pdf_variant=variant)
    tagged = variant is not None and VARIANTS[variant][1].get("pdf_tags", False)
    return mark_pagination_artifacts(pdf) if tagged else pdf


@contextmanager
def _reproducible_document_id(document: Document) -> Iterator[None]:
    """WeasyPrint gives PDF/X-4 files a random XMP DocumentID (uuid4); two builds of the same
    content must be identical, so the id is derived from what identifies the document."""
    metadata = document.metadata
    seed = f"{metadata.title}|{metadata.modified}|{len(document.pages)}".encode()
    random_uuid = weasyprint.pdf.metadata.uuid4
    weasyprint.pdf.metadata.uuid4 = lambda: uuid.UUID(bytes=hashlib.md5(seed).digest())
    try:
        yield
    finally:
        weasyprint.pdf.metadata.uuid4 = random_uuid


@contextmanager
def fonts_dated(version: datetime.datetime) -> Iterator[None]:
    """Font subsets stamped with the booklet's date, not the clock.

    Without the HarfBuzz subsetter (libharfbuzz-subset), WeasyPrint subsets fonts with
    fontTools, which writes the current time into each font's ``head.modified``; fontTools
    takes SOURCE_DATE_EPOCH instead when it is set (fontTools.misc.timeTools.timestampNow).
    WeasyPrint gives no way to pass it, hence the environment, restored afterwards."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(version.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Writes through a temporary file in the same folder, then renames it over ``path``.

    A failure at any point leaves the previous file byte-for-byte intact; the rename is
    atomic, so a PDF viewer watching ``path`` never sees half a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
