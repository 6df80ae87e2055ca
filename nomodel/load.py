"""Load and validate a content folder into a Content value, reporting every problem at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from nomodel.errors import ContentError, ContentErrors, display_path
from nomodel.forked import mapped
from nomodel.frontmatter import (
    MarkdownFile,
    Parse,
    ParseCache,
    Parsed,
    YamlFile,
    markdown_file,
    parse_yaml,
    read_text,
    read_yaml,
)
from nomodel.model import Booklet, Card, CardFrontMatter, Content, Section, SectionFrontMatter
from nomodel.schema import NUMBER_PATTERN, validate

BOOKLET_FILE = "booklet.yml"
SECTION_FILE = "_section.md"
NO_LINE = 0  # the problem is a folder or a missing file, not a line
# Stands in for a booklet.yml that has problems, so that the cards can still be checked.
UNREADABLE_BOOKLET = Booklet.model_construct(title="")

T = TypeVar("T")


class _Collector:
    """Gathers every ContentError so that one bad file never hides the problems of the others."""

    def __init__(self, root: Path, cache: ParseCache | None) -> None:
        self.root = root  # resolved: every file read must lie under it
        self.cache = cache
        # How front matters are parsed: through the cache, or by frontmatter.parse_yaml.
        self.parse: Parse = cache.parse if cache else parse_yaml
        self.errors: list[ContentError] = []
        self._claims: dict[str, tuple[Path, int]] = {}

    def inside(self, path: Path) -> bool:
        """Whether ``path`` really lies in the content folder; a symbolic link leading out
        (to a file of the machine, say) is reported, and the file is not read."""
        try:
            target = path.resolve()
        except (OSError, RuntimeError):  # a loop of links
            self.add(path, NO_LINE, "is a link that leads nowhere (a loop of links)")
            return False
        if target.is_relative_to(self.root):
            return True
        kind = "folder" if target.is_dir() else "file"
        self.add(path, NO_LINE, f"is a link to a {kind} outside the content folder")
        return False

    def add(self, path: Path, line: int, message: str) -> None:
        self.errors.append(ContentError(path, line, message))

    def attempt(self, make: Callable[[], T]) -> T | None:
        try:
            return make()
        except ContentErrors as exc:
            self.errors.extend(exc.errors)
            return None

    def claim(self, what: str, path: Path, line: int) -> None:
        """Report ``what`` (``number 00C.001``) when an earlier file already holds it.

        Files are visited in path order, so the error always lands on the later file."""
        first_path, first_line = self._claims.setdefault(what, (path, line))
        if first_path != path:
            where = f"{display_path(first_path)}:{first_line}"
            self.add(path, line, f"{what} is already used by {where}")


def load_content(root: Path) -> Content:
    """The content under ``root``, or ContentErrors listing every problem found there.

    FileNotFoundError / NotADirectoryError when ``root`` is no folder at all."""
    content, problems = read_content(root)
    if problems:
        raise ContentErrors(problems)
    return content


def read_content(
    root: Path, cache: ParseCache | None = None, scan: Scan | None = None
) -> tuple[Content, tuple[ContentError, ...]]:
    """What could be read under ``root``, and every problem found there.

    The sections and cards that are valid are kept, so later stages can check them too
    and all problems are reported together. ``cache``: front matters parsed before
    (check_cache.py keeps them). ``scan``: more problems of each Markdown file's text, found
    as it is read (glyphs.glyph_scan: characters that no font draws)."""
    if not root.exists():
        raise FileNotFoundError(f"content folder not found: {root}")
    if not root.is_dir():
        raise NotADirectoryError(f"not a folder: {root}")
    collect = _Collector(root.resolve(), cache)
    source, booklet = _load_booklet(root, collect)
    folders = _section_folders(root, collect)
    if not folders:
        collect.add(root, NO_LINE, f"no sections: add a folder holding {SECTION_FILE} and cards")
    read = _read_all([path for _, files in folders for path in files], collect, scan)
    sections = [_load_section(folder, files, collect, read) for folder, files in folders]
    ordered = tuple(sorted(filter(None, sections), key=lambda s: (s.order, s.path.name)))
    if source is not None and booklet is not None:
        _check_editions(source, booklet, ordered, collect)
    return Content(root, booklet or UNREADABLE_BOOKLET, ordered), tuple(collect.errors)


def _load_booklet(root: Path, collect: _Collector) -> tuple[YamlFile | None, Booklet | None]:
    path = root / BOOKLET_FILE
    if path.is_symlink() and not collect.inside(path):
        return None, None
    if not path.is_file():
        collect.add(root, NO_LINE, f"missing {BOOKLET_FILE} (the publication: title, format…)")
        return None, None
    source = collect.attempt(lambda: read_yaml(path, collect.parse))
    booklet = collect.attempt(lambda: validate(Booklet, source)) if source else None
    return source, booklet


def _check_editions(
    source: YamlFile, booklet: Booklet, sections: tuple[Section, ...], collect: _Collector
) -> None:
    """An edition names sections and cards that exist, and no two editions share a name."""
    slugs = [section.slug for section in sections]
    numbers = {card.number for section in sections for card in section.cards}
    names: set[str] = set()
    for index, edition in enumerate(booklet.editions):

        def report(
            key_path: tuple, problem: str, index: int = index, name: str = edition.name
        ) -> None:
            line = source.line_of(("editions", index, *key_path))
            collect.add(source.path, line, f'edition "{name}": {problem}')

        if edition.name in names:
            report(("name",), "defined twice")
        names.add(edition.name)
        for position, slug in enumerate(edition.sections):
            if slug not in slugs:
                report(
                    ("sections", position), f'no section "{slug}" (sections: {", ".join(slugs)})'
                )
        for position, number in enumerate(edition.cards):
            if number not in numbers:
                report(("cards", position), f"no card {number}")


def _section_folders(root: Path, collect: _Collector) -> list[tuple[Path, list[Path]]]:
    """Visible sub-folders holding Markdown files, with those files; the others (``images/``)
    are not sections. Links leading out of the content folder are reported, not followed."""
    folders = sorted(folder for folder in root.iterdir() if folder.is_dir() and not _hidden(folder))
    folders = [folder for folder in folders if not folder.is_symlink() or collect.inside(folder)]
    return [(folder, files) for folder in folders if (files := _markdown_files(folder, collect))]


def _markdown_files(folder: Path, collect: _Collector) -> list[Path]:
    # Sorted by name: they share their folder, and comparing names is cheaper than paths.
    files = (path for path in folder.glob("*.md") if path.is_file() and not _hidden(path))
    inside = (path for path in files if not path.is_symlink() or collect.inside(path))
    return sorted(inside, key=lambda path: path.name)


def _hidden(path: Path) -> bool:
    return path.name.startswith(".")


# Each Markdown file read: what it holds, or its problems.
_Read = dict[Path, MarkdownFile | ContentErrors]
# Problems of a file's text besides its content (load.read_content's ``scan``).
Scan = Callable[[Path, str], list[ContentError]]
# A file read: what it holds or its problems, the front matters parsed to read it, what
# ``scan`` found in its text.
_Found = tuple[MarkdownFile | ContentErrors, list[tuple[str, int, Parsed]], list[ContentError]]


def _read_all(files: list[Path], collect: _Collector, scan: Scan | None) -> _Read:
    """Each Markdown file read, its front matter parsed and its text scanned, on two cores
    when they are many (forked.py): the YAML parser is pure Python (0.2 ms a card). What the
    other process parsed is kept in the cache as what this one parsed."""
    found = mapped(partial(_read_one, parse=collect.parse, scan=scan), files)
    for _, parsed, scanned in found:
        if collect.cache:
            for args in parsed:
                collect.cache.note(*args)
        collect.errors += scanned
    return {path: read for path, (read, _, _) in zip(files, found, strict=True)}


def _read_one(path: Path, parse: Parse, scan: Scan | None) -> _Found:
    parsed: list[tuple[str, int, Parsed]] = []

    def noting(path: Path, text: str, first_line: int) -> Parsed:
        parsed.append((text, first_line, parse(path, text, first_line)))
        return parsed[-1][2]

    try:
        text = read_text(path)
    except ContentErrors as errors:
        return errors, parsed, []
    scanned = scan(path, text) if scan else []
    try:
        return markdown_file(path, text, noting), parsed, scanned
    except ContentErrors as errors:
        return errors, parsed, scanned


def _source(read: _Read, path: Path) -> MarkdownFile:
    found = read[path]
    if isinstance(found, ContentErrors):
        raise found
    return found


def _load_section(
    folder: Path, files: list[Path], collect: _Collector, read: _Read
) -> Section | None:
    index = folder / SECTION_FILE
    if index in files:
        section = collect.attempt(lambda: _read_section(_source(read, index), collect))
    elif index.is_symlink():
        section = None  # a link leading out: reported while listing the folder
    else:
        section = None
        collect.add(folder, NO_LINE, f"section folder has cards but no {SECTION_FILE}")
    series = section.series if section else None
    card_files = [path for path in files if path != index]
    # Every card is read, even when the section itself is broken, to report all problems.
    cards = [
        collect.attempt(partial(_read_card, read, path, series, collect)) for path in card_files
    ]
    if section is None:
        return None
    ordered = sorted(filter(None, cards), key=lambda card: card.number)
    return section.model_copy(update={"cards": tuple(ordered)})


def _read_section(source: MarkdownFile, collect: _Collector) -> Section:
    index = source.path
    meta = validate(SectionFrontMatter, source)
    collect.claim(f'series "{meta.series}"', index, source.line_of(("series",)))
    # Validated already: the front matter's values, and where they come from.
    return Section.model_construct(
        **dict(meta), path=index.parent, intro=source.body, intro_line=source.body_line, cards=()
    )


def _read_card(read: _Read, path: Path, series: str | None, collect: _Collector) -> Card:
    source = _source(read, path)
    meta = validate(CardFrontMatter, source)
    line = source.line_of(("number",))
    collect.claim(f"number {meta.number}", path, line)
    problems = []
    if series and meta.number[2] != series:
        problems.append(
            f'number {meta.number} does not match the series "{series}"'
            f" of section {path.parent.name}"
        )
    named = re.match(NUMBER_PATTERN, path.name)
    if named and named.group() != meta.number:
        problems.append(
            f"the file name starts with {named.group()} but the number is {meta.number}"
        )
    if problems:
        raise ContentErrors(ContentError(path, line, problem) for problem in problems)
    # Validated already: the front matter's values, and where they come from.
    return Card.model_construct(
        **dict(meta), path=source.path, body=source.body, body_line=source.body_line
    )
