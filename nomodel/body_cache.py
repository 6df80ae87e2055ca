"""Markdown bodies converted by an earlier run, kept in the cache folder, so that ``check``,
``build`` and ``watch`` convert only the bodies that changed: converting is most of a check's
time (about 5 ms a card), and a body seldom changes between two runs.

An entry is found by a key made of the body (its text, file, first line, top heading level
and id), of everything the renderer's conversions depend on (``MarkdownRenderer.context``)
and of the code (``cache_key.code_version``). The files a body read (images, SVG) are kept
in its entry with what they held (``ResourcePolicy.state``), compared before the entry is
used. One JSON file per kind of conversion, validated whole: a file that does not validate
is ignored, and replaced by the next run."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup
from pydantic import BaseModel, NonNegativeInt, TypeAdapter, ValidationError

from .cache_key import code_version, digest
from .errors import ContentError
from .fetch import ResourcePolicy
from .markdown_html import Converted, MarkdownRenderer


class _Entry(BaseModel):
    html: str
    problems: list[tuple[NonNegativeInt, str]]  # line, message: on the body's own file
    references: list[str]
    reads: dict[str, str]


_ENTRIES = TypeAdapter(dict[str, _Entry])


Convert = Callable[[str, Path, int, int, str], Converted]


class BodyCache:
    """The bodies converted with or without French typography (``typeset``), kept in
    ``folder``; ``None``: none kept. ``save`` keeps the bodies of this run's conversions."""

    def __init__(self, folder: Path | None, typeset: bool = True) -> None:
        name = "bodies.json" if typeset else "bodies-untypeset.json"
        self.path = folder / name if folder is not None else None
        self._kept = self._load()
        self._used: dict[str, _Entry] = {}
        self.converted = 0  # bodies converted by this run, the others came from the cache

    def converter(self, renderer: MarkdownRenderer, policy: ResourcePolicy) -> Convert:
        """``renderer.converted``, through the cache: a body is converted again only if it,
        the renderer's context, the code or a file it read has changed."""
        context = digest(code_version(), renderer.context())
        state = functools.cache(policy.state)  # an image shared by cards is hashed once

        def convert(text: str, path: Path, line: int, top: int, doc_id: str) -> Converted:
            key = digest(context, str(path), str(line), str(top), doc_id, text)
            entry = self._kept.get(key)
            if entry is None or any(state(url) != held for url, held in entry.reads.items()):
                entry = _entry(renderer.converted(text, path, line, top, doc_id))
                self.converted += 1
            self._used[key] = entry
            return Converted(
                Markup(entry.html),
                tuple(ContentError(path, number, message) for number, message in entry.problems),
                frozenset(entry.references),
                entry.reads,
            )

        return convert

    def save(self) -> None:
        """Keeps this run's bodies only, written whole or not at all; a cache that cannot be
        written is no failure."""
        if self.path is None or self._used == self._kept:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            part = self.path.with_name(self.path.name + ".part")
            part.write_bytes(_ENTRIES.dump_json(self._used))
            os.replace(part, self.path)

    def _load(self) -> dict[str, _Entry]:
        if self.path is None:
            return {}
        try:
            return _ENTRIES.validate_json(self.path.read_bytes())
        except (OSError, ValidationError):
            return {}


def _entry(done: Converted) -> _Entry:
    return _Entry(
        html=done.html,
        problems=[(problem.line, problem.message) for problem in done.problems],
        references=sorted(done.references),
        reads=dict(done.reads),
    )
