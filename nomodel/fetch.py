"""The only way a build reads a resource: files of the project, never the machine's others,
never the network unless asked, and nothing too big to lay out.

One rule decides, and the same code reads: ``ResourcePolicy.read`` decodes a URL once, the
way urllib's file opener would, resolves the path (``..`` and symbolic links), checks it
against the allowed folders and then reads *that* path itself, so the path checked and the
path read cannot differ. The content checks (size, image pixels, SVG) run on the bytes read.
"""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from PIL import Image

from .svg_policy import SvgProblem, looks_like_svg, safe_svg

MAX_DATA_URL = 1_000_000  # characters: a data: URL is inline content, not a way to smuggle files
MAX_FILE_BYTES = 50 * 2**20  # an image or a stylesheet larger than this is no card's resource
# About an A4 page at 600 dpi, twice what print asks for; a decoded image of this size takes
# 160 MB of memory, so a few kilobytes of PNG claiming more cannot exhaust the machine.
MAX_PIXELS = 40_000_000
REMOTE_SCHEMES = ("http", "https")


class Refused(Exception):
    """A resource the build may not read; ``str()`` says why, after the URL."""


@dataclass(frozen=True)
class Resource:
    data: bytes
    url: str  # where it was read: a file's resolved path, as a URL
    mime_type: str


@dataclass(frozen=True)
class ResourcePolicy:
    """Which resources a build may read: regular files under ``roots`` (after ``..`` and
    symbolic links are resolved), small data: URLs, and http(s) only when ``allow_remote``;
    images within ``MAX_PIXELS``, SVG only as self-contained drawings."""

    roots: tuple[Path, ...]
    allow_remote: bool = False

    def refusal(self, url: str) -> str | None:
        """Why the absolute ``url`` may not be read, judged from the URL alone (no reading)."""
        try:
            self._allowed(url)
        except Refused as refused:
            return str(refused)
        return None

    def problem(self, url: str) -> str | None:
        """Why ``url`` may not be used, the content of local files and data: URLs checked too
        (the Markdown stage asks this, to report a problem on its card and line)."""
        if urlsplit(url).scheme.lower() in REMOTE_SCHEMES:
            return self.refusal(url)  # read at layout time, with --allow-remote only
        try:
            self.read(url)
        except Refused as refused:
            return str(refused)
        return None

    def read(self, url: str) -> Resource:
        """The checked bytes of a local file or data: URL, the URL they were read from (for a
        file, its resolved path) and their type. SVG comes back made safe (``svg_policy``)."""
        path = self._allowed(url)
        if path is None:
            mime_type, data = _data_url(url)
            return Resource(checked_content(data, self), url, mime_type)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return Resource(checked_content(_read_file(path), self), path.as_uri(), mime_type)

    def _allowed(self, url: str) -> Path | None:
        """The resolved local path of a file URL (None for data:), or Refused."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            return self._inside(parts.netloc, parts.path)
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                raise Refused("is a data: URL larger than 1 MB")
            return None
        if scheme in REMOTE_SCHEMES:
            if self.allow_remote:
                return None
            raise Refused("is on the network (--allow-remote fetches it)")
        if not scheme:
            raise Refused("is not a URL")
        raise Refused(f'uses the "{scheme}" scheme, which is not read')

    def _inside(self, host: str, url_path: str) -> Path:
        if host not in ("", "localhost"):  # "//host/x" written in a card, or a shared folder
            raise Refused(
                f'is a network address (on "{host}"): write it with https:// and build'
                " with --allow-remote"
            )
        # Decoded once, exactly as urllib's file opener decodes it (url2pathname unquotes).
        decoded = url2pathname(url_path)
        if "\x00" in decoded:
            raise Refused("holds a NUL character, which no file name has")
        try:
            path = Path(decoded).resolve()
        except (OSError, RuntimeError) as error:  # a name too long, a loop of links
            raise Refused(f"cannot be read ({_why(error)})") from None
        if not any(path.is_relative_to(root.resolve()) for root in self.roots):
            raise Refused("is outside the content folder")
        return path


def checked_content(data: bytes, policy: ResourcePolicy) -> bytes:
    """``data`` if it is a resource a build may use, SVG made safe; else Refused."""
    if looks_like_svg(data):
        try:
            return safe_svg(data, lambda url: policy.problem(url) is None)
        except SvgProblem as problem:
            raise Refused(f"is an SVG that {problem}") from None
    _check_pixels(data)
    return data


def _check_pixels(data: bytes) -> None:
    """A raster image is refused when it has more pixels than print can use (only its header
    is read: a small file can claim a huge picture)."""
    bomb_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # Pillow would refuse the header without telling the size
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:  # not an image (a stylesheet, a font): nothing to count
        return
    finally:
        Image.MAX_IMAGE_PIXELS = bomb_limit
    if width * height > MAX_PIXELS:
        raise Refused(
            f"is an image of {width} × {height} pixels; the limit is"
            f" {MAX_PIXELS // 1_000_000} million pixels (600 dpi on a whole A4 page)"
        )


def _read_file(path: Path) -> bytes:
    try:
        # Opened without blocking, so that a named pipe cannot hang the build; then only a
        # regular file is read, and no more of it than a resource may weigh.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise Refused("is not a regular file")
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise Refused("not found") from None
    except OSError as error:
        raise Refused(f"cannot be read ({_why(error)})") from None
    if len(data) > MAX_FILE_BYTES:
        raise Refused(f"is larger than {MAX_FILE_BYTES // 2**20} MB")
    return data


def _data_url(url: str) -> tuple[str, bytes]:
    """The type and bytes of a ``data:[type][;base64],data`` URL (RFC 2397)."""
    header, comma, payload = url.partition(",")
    if not comma:
        raise Refused("is a data: URL without data")
    mime_type = header[len("data:") :].split(";")[0].strip().lower() or "text/plain"
    data = unquote_to_bytes(payload)
    if header.lower().endswith(";base64"):
        try:
            return mime_type, base64.b64decode(data, validate=False)
        except binascii.Error:
            raise Refused("is a data: URL whose base64 cannot be read") from None
    return mime_type, data


def _why(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__
