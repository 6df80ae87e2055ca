"""The pipeline, stage by stage: load → Markdown → templates → layout → PDF."""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .compose import compose
from .errors import ContentErrors
from .layout import lay_out
from .load import read_content
from .markdown_html import RenderedContent, render_content
from .write import write_atomically


@dataclass(frozen=True)
class BuildResult:
    output: Path
    pages: int
    cards: int
    seconds: float


def build_date() -> datetime.date:
    """Today, or the day given by SOURCE_DATE_EPOCH so that rebuilds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.date.today()


def check(content_dir: Path) -> RenderedContent:
    """Everything a build checks, without the layout: raises ContentErrors with all problems."""
    content, problems = read_content(content_dir)
    rendered, more_problems = render_content(content)
    if problems or more_problems:
        raise ContentErrors((*problems, *more_problems))
    return rendered


def build(content_dir: Path, output_dir: Path) -> BuildResult:
    started = time.perf_counter()
    rendered = check(content_dir)
    html = compose(rendered, build_date())
    document = lay_out(html, base_url=content_dir.resolve())
    output = output_dir / "booklet.pdf"
    write_atomically(output, document.write_pdf)
    return BuildResult(
        output=output,
        pages=len(document.pages),
        cards=len(rendered.content.cards),
        seconds=time.perf_counter() - started,
    )
