"""The booklet's own files fail loudly: a font the stylesheet names and cannot find, a CSS
declaration WeasyPrint skips, a template error, each reported with its file and line as a
ThemeError, never silently replaced by something else. "Own files" are the project's
templates/ and styles/ and the bundled ones they override (project.Theme)."""

from __future__ import annotations

import functools
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

from .css import css_urls
from .errors import ThemeError, display_path
from .project import INCOMPLETE, Theme


def check_fonts(theme: Theme) -> None:
    """Every font file of the stylesheet's ``@font-face`` rules exists and is a font: a
    missing one would be replaced by another face without a word (Bold for Regular). When
    none is found at all, one problem says so (not every letter of the content)."""
    stylesheet = theme.stylesheet()
    if not stylesheet.is_file():
        raise ThemeError(f"{display_path(stylesheet)}: {INCOMPLETE}")
    problems, found = [], 0
    for line, url, path in font_faces(theme):
        where = f"{display_path(stylesheet)}:{line}"
        found += path.is_file()
        if not path.is_file():
            problems.append(
                f"{where}: font file {url} not found (in the project's styles/ or nomodel's)"
            )
            continue
        try:
            TTFont(path, lazy=True).close()
        except (TTLibError, OSError) as error:
            problems.append(f"{where}: font file {url} cannot be read ({error})")
    if not found:
        raise ThemeError(
            f"{display_path(stylesheet)}: none of the fonts it names is found (in the project's"
            " styles/fonts/ or nomodel's): nothing could be printed"
        )
    if problems:
        raise ThemeError("\n".join(problems))


def font_faces(theme: Theme) -> Iterator[tuple[int, str, Path]]:
    """(line, URL as written, file) of each font of the stylesheet's ``@font-face`` rules;
    the file is the project's when it has one of that name, else the bundled one."""
    stylesheet = theme.stylesheet()
    for rule in _font_face_rules(stylesheet):
        for url in css_urls(rule.content or []):
            path = Path(unquote(urlsplit(urljoin(stylesheet.as_uri(), url)).path))
            yield rule.source_line, url, theme.resolve(path)


def font_families(theme: Theme) -> list[str]:
    """The families of the stylesheet's ``@font-face`` rules, in order, each once."""
    families: dict[str, None] = {}
    for rule in _font_face_rules(theme.stylesheet()):
        for item in tinycss2.parse_blocks_contents(rule.content or [], skip_comments=True):
            if item.type == "declaration" and item.lower_name == "font-family":
                words = (token.value for token in item.value if token.type in ("string", "ident"))
                families[" ".join(words)] = None
    return list(families)


def _font_face_rules(stylesheet: Path) -> tuple[tinycss2.ast.AtRule, ...]:
    """Parsed once per version of the file: a build asks three times (the checks, the
    glyphs, the colophon's credits), ``watch`` at every build."""
    info = stylesheet.stat()
    return _parsed_font_face_rules(stylesheet, info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=8)
def _parsed_font_face_rules(
    stylesheet: Path, mtime_ns: int, size: int
) -> tuple[tinycss2.ast.AtRule, ...]:
    rules = tinycss2.parse_stylesheet(stylesheet.read_text("utf-8"), skip_comments=True)
    return tuple(
        rule for rule in rules if rule.type == "at-rule" and rule.lower_at_keyword == "font-face"
    )


def template_error(error: TemplateError, theme: Theme) -> ThemeError:
    """A Jinja error as ``file:line: message``."""
    filename, line = _where(error, theme)
    where = display_path(Path(filename)) + (f":{line}" if line else "") if filename else None
    return ThemeError(f"{where}: {error.message}" if where else f"template: {error}")


def _where(error: TemplateError, theme: Theme) -> tuple[str | None, int | None]:
    folders = theme.folders("templates")
    if isinstance(error, TemplateSyntaxError):  # the loader gives its file; else, its name
        named = str(theme.file("templates", error.name)) if error.name else None
        return error.filename or named, error.lineno
    # Jinja's runtime errors (an undefined variable) leave the template's line in the traceback.
    frames = traceback.extract_tb(error.__traceback__)
    ours = [
        frame
        for frame in frames
        if any(Path(frame.filename).is_relative_to(folder) for folder in folders)
    ]
    return (ours[-1].filename, ours[-1].lineno) if ours else (None, None)


class _WeasyPrintLog(logging.Handler):
    """WeasyPrint skips a CSS declaration it cannot read and only logs it, with a line and
    column but no file; its progress log names each stylesheet just before it is parsed.
    Only the theme's own stylesheets count here: a card's style attribute is the content's
    business (``html_policy``)."""

    def __init__(self, theme: Theme) -> None:
        super().__init__(logging.INFO)
        self.theme = theme
        self.sheet: Path | None = None
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.name == "weasyprint.progress":
            _, parsing, url = message.partition("Fetching and parsing CSS - ")
            self.sheet = self._theme_file(url) if parsing else None
        elif record.levelno >= logging.WARNING and self.sheet is not None:
            where = re.search(r" at (\d+):(\d+)", message)
            place = f"{display_path(self.sheet)}:{where[1]}:{where[2]}" if where else ""
            message = message.replace(where[0], "", 1) if where else message
            self.lines.append(f"{place or display_path(self.sheet)}: {message}")

    def _theme_file(self, url: str) -> Path | None:
        if not url.startswith("file:"):
            return None
        path = Path(unquote(urlsplit(url).path))
        return path if any(path.is_relative_to(root) for root in self.theme.roots()) else None


@contextmanager
def css_problems(theme: Theme) -> Iterator[list[str]]:
    """The problems WeasyPrint finds in the theme's stylesheets while the block runs."""
    handler = _WeasyPrintLog(theme)
    main, progress = logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.INFO)
    main.addHandler(handler)  # the progress records reach it by propagation
    try:
        yield handler.lines
    finally:
        main.removeHandler(handler)
        progress.setLevel(level)
