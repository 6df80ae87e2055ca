"""The project's own files fail loudly: a font the stylesheet names and cannot find, a CSS
declaration WeasyPrint skips, a template error, each reported with its file and line as a
ThemeError, never silently replaced by something else."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import tinycss2
from fontTools.ttLib import TTFont, TTLibError
from jinja2 import TemplateError, TemplateSyntaxError

from .errors import ThemeError, display_path
from .project import STYLES, TEMPLATES

STYLESHEET = STYLES / "booklet.css"
THEME_FOLDERS = (STYLES, TEMPLATES)  # where the stylesheets that must be right come from


def check_fonts(stylesheet: Path = STYLESHEET) -> None:
    """Every font file of the stylesheet's ``@font-face`` rules exists and is a font: a
    missing one would be replaced by another face without a word (Bold for Regular)."""
    problems = []
    rules = tinycss2.parse_stylesheet(stylesheet.read_text("utf-8"), skip_comments=True)
    for rule in rules:
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face":
            continue
        for url in _urls(rule.content or []):
            path = Path(unquote(urlsplit(urljoin(stylesheet.as_uri(), url)).path))
            where = f"{display_path(stylesheet)}:{rule.source_line}"
            if not path.is_file():
                problems.append(f"{where}: font file {url} not found")
                continue
            try:
                TTFont(path, lazy=True).close()
            except (TTLibError, OSError) as error:
                problems.append(f"{where}: font file {url} cannot be read ({error})")
    if problems:
        raise ThemeError("\n".join(problems))


def _urls(nodes: list) -> Iterator[str]:
    for node in nodes:
        if node.type == "url":
            yield node.value
        elif node.type == "function" and node.lower_name == "url":
            yield from (arg.value for arg in node.arguments if arg.type == "string")


def template_error(error: TemplateError) -> ThemeError:
    """A Jinja error as ``file:line: message``."""
    filename, line = _where(error)
    where = display_path(Path(filename)) + (f":{line}" if line else "") if filename else None
    return ThemeError(f"{where}: {error.message}" if where else f"template: {error}")


def _where(error: TemplateError) -> tuple[str | None, int | None]:
    if isinstance(error, TemplateSyntaxError):  # its name is relative to templates/
        named = str(TEMPLATES / error.name) if error.name else None
        return error.filename or named, error.lineno
    # Jinja's runtime errors (an undefined variable) leave the template's line in the traceback.
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if Path(frame.filename).is_relative_to(TEMPLATES)]
    return (ours[-1].filename, ours[-1].lineno) if ours else (None, None)


class _WeasyPrintLog(logging.Handler):
    """WeasyPrint skips a CSS declaration it cannot read and only logs it, with a line and
    column but no file; its progress log names each stylesheet just before it is parsed.
    Only the theme's own stylesheets count here: a card's style attribute is the content's
    business (``html_policy``)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.sheet: Path | None = None
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.name == "weasyprint.progress":
            _, parsing, url = message.partition("Fetching and parsing CSS - ")
            self.sheet = _theme_file(url) if parsing else None
        elif record.levelno >= logging.WARNING and self.sheet is not None:
            where = re.search(r" at (\d+):(\d+)", message)
            place = f"{display_path(self.sheet)}:{where[1]}:{where[2]}" if where else ""
            message = message.replace(where[0], "", 1) if where else message
            self.lines.append(f"{place or display_path(self.sheet)}: {message}")


def _theme_file(url: str) -> Path | None:
    if not url.startswith("file:"):
        return None
    path = Path(unquote(urlsplit(url).path))
    return path if any(path.is_relative_to(folder) for folder in THEME_FOLDERS) else None


@contextmanager
def css_problems() -> Iterator[list[str]]:
    """The problems WeasyPrint finds in the theme's stylesheets while the block runs."""
    handler = _WeasyPrintLog()
    main, progress = logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.INFO)
    main.addHandler(handler)  # the progress records reach it by propagation
    try:
        yield handler.lines
    finally:
        main.removeHandler(handler)
        progress.setLevel(level)
