"""``nomodel watch``: rebuild the booklet whenever its content, templates or styles change."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import watchfiles

from . import pipeline
from .errors import NOTHING_WRITTEN, NomodelError, display_path
from .notices import notices
from .project import KINDS, Theme
from .telling import say, summary

# One save is one build: an editor writes, renames and chmods within a few milliseconds, so a
# burst ends after STEP_MS of quiet; a longer stream of changes is cut every DEBOUNCE_MS.
DEBOUNCE_MS = 1600
STEP_MS = 150
# On Windows, Ctrl-C only reaches Python when the Rust watcher returns: make it return often.
RUST_TIMEOUT_MS = 1000
SHOWN_NAMES = 3


class _SourceFilter(watchfiles.DefaultFilter):
    """Only the sources of the booklet. The defaults already skip vim's swap files, ``~``
    backups, emacs' ``.#`` locks and ``__pycache__``; vim also probes with a file ``4913``.
    The build's own outputs (and their ``.part`` files) would make every build start the next
    one when the output folder is inside a watched folder."""

    ignore_entity_patterns = (
        *watchfiles.DefaultFilter.ignore_entity_patterns,
        r"^4913$",
        r"^#.*#$",  # emacs auto-save
        r"\.part$",
    )

    def __init__(self, output_dir: Path) -> None:
        super().__init__()
        self.output_dir = output_dir.resolve()

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return super().__call__(change, path) and not Path(path).is_relative_to(self.output_dir)


def watch(
    content_dir: Path,
    options: pipeline.BuildOptions,
    *,
    stop_event: threading.Event | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Builds once, then again after every change; returns 0 on Ctrl-C or ``stop_event``."""
    out, err = out or sys.stdout, err or sys.stderr  # looked up now: tests replace them
    # The project's own templates/ and styles/; the bundled ones change only with nomodel.
    project = Theme.of(content_dir).project
    own = (project / kind for kind in KINDS)
    folders = [content_dir.resolve(), *(folder for folder in own if folder.is_dir())]
    sources_only = _SourceFilter(options.output_dir)
    build = _Builder(content_dir, options, out, err, pipeline.Workers(options.jobs, keep=True))
    try:
        shown = ", ".join(f"{display_path(folder)}/" for folder in folders)
        say(out, [f"watching {shown} (Ctrl-C to stop)"])
        before = _snapshot(folders, sources_only)
        build("first build")
        catching_up = True
        for changes in watchfiles.watch(
            *folders,
            watch_filter=sources_only,
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            stop_event=stop_event,
            rust_timeout=RUST_TIMEOUT_MS,
            yield_on_timeout=True,  # so that the catching up below happens without a change
        ):
            if catching_up:  # the watcher starts only now: a save during the first build counts
                changes |= _differences(before, _snapshot(folders, sources_only))
                catching_up = False
            sources = _sources(changes)
            if sources:  # else only temporary files came and went
                build(_changed(sources))
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a watch ends, not a failure
    finally:
        build.workers.close()
    return 0


@dataclass
class _Builder:
    """One build and its one line; whatever goes wrong is told, and the watch goes on."""

    content_dir: Path
    options: pipeline.BuildOptions
    out: TextIO
    err: TextIO
    workers: pipeline.Workers  # one set for every build, kept between builds
    kept: str = NOTHING_WRITTEN  # until a build succeeds, a failure leaves nothing new
    told: set[str] = field(default_factory=set)  # notices shown once for the whole watch

    def __call__(self, what: str) -> None:
        try:
            with notices(self.told) as told_now:
                results = pipeline.build(self.content_dir, self.options, workers=self.workers)
        except NomodelError as error:  # the content, a template being edited, a full disk
            outcome = error.outcome(self.kept) or f"the build failed: {self.kept}"
            say(self.err, [*error.details(), f"{_now()} {what} → {outcome}"])
            return
        except Exception as error:
            failed = f"{_now()} {what} → the build failed: {self.kept}"
            say(self.err, [f"nomodel: {type(error).__name__}: {error}", failed])
            return
        say(self.err, told_now)
        say(
            self.out, [f"{_now()} {what} → {summary(result)}{_again(result)}" for result in results]
        )
        self.kept = _kept(results)


def _again(result: pipeline.BuildResult) -> str:
    """How many cards this build laid out (the others came from the cache)."""
    return "" if result.laid_out is None else f" ({result.laid_out} cards laid out again)"


def _kept(results: list[pipeline.BuildResult]) -> str:
    pdfs = [display_path(result.outputs[0]) for result in results]
    return f"{', '.join(pdfs)} kept as {'it was' if len(pdfs) == 1 else 'they were'}"


def _snapshot(folders: list[Path], keep: _SourceFilter) -> dict[str, tuple[int, int]]:
    found = {}
    for path in (path for folder in folders for path in folder.rglob("*")):
        with suppress(OSError):  # gone since it was listed
            if path.is_file() and keep(watchfiles.Change.modified, str(path)):
                found[str(path)] = (path.stat().st_mtime_ns, path.stat().st_size)
    return found


def _differences(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
) -> set[tuple[watchfiles.Change, str]]:
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    return {(watchfiles.Change.modified, path) for path in changed}


def _sources(changes: set[tuple[watchfiles.Change, str]]) -> list[Path]:
    """The changed files worth naming. A file written then renamed over a source (by sed,
    by many editors) is added and gone within one batch: it is no source."""
    added = {path for change, path in changes if change == watchfiles.Change.added}
    return [Path(path) for _, path in changes if path not in added or Path(path).exists()]


def _changed(paths: Iterable[Path]) -> str:
    names = sorted({display_path(path) for path in paths})
    more = len(names) - SHOWN_NAMES
    shown = ", ".join(names[:SHOWN_NAMES]) + (f" and {more} more" if more > 0 else "")
    return f"{shown} changed"


def _now() -> str:
    return time.strftime("%H:%M:%S")
