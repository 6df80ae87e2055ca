"""What ``check`` keeps for the next run, in the cache folder: front matters parsed and
Markdown bodies converted. Both are most of a check's time (YAML about 0.3 ms a card,
Markdown about 5 ms), and a card seldom changes between two runs: ``check``, ``build`` and
``watch`` parse and convert only the files that changed.

A front matter is found by its text and first line. A body is found by a key made of the
body (its text, file, first line, top heading level and id) and of everything the renderer's
conversions depend on (``MarkdownRenderer.context``); the files it read (images, SVG) are
kept with what they held (``ResourcePolicy.state``), compared before the body is used. Each
file names the code that wrote it (``cache_key.keep``): another nomodel's is not read."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .cache_key import digest, keep, kept
from .errors import ContentError
from .fetch import ResourcePolicy
from .forked import mapped
from .frontmatter import Parsed, parse_yaml
from .markdown_html import Converted, MarkdownRenderer

# What a body is converted from: its text, file, first line, top heading level and id.
Source = tuple[str, Path, int, int, str]
# A body: its HTML, its problems (line, message, on its own file), the numbers of the cards
# it refers to, and the files it read (URL → ResourcePolicy.state).
_Body = tuple[str, tuple[tuple[int, str], ...], tuple[str, ...], dict[str, str]]


class CheckCache:
    """The front matters and bodies kept in ``folder`` (``None``: nothing kept).
    ``problems_only``: the bodies' problems, not their HTML, for ``nomodel check``
    (``checks.check``): its cache stays small, quick to read and write, and apart from the
    build's. ``save`` keeps this run's."""

    def __init__(self, folder: Path | None, problems_only: bool = False) -> None:
        self.folder = folder
        self.html = not problems_only
        self._bodies_kind = "bodies-problems" if problems_only else "bodies"
        self._kept_front: dict[str, Parsed] = self._kept("front-matters")
        self._kept_bodies: dict[str, _Body] = self._kept(self._bodies_kind)
        self._kept_coverage: dict[str, frozenset[int]] = self._kept("coverage")
        self._front: dict[str, Parsed] = {}
        self._bodies: dict[str, _Body] = {}
        self._coverage: dict[str, frozenset[int]] = {}
        self.converted = 0  # bodies converted by this run, the others came from the cache

    def parse(self, path: Path, text: str, first_line: int) -> Parsed:
        """``frontmatter.parse_yaml``, through the cache (what it raises is never kept)."""
        key = digest(text, str(first_line))
        parsed = self._kept_front.get(key) or parse_yaml(path, text, first_line)
        self._front[key] = parsed
        return parsed

    def coverage(self, fonts: Sequence[Path], read: Callable[[], frozenset[int]]) -> frozenset[int]:
        """The code points that ``fonts`` draw (``read``: from their files), through the
        cache, found by the files' bytes."""
        if self.folder is None:
            return read()  # nothing kept: their bytes are not worth hashing
        key = digest(*(font.read_bytes() for font in fonts))
        found = self._kept_coverage.get(key)
        if not isinstance(found, frozenset):
            found = read()
        self._coverage = {key: found}
        return found

    def note(self, text: str, first_line: int, parsed: Parsed) -> None:
        self._front[digest(text, str(first_line))] = parsed

    def converted_all(
        self, renderer: MarkdownRenderer, policy: ResourcePolicy, sources: Sequence[Source]
    ) -> list[Converted]:
        """``renderer.converted`` of each source, through the cache: a body is converted again
        only if it, the renderer's context or a file it read has changed; when many are, on
        two cores (``forked.mapped``)."""
        context = digest(renderer.context())  # once: it names every card
        state = functools.cache(policy.state)  # an image shared by cards is hashed once
        keys = [
            digest(context, str(path), str(line), str(top), doc_id, text)
            for text, path, line, top, doc_id in sources
        ]
        bodies: list[_Body | None] = [self._kept_bodies.get(key) for key in keys]
        stale = [
            i
            for i, body in enumerate(bodies)
            if body is None or any(state(url) != held for url, held in body[3].items())
        ]

        def convert(i: int) -> _Body:
            return _kept_body(renderer.converted(*sources[i]), self.html)

        for i, fresh in zip(stale, mapped(convert, stale), strict=True):
            bodies[i] = fresh
        self.converted += len(stale)
        done = []
        for key, body, (_, path, *_) in zip(keys, bodies, sources, strict=True):
            assert body is not None  # each stale one converted above
            self._bodies[key] = body
            html, problems, references, reads = body
            done.append(
                Converted(
                    Markup(html),
                    tuple(ContentError(path, number, message) for number, message in problems),
                    frozenset(references),
                    reads,
                )
            )
        return done

    def save(self) -> None:
        """Keeps what this run parsed and converted, nothing else: the cache holds one
        content folder's."""
        if self.folder is None:
            return
        for kind, used, before in (
            ("front-matters", self._front, self._kept_front),
            (self._bodies_kind, self._bodies, self._kept_bodies),
            ("coverage", self._coverage, self._kept_coverage),
        ):
            if used and used != before:
                keep(self.folder / f"{kind}.pickle", kind, used)

    def _kept(self, kind: str) -> Any:
        found = kept(self.folder / f"{kind}.pickle" if self.folder else None, kind)
        return found if isinstance(found, dict) else {}


def _kept_body(done: Converted, html: bool) -> _Body:
    problems = tuple((problem.line, problem.message) for problem in done.problems)
    return (
        str(done.html) if html else "",
        problems,
        tuple(sorted(done.references)),
        dict(done.reads),
    )
