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
import contextlib
import hashlib
import io
import mimetypes
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from PIL import Image

from .compat import image_size_readable
from .svg_policy import SvgProblem, safe_svg

MAX_DATA_URL = 1_000_000  # characters: a data: URL is inline content, not a way to smuggle files
MAX_FILE_BYTES = 50 * 2**20  # an image or a stylesheet larger than this is no card's resource
# About an A4 page at 600 dpi, twice what print asks for; a decoded image of this size takes
# 160 MB of memory, so a few kilobytes of PNG claiming more cannot exhaust the machine.
MAX_PIXELS = 40_000_000
# A card's images together: eight photos of 12 million pixels.
MAX_CARD_PIXELS = 100_000_000
REMOTE_SCHEMES = ("http", "https")


class Refused(Exception):
    """A resource the build may not read; ``str()`` says why, after the URL."""


@dataclass(frozen=True)
class Resource:
    data: bytes
    url: str  # where it was read: a file's resolved path, as a URL
    mime_type: str
    pixels: int = 0  # a raster image's, every frame counted


@dataclass(frozen=True)
class ResourcePolicy:
    """Which resources a build may read: regular files under ``roots`` (after ``..`` and
    symbolic links are resolved), small data: URLs, and http(s) only when ``allow_remote``;
    images within ``MAX_PIXELS``, SVG only as self-contained drawings."""

    roots: tuple[Path, ...]
    allow_remote: bool = False
    # URL → ``state(url)`` of every file read, when given: what a cached result depends on.
    reads: dict[str, str] | None = field(default=None, compare=False, hash=False)

    def recording(self) -> ResourcePolicy:
        """The same policy, noting each file it reads in its own ``reads``."""
        return ResourcePolicy(self.roots, self.allow_remote, {})

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
        return CardImages(self).problem(url)

    def read(self, url: str) -> Resource:
        """The checked bytes of a local file or data: URL, the URL they were read from (for a
        file, its resolved path) and their type. SVG comes back made safe (``svg_policy``)."""
        local = self._local(url)
        if local is None:
            mime_type, raw = _data_url(url)
            data, pixels = checked_content(raw, self)
            return Resource(data, url, mime_type, pixels)
        path, raw = local
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data, pixels = checked_content(raw, self)
        return Resource(data, path.as_uri(), mime_type, pixels)

    def note(self, url: str) -> None:
        """Notes what the file at ``url`` holds now, as a read would, for a result that
        depends on where a path leads without reading it (a link to a card's file)."""
        with contextlib.suppress(Refused):
            self._local(url)

    def state(self, url: str) -> str:
        """What the file at ``url`` holds now, as ``reads`` notes it: its path and sha256, or
        why it cannot be read; "" for data: and remote URLs, which hold no file."""
        try:
            local = self._local(url)
        except Refused as refused:
            return f"refused: {refused}"
        return "" if local is None else _state(*local)

    def _local(self, url: str) -> tuple[Path, bytes] | None:
        """The resolved path and the bytes of a file URL, None for a data: or remote one, or
        Refused; noted in ``reads`` (file URLs only) when recording."""
        try:
            path = self._allowed(url)
            local = None if path is None else (path, _read_file(path))
        except Refused as refused:
            self._note(url, f"refused: {refused}")
            raise
        if local is not None:
            self._note(url, _state(*local))
        return local

    def _note(self, url: str, state: str) -> None:
        if self.reads is not None and url.lower().startswith("file:"):
            self.reads[url] = state

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


def checked_content(data: bytes, policy: ResourcePolicy) -> tuple[bytes, int]:
    """``data`` if it is a resource a build may use, SVG made safe, and its pixels (0 for
    anything but a raster image); else Refused.

    WeasyPrint draws as SVG whatever Pillow cannot open and XML can parse, whatever it
    starts with: so does this check (a raster image first, else any XML document)."""
    if pixels := _check_pixels(data):
        return data, pixels
    if maybe_xml(data):
        try:
            return safe_svg(data, lambda url: policy.problem(url) is None), 0
        except SvgProblem as problem:
            raise Refused(f"is an SVG that {problem}") from None
    return data, 0  # a stylesheet, a font, a colour profile


