"""Read a Markdown file's YAML front matter, or a plain YAML file, keeping file line numbers.

Values are plain Python (dict, list, str, int, float, bool, None). Dates stay strings: the
schema parses them, so an impossible date like 2020-02-30 becomes a content error instead of
a crash inside the YAML library.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Protocol

import yaml

from nomodel.errors import ContentError, ContentErrors

KeyPath = tuple[Hashable, ...]
"""Where a value sits in the YAML: mapping keys and 0-based list indexes, e.g. ("links", 0)."""
Parsed = tuple[dict[Any, Any], dict[KeyPath, int]]
"""A YAML mapping's values, and the file line of each key path."""
Parse = Callable[[Path, str, int], Parsed]
"""``parse_yaml``, or the same through a cache (check_cache.py)."""


class ParseCache(Protocol):
    """Front matters parsed by earlier runs (check_cache.CheckCache)."""

    def parse(self, path: Path, text: str, first_line: int) -> Parsed:
        """``parse_yaml``, through the cache; what this run parsed is kept."""

    def note(self, text: str, first_line: int, parsed: Parsed) -> None:
        """Keeps what another process parsed for this run (forked.py)."""


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_OPENER = "---"
_CLOSERS = ("---", "...")
_ROOT_LINE = 1
# Aliases can repeat a value many times over ("billion laughs": a few hundred bytes that
# would expand to billions of values); no front matter comes anywhere near this many.
_MAX_VALUES = 100_000
# Nor this many characters: aliases of a long string expand to gigabytes while the values
# stay few (30 000 aliases of 300 KB). A card's front matter is a few kilobytes.
_MAX_CHARS = 1_000_000
# A content file is text that a person wrote: far below this.
MAX_FILE_BYTES = 5 * 2**20


