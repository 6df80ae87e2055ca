"""How a build shows its stages: a live display on a terminal, timings with --verbose,
nothing with --quiet or in a pipe (CI logs stay plain)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from .pipeline import Stage, quietly


@contextmanager
def stage_reporter(*, quiet: bool, verbose: bool, out: TextIO | None = None) -> Iterator[Stage]:
    out = out or sys.stdout  # looked up now: tests and tools replace sys.stdout
    if quiet:
        yield quietly
    elif verbose:
        yield _timed(out)
    elif out.isatty():
        with _live(out) as stage:
            yield stage
    else:
        yield quietly


def _timed(out: TextIO) -> Stage:
    @contextmanager
    def stage(name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        print(f"  {name}: {time.perf_counter() - started:.2f} s", file=out)

    return stage


@contextmanager
def _live(out: TextIO) -> Iterator[Stage]:
    from rich.console import Console  # only on a terminal: rich takes time to import
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=out), transient=True) as progress:

        @contextmanager
        def stage(name: str) -> Iterator[None]:
            task = progress.add_task(name, total=None)
            try:
                yield
            finally:
                progress.remove_task(task)

        yield stage