class CardImages:
    """What one card may load, its images counted together: beyond ``MAX_CARD_PIXELS`` in
    all, a card of a few kilobytes could still make the build decode for minutes (the same
    large picture under many names, or many data: URLs)."""

    def __init__(self, policy: ResourcePolicy) -> None:
        self.policy = policy
        self.pixels = 0
        self._counted: set[str] = set()

    def problem(self, url: str) -> str | None:
        """Why ``url`` (absolute) may not be used by this card, or None."""
        if urlsplit(url).scheme.lower() in REMOTE_SCHEMES:
            return self.policy.refusal(url)  # read at layout time, with --allow-remote only
        try:
            resource = self.policy.read(url)
        except Refused as refused:
            return str(refused)
        if resource.url not in self._counted:
            self._counted.add(resource.url)
            self.pixels += resource.pixels
        if self.pixels > MAX_CARD_PIXELS:
            return (
                f"brings the card's images to {self.pixels} pixels; a card's images may hold"
                f" {MAX_CARD_PIXELS // 1_000_000} million pixels in all"
            )
        return None


def local_url(url: str) -> str:
    """A file URL without query or fragment, which a file does not have: one picture has
    one URL, and is decoded once however it is written."""
    parts = urlsplit(url)
    return parts._replace(query="", fragment="").geturl() if parts.scheme == "file" else url


def css_url(url: str) -> str:
    """``url`` written as a CSS ``url()`` that nothing in it can close early."""
    return f'url("{quote(url, safe=_URL_SAFE)}")'


# Characters kept as they are in a URL written into CSS: no quote, parenthesis, backslash
# or space, which would end the url() and let the rest of a file name become CSS.
_URL_SAFE = ":/?#[]@!$&*+,;=%~"


def _check_pixels(data: bytes) -> int:
    """The pixels of a raster image, 0 for anything else; Refused when it has more pixels
    than print can use, or far more than its bytes can hold (a few kilobytes of PNG claiming
    a huge picture, which would take seconds and hundreds of MB to decode). Only its header
    is read."""
    try:
        with image_size_readable(), Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            frames = getattr(image, "n_frames", 1)
    except Exception:  # not an image (a stylesheet, a font): nothing to count
        return 0
    pixels = width * height * max(frames, 1)
    if width * height > MAX_PIXELS:
        raise Refused(
            f"is an image of {width} × {height} pixels; the limit is"
            f" {MAX_PIXELS // 1_000_000} million pixels (600 dpi on a whole A4 page)"
        )
    if pixels > _BOMB_MIN_PIXELS and pixels > _BOMB_PIXELS_PER_BYTE * len(data):
        raise Refused(
            f"claims {pixels} pixels in {len(data)} bytes: an image that packs its pixels"
            " this tightly is a decompression bomb, not a picture"
        )
    return pixels


# Real pictures take at least a byte per few hundred pixels, even flat drawings; a bomb
# packs millions in a few kilobytes.
_BOMB_MIN_PIXELS = 4_000_000
_BOMB_PIXELS_PER_BYTE = 1000


def maybe_xml(data: bytes) -> bool:
    """Whether ``data`` could be an XML document (in any encoding XML allows)."""
    head = data[:4].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<", b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00"))


def _read_file(path: Path) -> bytes:
    try:
        # Opened without blocking, so that a named pipe cannot hang the build; then only a
        # regular file is read, and no more of it than a resource may weigh.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise Refused("is not a regular file")
            if info.st_nlink > 1:  # its other name may be anywhere on the machine
                raise Refused("is a hard link to a file: copy the file instead")
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise Refused("not found") from None
    except OSError as error:
        raise Refused(f"cannot be read ({_why(error)})") from None
    if len(data) > MAX_FILE_BYTES:
        raise Refused(f"is larger than {MAX_FILE_BYTES // 2**20} MB")
    return data


def _state(path: Path, data: bytes) -> str:
    return f"{path} {hashlib.sha256(data).hexdigest()}"


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