class _Loader(yaml.SafeLoader):
    """SafeLoader that never builds datetime objects, implicitly or through ``!!timestamp``."""

    # PyYAML reads these tables on the class; types-PyYAML declares them as instance
    # variables, so they cannot be annotated ClassVar.
    yaml_implicit_resolvers = {  # noqa: RUF012
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    yaml_constructors = {  # noqa: RUF012
        tag: make for tag, make in yaml.SafeLoader.yaml_constructors.items() if tag != _TIMESTAMP
    }


# libyaml parses about 4 times faster. Its messages differ from PyYAML's and it recurses in C,
# so it only reads short texts (nothing nests deeply in 4096 characters) without a BOM or
# the Unicode line breaks whose marks it counts differently; a text it rejects is read
# again by _Loader, for PyYAML's message.
_FAST_MAX_CHARS = 4096


class _AnyLoader(Protocol):
    """What the builder needs of PyYAML's loader or libyaml's: both have it."""

    def construct_object(self, node: yaml.Node) -> Any: ...


_FastLoader = (
    type(
        "_FastLoader",
        (yaml.CSafeLoader,),
        {
            "yaml_implicit_resolvers": _Loader.yaml_implicit_resolvers,
            "yaml_constructors": _Loader.yaml_constructors,
        },
    )
    if getattr(yaml, "__with_libyaml__", False)
    else None
)


def _compose(text: str) -> tuple[yaml.Node | None, _AnyLoader]:
    """The root node of ``text`` and the loader that composed it."""
    fast = len(text) <= _FAST_MAX_CHARS and not any(c in text for c in "\ufeff\x85\u2028\u2029")
    if _FastLoader is not None and fast:
        loader = _FastLoader(text)
        try:
            return loader.get_single_node(), loader
        except yaml.YAMLError:
            pass
    loader = _Loader(text)
    return loader.get_single_node(), loader


@dataclass(frozen=True)
class YamlFile:
    """A YAML mapping read from ``path``, with the 1-based file line of every key and item."""

    path: Path
    data: dict[Any, Any]
    lines: Mapping[KeyPath, int]

    def line_of(self, key_path: KeyPath) -> int:
        """The line of ``key_path``, or of its nearest existing parent (a missing key)."""
        for end in range(len(key_path), -1, -1):
            line = self.lines.get(key_path[:end])
            if line is not None:
                return line
        raise AssertionError("the root always has a line")


@dataclass(frozen=True)
class MarkdownFile(YamlFile):
    """A Markdown file: ``data`` is its front matter, ``body`` what follows the closing line."""

    body: str
    body_line: int  # 1-based file line where ``body`` starts


def read_yaml(path: Path, parse: Parse | None = None) -> YamlFile:
    """Read a whole file as one YAML mapping. Raises ContentErrors."""
    text = read_text(path)
    data, lines = (parse or parse_yaml)(path, text, 1)
    return YamlFile(path, data, lines)


def read_markdown(path: Path, parse: Parse | None = None) -> MarkdownFile:
    """Read a Markdown file opening with a ``---`` front matter block. Raises ContentErrors."""
    return markdown_file(path, read_text(path), parse)


def markdown_file(path: Path, text: str, parse: Parse | None = None) -> MarkdownFile:
    """``read_markdown`` of the file's text (``read_text``)."""
    rows = text.split("\n")
    if rows[0].rstrip() != _OPENER:
        _fail(path, 1, 'no front matter: the file must start with a "---" line')
    close = next((i for i, row in enumerate(rows) if i and row.rstrip() in _CLOSERS), None)
    if close is None:
        _fail(path, 1, 'front matter opened on line 1 is never closed (no closing "---")')
    data, lines = (parse or parse_yaml)(path, "\n".join(rows[1:close]), 2)
    return MarkdownFile(path, data, lines, body="\n".join(rows[close + 1 :]), body_line=close + 2)


def _fail(path: Path, line: int, message: str) -> NoReturn:
    raise ContentErrors([ContentError(path, line, message)])


def read_text(path: Path) -> str:
    """UTF-8 text with any BOM removed and every line ending turned into ``\\n``."""
    try:
        with path.open("rb") as file:
            if os.fstat(file.fileno()).st_nlink > 1:  # its other name may be anywhere
                _fail(path, 0, "is a hard link to a file: copy the file instead")
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        _fail(path, 0, f"cannot read file: {exc.strerror}")
    if len(raw) > MAX_FILE_BYTES:
        _fail(path, 0, f"file is larger than {MAX_FILE_BYTES // 2**20} MB: a card is text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0)
        line = raw[:start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        byte = raw[start]
        _fail(path, line, f"file is not valid UTF-8 (invalid byte 0x{byte:02x} on line {line})")
    if not text.strip():
        _fail(path, 1, "file is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(path: Path, text: str, first_line: int) -> Parsed:
    """Parse ``text``, which starts on file line ``first_line``; ContentErrors naming
    ``path`` when it is not a YAML mapping.

    The root mapping's line is line 1: the opening ``---``, or the top of a YAML file."""
    builder = _Builder(path, text, first_line)
    try:
        node, loader = _compose(text)
        data = {} if node is None else builder.build(loader, node, ())
    except yaml.MarkedYAMLError as exc:
        _fail(path, *_yaml_problem(exc, text, first_line))
    except yaml.reader.ReaderError as exc:  # a control character, found before any parsing
        line = first_line + text.count("\n", 0, exc.position)
        _fail(path, line, f"invalid YAML: character U+{exc.character:04X} is not allowed")
    except RecursionError:
        _fail(path, _ROOT_LINE, "invalid YAML: nested too deeply (a recursive alias?)")
    except _TooLarge as exc:
        _fail(path, exc.line, f"invalid YAML: aliases expand to {exc.what}")
    if not isinstance(data, dict):
        _fail(path, builder.lines[()], 'expected "key: value" lines')
    if builder.errors:
        raise ContentErrors(builder.errors)
    builder.lines[()] = _ROOT_LINE
    return data, builder.lines


def _line_finder(text: str, first_line: int) -> Callable[[yaml.Mark], int]:
    """The file line of a YAML mark: YAML also breaks lines at U+0085, U+2028 and U+2029."""
    if not any(char in text for char in "\x85\u2028\u2029"):
        return lambda mark: first_line + mark.line
    return lambda mark: first_line + text.count("\n", 0, mark.index)


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str, first_line: int) -> tuple[int, str]:
    """Line and message of a YAML error; the context often shows where the fault began."""
    file_line = _line_finder(text, first_line)
    mark = exc.problem_mark or exc.context_mark
    line = file_line(mark) if mark else _ROOT_LINE
    message = f"invalid YAML: {exc.problem or exc.context}"
    if exc.problem and exc.context and exc.context_mark:
        message += f" ({exc.context} started on line {file_line(exc.context_mark)})"
    return line, message


class _TooLarge(Exception):
    def __init__(self, line: int, what: str) -> None:
        self.line, self.what = line, what


class _Builder:
    """Turns composed YAML nodes into plain values, noting each key's line and duplicate keys."""

    def __init__(self, path: Path, text: str, first_line: int) -> None:
        self.path = path
        self.file_line = _line_finder(text, first_line)
        self.lines: dict[KeyPath, int] = {}
        self.errors: list[ContentError] = []
        self.values = 0
        self.chars = 0

    def line(self, node: yaml.Node) -> int:
        return self.file_line(node.start_mark)

    def build(self, loader: _AnyLoader, node: yaml.Node, key_path: KeyPath) -> Any:
        self.lines.setdefault(key_path, self.line(node))
        self.values += 1
        if self.values > _MAX_VALUES:
            raise _TooLarge(self.lines[key_path[:1]], f"over {_MAX_VALUES} values")
        if isinstance(node, yaml.ScalarNode):
            self.chars += len(node.value)
            if self.chars > _MAX_CHARS:
                raise _TooLarge(self.lines[key_path[:1]], f"over {_MAX_CHARS} characters")
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(loader, item, (*key_path, index))
                for index, item in enumerate(node.value)
            ]
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(loader, node, key_path)
        return self.scalar(loader, node)

    def scalar(self, loader: _AnyLoader, node: yaml.Node) -> Any:
        try:
            return loader.construct_object(node)
        # An explicit tag on a value it cannot read: !!int abc, !!int '' (IndexError), !!bool x
        # (KeyError).
        except (ValueError, LookupError):
            self.error(node, f"invalid YAML: {node.value!r} cannot be read as {node.tag}")
            return None

    def build_mapping(self, loader: _AnyLoader, node: yaml.MappingNode, key_path: KeyPath) -> dict:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, "a key must be a plain word, not a list or mapping")
                continue
            errors = len(self.errors)
            key = self.scalar(loader, key_node)
            if len(self.errors) > errors:  # already reported
                continue
            if key in result:
                first = self.lines[(*key_path, key)]
                self.error(key_node, f'duplicate key "{key}" (first on line {first})')
                continue
            self.lines[(*key_path, key)] = self.line(key_node)
            result[key] = self.build(loader, value_node, (*key_path, key))
        return result

    def error(self, node: yaml.Node, message: str) -> None:
        self.errors.append(ContentError(self.path, self.line(node), message))
